import { policySetActivationStep } from '../../../src/triage/steps/policy-set-activation';
import type { EvidenceFor } from '../../../src/triage/evidence-model';
import { activation, activeSet, at, ctx, exchangeDeniedRow, failed, healthyMetrics, located, ok, stsRow, traceOf } from '../support/builders';

type E = EvidenceFor<'location' | 'policySets' | 'activation' | 'policyVersions' | 'metrics'>;
const deny = located(traceOf(stsRow({ decision: 'deny', status: 'complete', diagnostics: [{ reason: 'default_deny' }] }), exchangeDeniedRow()));
const VERSIONS = ok([
  { id: 'psv-1', version: 1, created_at: at(-7200) },
  { id: 'psv-2', version: 2, created_at: at(-3600) },
]);
const base = (over: Partial<E> = {}): E => ({ location: deny, policySets: ok([activeSet]), activation: ok(activation()), policyVersions: VERSIONS, metrics: healthyMetrics, ...over });
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

    it('policy_eval_failed with STS reporting no compile errors does not send anyone to check them (fails on the old code: "Check STS opa.compile_errors")', () => {
      const r = judge({ location: evalFailed, activation: notConfigured });
      expect(r).toMatchObject({ verdict: 'fail', cause: 'policy_eval_failed', evidence: { stsCompileErrors: 0 } });
      expect(r.summary).not.toMatch(/Check STS opa\.compile_errors|does not compile/);
      expect(r.summary).toContain('STS reports no compile errors (opa.compile_errors=0), so the bundle compiles');
    });

    it('sts_load_failed names compile errors only as the metrics show them', () => {
      const failedLoad = ok(activation({ sts: { state: 'failed', detail: 'reload error' } }));
      expect(judge({ activation: failedLoad }).summary).toContain('STS reports no compile errors, so read its log for the load error');
      const stsBroken = { ...healthyMetrics, sts: ok<Record<string, unknown>>({ opa: { compile_errors: 1 } }) };
      expect(judge({ activation: failedLoad, metrics: stsBroken }).summary).toContain('STS reports opa.compile_errors=1');
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

  describe('a deny evaluated with a version older than the active one: STS had not loaded the activation', () => {
    const roleDeny = (versionId: string, t = 10) =>
      located(traceOf(stsRow({ decision: 'deny', status: 'complete', diagnostics: [{ reason: 'role_scope_mismatch' }], versionId, manifestSha: 'sha-1', t }), exchangeDeniedRow(t)));
    const dispatched = (secondsBeforeRequest: number) => at(10 - secondsBeforeRequest);
    const waiting = (dispatchedAt: string) =>
      ok(activation({ propagation_status: 'waiting_for_sts', outbox: { state: 'dispatched', attempts: 1, last_error: null, dispatched_at: dispatchedAt }, sts: { state: 'not_configured' } }));

    it('activated well before the request: activation_not_loaded with high confidence, naming both versions', () => {
      const r = judge({ location: roleDeny('psv-1'), activation: waiting(dispatched(600)) });
      expect(r).toMatchObject({ verdict: 'fail', cause: 'activation_not_loaded', evidence: { confidence: 'high' } });
      expect(r.summary).toContain('v1 (psv-1)');
      expect(r.summary).toContain('older than the active v2 (psv-2)');
      expect(r.summary).toContain('600 s before the request');
    });

    it('activated seconds before the request: medium, within the poll interval', () => {
      const r = judge({ location: roleDeny('psv-1'), activation: waiting(dispatched(20)) });
      expect(r).toMatchObject({ cause: 'activation_not_loaded', evidence: { confidence: 'medium' } });
      expect(r.summary).toContain('within STS');
    });

    it('loaded since: says a retry is evaluated with the active version', () => {
      const r = judge({ location: roleDeny('psv-1'), activation: ok(activation({ outbox: { state: 'dispatched', attempts: 1, last_error: null, dispatched_at: dispatched(600) } })) });
      expect(r).toMatchObject({ verdict: 'fail', cause: 'activation_not_loaded' });
      expect(r.summary).toContain('Retry the call');
    });

    it('activated after the request: not this step’s finding', () => {
      expect(judge({ location: roleDeny('psv-1'), activation: waiting(at(100)) }).cause).not.toBe('activation_not_loaded');
    });

    it('a newer evaluated version (rolled back since) is not a stale load', () => {
      const rolledBack = ok([{ id: 'psv-1', version: 3 }, { id: 'psv-2', version: 2 }]);
      expect(judge({ location: roleDeny('psv-1'), policyVersions: rolledBack, activation: waiting(dispatched(600)) }).cause).not.toBe('activation_not_loaded');
    });

    it('the active version from the policy-set list is enough when activation-status cannot be read', () => {
      const r = judge({ location: roleDeny('psv-1'), activation: failed('admin_token_read_only', 403) });
      expect(r).toMatchObject({ verdict: 'fail', cause: 'activation_not_loaded', evidence: { confidence: 'medium' } });
    });
  });
});
