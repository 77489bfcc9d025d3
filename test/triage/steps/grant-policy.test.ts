import { grantPolicyStep } from '../../../src/triage/steps/grant-policy';
import type { EvidenceFor } from '../../../src/triage/evidence-model';
import { RESOURCE, activeSet, ctx, exchangeDeniedRow, failed, grant, located, ok, stsRow, traceOf } from '../support/builders';

type E = EvidenceFor<'location' | 'resources' | 'grants' | 'policySets'>;
const denied = (over: Parameters<typeof stsRow>[0]) => located(traceOf(stsRow(over), exchangeDeniedRow()));
const base = (over: Partial<E> = {}): E => ({
  location: denied({ decision: 'deny', status: 'complete', scopes: ['payments:write'] }),
  resources: ok([RESOURCE]),
  grants: ok([grant()]),
  policySets: ok([activeSet]),
  ...over,
});
const judge = (over: Partial<E> = {}) => grantPolicyStep.judge(base(over), ctx());

describe('grant_policy step', () => {
  it('passes when STS allowed the exchange', () => {
    expect(judge({ location: located(traceOf(stsRow({ decision: 'allow', status: 'complete' }))) }).verdict).toBe('pass');
  });

  it('takes the cause from the policy diagnostics, in the {code,message} shape', () => {
    const r = judge({ location: denied({ decision: 'deny', status: 'complete', shape: 'fixture', scopes: ['payments:write'], diagnostics: [{ code: 'scope_not_granted', message: 'payments:write not granted' }] }) });
    expect(r).toMatchObject({ verdict: 'fail', cause: 'scope_not_granted' });
    expect(r.summary).toContain('payments:write not granted');
  });

  it('and in the {reason} shape, with the fix for that diagnostic', () => {
    const r = judge({ location: denied({ decision: 'deny', status: 'complete', diagnostics: [{ reason: 'role_scope_mismatch' }] }) });
    expect(r.cause).toBe('role_scope_mismatch');
    expect(r.summary).toMatch(/add the scope to that role in the policy set/);
  });

  it.each(['approval_expired', 'approval_rejected', 'approval_invalid', 'approval_already_consumed'])('an approval denial %s fails with a fix for it, even with no resource on the row', (status) => {
    // STS writes approval denials with the application fields only: no resource, no scopes.
    const row = stsRow({ decision: 'deny', status, prePolicy: true });
    delete (row.metadata_json as Record<string, unknown>).resource;
    const r = judge({ location: located(traceOf(row)) });
    expect(r).toMatchObject({ verdict: 'fail', cause: status });
    expect(r.summary).toMatch(/approval/);
    expect(r.summary).not.toMatch(/approval (expired|rejected|invalid|already consumed)\.$/); // a fix, not the status reworded
  });

  it('does not judge grants when STS could not evaluate the policy at all', () => {
    const r = judge({ location: denied({ decision: 'deny', status: 'policy_eval_failed', prePolicy: true }), grants: ok([]) });
    expect(r).toMatchObject({ verdict: 'unknown', cause: 'policy_not_evaluated' });
  });

  it('ignores revoked grants and fails when no active grant binds app and resource', () => {
    const r = judge({ grants: ok([grant({ status: 'revoked' })]) });
    expect(r).toMatchObject({ verdict: 'fail', cause: 'no_active_grant' });
    expect(r.summary).toMatch(/1 revoked grant/);
  });

  it('a revoked grant with the scope does not cover it; the active one without it fails', () => {
    const r = judge({ grants: ok([grant({ scopes: ['payments:read'] }), grant({ status: 'revoked' })]) });
    expect(r).toMatchObject({ verdict: 'fail', cause: 'scope_not_granted' });
    expect(r.evidence.missingScopes).toEqual(['payments:write']);
  });

  it('several active grants together can cover the scopes', () => {
    const r = judge({
      location: denied({ decision: 'deny', status: 'complete', scopes: ['payments:read', 'payments:write'], diagnostics: [{ reason: 'no_active_policy_set' }], manifestSha: 'no_active_policy_set' }),
      grants: ok([grant({ scopes: ['payments:read'] }), grant({ scopes: ['payments:write'] })]),
    });
    expect(r.verdict).toBe('pass');
  });

  it('leaves no_active_policy_set to the activation step', () => {
    const r = judge({ location: denied({ decision: 'deny', status: 'complete', diagnostics: [{ reason: 'no_active_policy_set' }], manifestSha: 'no_active_policy_set' }) });
    expect(r.verdict).toBe('pass');
  });

  it('a policy deny without diagnostics while grants cover is policy_denied', () => {
    expect(judge().cause).toBe('policy_denied');
  });

  it('names pre-policy denials it owns, e.g. the STS mint limit', () => {
    const r = judge({ location: denied({ decision: 'deny', status: 'rate_limited', prePolicy: true }) });
    expect(r).toMatchObject({ verdict: 'fail', cause: 'rate_limited' });
    expect(r.summary).toMatch(/mint limit/);
  });

  it('a scope the resource does not define fails the grant check too (the diagnosis points past it)', () => {
    const r = judge({ location: denied({ decision: 'deny', status: 'scope_mismatch', prePolicy: true, scopes: ['payments:wirte'] }) });
    expect(r).toMatchObject({ verdict: 'fail', cause: 'scope_not_granted' });
  });

  it('is unknown when the resource is not registered or grants cannot be read', () => {
    expect(judge({ resources: ok([]) }).verdict).toBe('unknown');
    expect(judge({ grants: failed('admin_token_zone_mismatch', 403) })).toMatchObject({ verdict: 'unknown', cause: 'admin_token_zone_mismatch' });
    expect(judge({ location: located(null) }).verdict).toBe('unknown');
  });

  it('a policy deny evaluated with another version than the active one points at the activation, not at the policy text', () => {
    const r = judge({ location: denied({ decision: 'deny', status: 'complete', diagnostics: [{ reason: 'role_scope_mismatch' }], versionId: 'psv-1' }) });
    expect(r).toMatchObject({ verdict: 'fail', cause: 'role_scope_mismatch', evidence: { evaluatedVersion: 'psv-1', activeVersion: 'psv-2', confidence: 'medium' } });
    expect(r.summary).toContain('see policy-set activation');
    expect(r.summary).not.toContain('add the scope to that role');
  });
});
