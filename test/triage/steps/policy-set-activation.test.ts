import { policySetActivationStep } from '../../../src/triage/steps/policy-set-activation';
import type { EvidenceFor } from '../../../src/triage/evidence-model';
import { activation, activeSet, ctx, exchangeDeniedRow, failed, located, ok, stsRow, traceOf } from '../support/builders';

type E = EvidenceFor<'location' | 'policySets' | 'activation'>;
const deny = located(traceOf(stsRow({ decision: 'deny', status: 'complete', diagnostics: [{ reason: 'default_deny' }] }), exchangeDeniedRow()));
const base = (over: Partial<E> = {}): E => ({ location: deny, policySets: ok([activeSet]), activation: ok(activation()), ...over });
const judge = (over: Partial<E> = {}) => policySetActivationStep.judge(base(over), ctx());

describe('policy_set_activation step', () => {
  it('passes when the active set is loaded by STS', () => {
    expect(judge().verdict).toBe('pass');
  });

  it('fails no_active_policy_set when no set has an active version', () => {
    const r = judge({ policySets: ok([{ id: 'ps-1', name: 'main', active_version_id: null }, { id: 'ps-2', active_version_id: '' }]), activation: failed('no_active_policy_set', undefined, 'not_applicable') });
    expect(r).toMatchObject({ verdict: 'fail', cause: 'no_active_policy_set' });
    expect(r.summary).toMatch(/2 policy set\(s\) but none is active/);
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

  it('is unknown when policy sets cannot be read or there is no zone', () => {
    expect(judge({ policySets: failed('timeout', undefined, 'transport') }).verdict).toBe('unknown');
    expect(judge({ location: located(null) }).verdict).toBe('unknown');
  });
});
