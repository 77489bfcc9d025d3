import { policySetActivationStep } from '../../../src/triage/steps/policy-set-activation';
import type { EvidenceFor } from '../../../src/triage/evidence-model';
import { activation, activeSet, ctx, exchangeDeniedRow, failed, healthyMetrics, located, ok, stsRow, traceOf } from '../support/builders';

type E = EvidenceFor<'location' | 'policySets' | 'activation' | 'metrics'>;
const deny = located(traceOf(stsRow({ decision: 'deny', status: 'complete', diagnostics: [{ reason: 'default_deny' }] }), exchangeDeniedRow()));
const base = (over: Partial<E> = {}): E => ({ location: deny, policySets: ok([activeSet]), activation: ok(activation()), metrics: healthyMetrics, ...over });
const judge = (over: Partial<E> = {}) => policySetActivationStep.judge(base(over), ctx());

describe('policy_set_activation step', () => {
  it('passes when the active set is loaded by STS', () => {
    expect(judge().verdict).toBe('pass');
  });

  it('fails no_active_policy_set when no set has an active version', () => {
    const r = judge({ policySets: ok([{ id: 'ps-1', name: 'main', active_version_id: null }, { id: 'ps-2', active_version_id: '' }]), activation: failed('no_active_policy_set', undefined, 'not_applicable') });
    expect(r).toMatchObject({ verdict: 'fail', cause: 'no_active_policy_set' });
    expect(r.summary).toMatch(/2 policy sets but none is active/);
  });

  it('treats activation-status 404 active_policy_set_version_not_found as no active set', () => {
    expect(judge({ activation: failed('active_policy_set_version_not_found', 404) }).cause).toBe('no_active_policy_set');
  });

  it('fails propagation_failed, and names the stale version STS evaluated', () => {
    const r = judge({
      location: located(traceOf(stsRow({ decision: 'deny', status: 'complete', versionId: 'psv-1' }))),
      activation: ok(activation({ propagation_status: 'failed', outbox: { state: 'dead', attempts: 8, last_error: 'sts 503' }, sts: { state: 'not_loaded' } })),
    });
    expect(r).toMatchObject({ verdict: 'fail', cause: 'propagation_failed' });
    expect(r.summary).toContain('psv-1');
  });

  it('a "failed" status only because the API cannot reach STS is "cannot tell", not a failed activation', () => {
    const r = judge({ activation: ok(activation({ propagation_status: 'failed', outbox: { state: 'dispatched', attempts: 1 }, sts: { state: 'unreachable', detail: 'connect ECONNREFUSED' } })) });
    expect(r).toMatchObject({ verdict: 'unknown', cause: 'sts_unreachable' });
  });

  it('fails outbox_dead when the activation message died', () => {
    expect(judge({ activation: ok(activation({ propagation_status: 'waiting_for_outbox', outbox: { state: 'dead', attempts: 8 } })) }).cause).toBe('outbox_dead');
  });

  it('waiting_for_sts with sts.state not_configured is "cannot tell", not a failure', () => {
    const r = judge({ activation: ok(activation({ propagation_status: 'waiting_for_sts', sts: { state: 'not_configured', detail: 'GATEWAY_STS_HMAC_KEY is not configured' } })) });
    expect(r).toMatchObject({ verdict: 'unknown', cause: 'sts_state_not_configured' });
    expect(r.summary).toContain('GATEWAY_STS_HMAC_KEY');
  });

  it('fails policy_eval_failed from the trace when activation looks fine', () => {
    const r = judge({ location: located(traceOf(stsRow({ decision: 'deny', status: 'policy_eval_failed', prePolicy: true }))) });
    expect(r.cause).toBe('policy_eval_failed');
  });

  describe('what the trace says needs no STS', () => {
    const evalFailed = located(traceOf(stsRow({ decision: 'deny', status: 'policy_eval_failed', diagnostics: [{ reason: 'rego_compile_error' }] })));
    const notConfigured = ok(activation({ propagation_status: 'waiting_for_sts', sts: { state: 'not_configured' } }));

    it('policy_eval_failed with STS compile errors: the active bundle does not compile (high confidence)', () => {
      const stsBroken = { ...healthyMetrics, sts: ok<Record<string, unknown>>({ opa: { compile_errors: 2, eval_errors: 5 } }) };
      const r = judge({ location: evalFailed, metrics: stsBroken, activation: notConfigured });
      expect(r).toMatchObject({ verdict: 'fail', cause: 'policy_eval_failed', evidence: { confidence: 'high', stsCompileErrors: 2 } });
      expect(r.summary).toContain('opa.compile_errors=2');
    });

    it('policy_eval_failed with only the API configured (no STS metrics, activation cannot tell)', () => {
      const apiOnly = { ...healthyMetrics, sts: failed('not_configured', undefined, 'not_configured') };
      expect(judge({ location: evalFailed, metrics: apiOnly, activation: notConfigured })).toMatchObject({ verdict: 'fail', cause: 'policy_eval_failed' });
      expect(judge({ location: evalFailed, metrics: apiOnly, activation: failed('admin_token_zone_mismatch', 403) })).toMatchObject({ verdict: 'fail', cause: 'policy_eval_failed' });
    });

    it('a deny with an incomplete OPA evaluation (status error) is an evaluation failure too', () => {
      const r = judge({ location: located(traceOf(stsRow({ decision: 'deny', status: 'error' }))) });
      expect(r).toMatchObject({ verdict: 'fail', cause: 'policy_eval_failed' });
    });

    it('a denial STS wrote without an active set fails no_active_policy_set even if a set is active now', () => {
      const t = located(traceOf(stsRow({ decision: 'deny', status: 'complete', diagnostics: [{ reason: 'no_active_policy_set' }], manifestSha: 'no_active_policy_set', versionId: '' }), exchangeDeniedRow()));
      const r = judge({ location: t, activation: notConfigured });
      expect(r).toMatchObject({ verdict: 'fail', cause: 'no_active_policy_set' });
      expect(r.summary).toContain('main is active now');
    });
  });

  it('is unknown when policy sets cannot be read or there is no zone', () => {
    expect(judge({ policySets: failed('timeout', undefined, 'transport') }).verdict).toBe('unknown');
    expect(judge({ location: located(null) }).verdict).toBe('unknown');
  });
});
