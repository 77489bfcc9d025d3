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

  describe("advice keyed on the reasons Caracal's STS policy writes", () => {
    const withReason = (reason: string) => judge({ location: denied({ decision: 'deny', status: 'complete', scopes: ['payments:read'], diagnostics: [{ reason }] }) });

    it('resource_not_granted: bind the application to the resource in the policy data and activate (fails on the old code, which advised granting the scope)', () => {
      const r = withReason('resource_not_granted');
      expect(r).toMatchObject({ verdict: 'fail', cause: 'resource_not_granted' });
      expect(r.summary).toContain("The policy's data does not bind Anton to resource://payments; bind the application to the resource");
      expect(r.summary).toContain('activate that version');
      expect(r.summary).not.toMatch(/Grant the scope/);
    });

    it('role_scope_mismatch: add the scope to the role', () => {
      expect(withReason('role_scope_mismatch').summary).toMatch(/add the scope to that role in the policy set and activate it/);
    });

    it('no_rule_matched: add a rule that covers the exchange (fails on the old code)', () => {
      const r = withReason('no_rule_matched');
      expect(r.cause).toBe('no_rule_matched');
      expect(r.summary).toContain('No rule of the policy matched this exchange of Anton on resource://payments; add a rule that covers it');
    });

    it('a reason the bot does not know is quoted, with no invented fix (fails on the old code: "Grant the scope or change the policy")', () => {
      const r = withReason('tenant_quota_exceeded');
      expect(r.cause).toBe('tenant_quota_exceeded');
      expect(r.summary).toContain('This bot does not know what `tenant_quota_exceeded` asks for');
      expect(r.summary).not.toMatch(/Grant the scope|add a rule|bind the application/);
    });

    it('reasons STS never writes get no fix of their own', () => {
      expect(withReason('default_deny').summary).toContain('does not know what `default_deny` asks for');
    });
  });
});
