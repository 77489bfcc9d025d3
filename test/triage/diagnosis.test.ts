import { diagnose, inferSymptom, reportSurface, rootCauseStep, zoneFromSteps } from '../../src/triage/diagnosis';
import { STEP_IDS, type StepId, type StepResult } from '../../src/triage/model';
import { result } from './support/builders';

/** All eight steps passing, with the given ones replaced. */
function steps(...changed: StepResult[]): StepResult[] {
  return STEP_IDS.map((id) => changed.find((c) => c.id === id) ?? result(id, 'pass'));
}

describe('diagnosis', () => {
  it('is null when nothing failed, however many steps are unknown or manual', () => {
    expect(diagnose(steps(result('readiness', 'unknown', 'timeout'), result('gateway_verifier', 'manual')), null)).toBeNull();
  });

  it('is the first failing step otherwise, with its summary', () => {
    const d = diagnose(steps(result('grant_policy', 'fail', 'no_active_grant'), result('gateway_verifier', 'fail', 'invalid_token')), 'token_exchange_denied')!;
    expect(d).toMatchObject({ step: 'grant_policy', cause: 'no_active_grant', surface: 'sts_policy', summary: 'grant_policy fail no_active_grant' });
  });

  it('points past a grant failure when the requested scope is not defined on the resource', () => {
    const d = diagnose(steps(result('grant_policy', 'fail', 'scope_not_granted'), result('requested_scopes', 'fail', 'scope_mismatch')), 'token_exchange_denied')!;
    expect(d).toMatchObject({ step: 'requested_scopes', cause: 'scope_mismatch', surface: 'resource_definition' });
  });

  it('does not point past the grant for an operation scope found after an allow', () => {
    const d = diagnose(steps(result('grant_policy', 'fail', 'no_active_grant'), result('requested_scopes', 'fail', 'operation_scope_not_granted')), null)!;
    expect(d.step).toBe('grant_policy');
  });

  it('a broken policy-set activation explains a policy deny', () => {
    const d = diagnose(steps(result('grant_policy', 'fail', 'default_deny'), result('policy_set_activation', 'fail', 'propagation_failed')), null)!;
    expect(d).toMatchObject({ step: 'policy_set_activation', cause: 'propagation_failed', surface: 'sts_policy' });
  });

  it('the reason STS recorded for stopping before policy beats an earlier step that failed on what the request never reached', () => {
    const trace = result('request_trace', 'pass', undefined, { trace: { deniedBy: { eventType: 'token_exchange', evaluationStatus: 'scope_mismatch' } } });
    const d = diagnose(steps(trace, result('policy_set_activation', 'fail', 'no_active_policy_set'), result('requested_scopes', 'fail', 'scope_mismatch')), null)!;
    expect(d).toMatchObject({ step: 'requested_scopes', cause: 'scope_mismatch' });
    // A policy decision is not such a reason: the activation rule still applies.
    const policy = result('request_trace', 'pass', undefined, { trace: { deniedBy: { evaluationStatus: 'complete' } } });
    expect(diagnose(steps(policy, result('grant_policy', 'fail', 'default_deny'), result('policy_set_activation', 'fail', 'propagation_failed')), null)!.step).toBe('policy_set_activation');
  });

  it('an activation finding that says it did not shape the request does not take over a policy deny', () => {
    const d = diagnose(steps(result('grant_policy', 'fail', 'role_scope_mismatch'), result('policy_set_activation', 'fail', 'no_active_policy_set', { explainsRequest: false })), null)!;
    expect(d).toMatchObject({ step: 'grant_policy', cause: 'role_scope_mismatch' });
  });

  it('readiness failures outrank everything', () => {
    const d = diagnose(steps(result('readiness', 'fail', 'redis_unreachable'), result('configuration', 'fail', 'resource_not_found'), result('requested_scopes', 'fail', 'scope_mismatch')), null)!;
    expect(d).toMatchObject({ step: 'readiness', surface: 'infrastructure', cause: 'redis_unreachable' });
  });

  it('unless a later step failed with the same cause: that step is its more specific home', () => {
    const gw = diagnose(steps(result('readiness', 'fail', 'revocation_snapshot_stale'), result('gateway_verifier', 'fail', 'revocation_snapshot_stale')), 'access_after_revocation')!;
    expect(gw).toMatchObject({ step: 'gateway_verifier', surface: 'revocation' });
    const audit = diagnose(
      steps(result('readiness', 'fail', 'audit_lag_threshold'), result('request_trace', 'fail', 'request_not_found', { surface: 'audit_pipeline' }), result('audit_trace', 'fail', 'audit_lag_threshold')),
      'no_audit_event',
    )!;
    expect(audit).toMatchObject({ step: 'audit_trace', surface: 'audit_pipeline' });
  });

  it('a shared dependency stays with readiness even when the Gateway reports it too', () => {
    const services = (down: string[]) => ({ services: down.map((service) => ({ service, state: 'not_ready' })) });
    const redis = diagnose(steps(result('readiness', 'fail', 'redis_unreachable', services(['sts', 'gateway'])), result('gateway_verifier', 'fail', 'redis_unreachable')), null)!;
    expect(redis).toMatchObject({ step: 'readiness', surface: 'infrastructure' });
    // STS itself is down: the Gateway's sts_unreachable is a consequence.
    const stsDown = diagnose(steps(result('readiness', 'fail', 'sts_unreachable', services(['sts', 'gateway'])), result('gateway_verifier', 'fail', 'sts_unreachable')), null)!;
    expect(stsDown).toMatchObject({ step: 'readiness', surface: 'infrastructure' });
    // STS answers the bot but not the Gateway: the Gateway's path to STS is the finding.
    const path = diagnose(steps(result('readiness', 'fail', 'sts_unreachable', services(['gateway'])), result('gateway_verifier', 'fail', 'sts_unreachable')), 'resource_denied')!;
    expect(path).toMatchObject({ step: 'gateway_verifier', surface: 'resource_verifier' });
  });

  it.each([
    ['redis_unreachable', 'infrastructure'],
    ['api_unreachable', 'infrastructure'],
    ['api_timeout', 'infrastructure'],
    ['api_unreadable', 'infrastructure'],
    ['audit_dlq_threshold', 'audit_pipeline'],
    ['consumer_unhealthy', 'audit_pipeline'],
    ['revocation_snapshot_stale', 'revocation'],
  ])('a readiness failure %s is on surface %s', (cause, surface) => {
    expect(diagnose(steps(result('readiness', 'fail', cause)), null)!.surface).toBe(surface);
  });

  it('request_not_found takes its surface from the step (audit pipeline or unknown)', () => {
    expect(diagnose(steps(result('request_trace', 'fail', 'request_not_found', { surface: 'audit_pipeline' })), 'no_audit_event')!.surface).toBe('audit_pipeline');
    expect(diagnose(steps(result('request_trace', 'fail', 'request_not_found', { surface: 'unknown', confidence: 'low' })), null)).toMatchObject({ surface: 'unknown', confidence: 'low' });
  });

  it('Gateway failures: authentication for 401s, revocation, resource definition, else the verifier', () => {
    const gw = (cause: string, symptom: Parameters<typeof diagnose>[1]) => diagnose(steps(result('gateway_verifier', 'fail', cause)), symptom)!.surface;
    expect(gw('invalid_token', 'unauthenticated')).toBe('authentication');
    expect(gw('revocation_reload_errors', 'access_after_revocation')).toBe('revocation');
    expect(gw('operation_not_permitted', 'resource_denied')).toBe('resource_definition');
    expect(gw('sts_unreachable', 'resource_denied')).toBe('resource_verifier');
  });

  it('confidence comes from the step, high by default', () => {
    expect(diagnose(steps(result('readiness', 'fail', 'redis_unreachable', { confidence: 'medium' })), null)!.confidence).toBe('medium');
    expect(diagnose(steps(result('configuration', 'fail', 'zone_not_found')), null)!.confidence).toBe('high');
    expect(diagnose(steps(result('configuration', 'fail', 'zone_not_found', { confidence: 'bogus' })), null)!.confidence).toBe('high');
  });

  it('ignores the order the results arrive in', () => {
    const shuffled = [...steps(result('grant_policy', 'fail', 'x'), result('configuration', 'fail', 'resource_not_found'))].reverse();
    expect(rootCauseStep(shuffled)?.id).toBe<StepId>('configuration');
  });
});

describe('symptom and surface of the report', () => {
  const traced = (trace: Record<string, unknown>) => steps(result('request_trace', 'pass', undefined, { trace }));

  it('infers token_exchange_denied from a deny at token exchange', () => {
    expect(inferSymptom(traced({ finalDecision: 'deny', deniedBy: { eventType: 'token_exchange' }, events: [] }))).toBe('token_exchange_denied');
  });

  it('the Gateway’s replay denial: inferred unauthenticated (it answers 401), diagnosed on the verifier surface whatever the symptom', () => {
    expect(inferSymptom(traced({ finalDecision: 'deny', deniedBy: { eventType: 'replay_detected', evaluationStatus: 'anomaly' }, events: [] }))).toBe('unauthenticated');
    for (const symptom of [null, 'unauthenticated', 'resource_denied'] as const) {
      expect(diagnose(steps(result('gateway_verifier', 'fail', 'replay_detected')), symptom)).toMatchObject({ step: 'gateway_verifier', surface: 'resource_verifier' });
    }
  });

  it('a Gateway denial is not a reason STS recorded', () => {
    const trace = result('request_trace', 'pass', undefined, { trace: { deniedBy: { eventType: 'replay_detected', evaluationStatus: 'anomaly' } } });
    expect(diagnose(steps(trace, result('configuration', 'fail', 'anomaly'), result('gateway_verifier', 'fail', 'replay_detected')), null)!.step).toBe('configuration');
  });

  it('infers resource_denied / unauthenticated from Gateway statuses', () => {
    expect(inferSymptom(traced({ finalDecision: 'allow', events: [{ gatewayStatus: 403 }] }))).toBe('resource_denied');
    expect(inferSymptom(traced({ finalDecision: 'allow', events: [{ gatewayStatus: 401 }] }))).toBe('unauthenticated');
    expect(inferSymptom(traced({ finalDecision: 'allow', events: [{ gatewayStatus: 200 }] }))).toBeNull();
    expect(inferSymptom(steps())).toBeNull();
  });

  it('the zone comes from the request-trace step, so results from an earlier process still locate it', () => {
    expect(zoneFromSteps(traced({ zoneId: 'zone-b', finalDecision: 'deny' }))).toBe('zone-b');
    expect(zoneFromSteps(steps())).toBeNull();
  });

  it('surface: the diagnosis’s, else the symptom’s, else null', () => {
    const d = diagnose(steps(result('configuration', 'fail', 'zone_not_found')), 'token_exchange_denied');
    expect(reportSurface(d, 'token_exchange_denied')).toBe('configuration');
    expect(reportSurface(null, 'access_after_revocation')).toBe('revocation');
    expect(reportSurface(null, null)).toBeNull();
  });
});
