/**
 * The remedy choice (src/act/fix/plan.ts), over reads given as data: which diagnoses a version
 * may end, the newest version Caracal's simulation allows, and a sentence for every "no remedy".
 */
import { planFix, type PlanReads, type SetView, type VersionView } from '../../src/act/fix/plan';
import type { Fetched } from '../../src/triage/evidence-model';

const ok = <T>(value: T): Fetched<T> => ({ ok: true, value });
const failed = (code: string, status?: number): Fetched<never> => ({ ok: false, error: { kind: 'api', code, ...(status ? { status } : {}), message: code } });

function reads(o: { sets: SetView[]; versions: Record<string, VersionView[]>; decide: (versionId: string) => Fetched<Record<string, unknown>> }): PlanReads & { simulated: string[] } {
  const simulated: string[] = [];
  return {
    simulated,
    deniedCall: async () => ok({ input: { subject: 'x' }, applicationId: 'app-1', application: 'Anton', resource: 'resource://payments', scopes: ['payments:write'] }),
    policySets: async () => ok(o.sets),
    versions: async (id) => ok(o.versions[id] ?? []),
    simulate: async (_set, versionId) => {
      simulated.push(versionId);
      return o.decide(versionId);
    },
  };
}

const allow = ok({ result: { decision: 'allow', determining_policies: ['caracal-anton-mint'] } });
const deny = (reason: string) => ok({ result: { decision: 'deny', diagnostics: [{ reason }] } });
const notExecuted = ok({ explanation: { evaluation: 'not_executed' }, result: null });
const target = (cause: string) => ({ requestId: 'req-1', zoneId: 'zone-1', diagnosis: { cause } });

const SET: SetView = { id: 'set-1', name: 'main', active_version_id: 'v2' };
const VERSIONS = { 'set-1': [
  { id: 'v1', version: 1, created_at: '2026-11-01T00:00:00Z' },
  { id: 'v2', version: 2, created_at: '2026-11-02T00:00:00Z' },
  { id: 'v3', version: 3, created_at: '2026-11-03T00:00:00Z' },
  { id: 'v4', version: 4, created_at: '2026-11-04T00:00:00Z' },
] };

test('the newest version the simulation allows wins; the active one is never proposed; newer denying versions are named', async () => {
  const r = reads({ sets: [SET], versions: VERSIONS, decide: (v) => (v === 'v4' ? deny('role_scope_mismatch') : allow) });
  const plan = await planFix(target('role_scope_mismatch'), r);
  expect(plan.remedy).toMatchObject({ kind: 'activate_policy_set_version', zoneId: 'zone-1', policySetId: 'set-1', fromVersionId: 'v2', fromVersion: 2, toVersionId: 'v3', toVersion: 3 });
  expect(plan.remedy?.allows).toEqual({ requestId: 'req-1', applicationId: 'app-1', application: 'Anton', resource: 'resource://payments', scopes: ['payments:write'], determiningPolicies: ['caracal-anton-mint'] });
  expect(r.simulated).toEqual(['v4', 'v3']);
  expect(plan.reason).toBe("v3 (`v3`) of policy set `main` is the newest version Caracal's policy simulation says allows the denied call (`caracal-anton-mint`) (newer v4 (`v4`) denies with `role_scope_mismatch`).");
});

test('with no active set, every version is a candidate and "from" is none', async () => {
  const plan = await planFix(target('no_active_policy_set'), reads({ sets: [{ ...SET, active_version_id: null }], versions: VERSIONS, decide: (v) => (v === 'v1' ? allow : deny('no_rule_matched')) }));
  expect(plan.remedy).toMatchObject({ fromVersionId: null, toVersionId: 'v1' });
});

test('no remedy, each said why: a cause no version ends, nothing failed, every version denies, STS cannot simulate, a token that may not simulate', async () => {
  const never = reads({ sets: [SET], versions: VERSIONS, decide: () => allow });
  expect(await planFix(target('scope_mismatch'), never)).toMatchObject({ remedy: null, reason: expect.stringContaining('The cause `scope_mismatch` is not one a policy-set version ends') });
  expect(await planFix({ requestId: 'r', zoneId: 'z', diagnosis: null }, never)).toMatchObject({ remedy: null, reason: 'Nothing failed, so there is nothing to fix.' });
  expect(never.simulated).toEqual([]);
  expect((await planFix(target('role_scope_mismatch'), reads({ sets: [SET], versions: VERSIONS, decide: () => deny('no_rule_matched') }))).reason).toBe(
    "Caracal's simulation denies the call with v4 (`v4`) (`no_rule_matched`), v3 (`v3`) (`no_rule_matched`), v1 (`v1`) (`no_rule_matched`); no version of the zone allows it.",
  );
  expect((await planFix(target('role_scope_mismatch'), reads({ sets: [SET], versions: VERSIONS, decide: () => notExecuted }))).reason).toBe(
    'Caracal could not simulate the call with 3 versions: STS did not evaluate it (`not_executed`); so no version is known to allow it.',
  );
  const readOnly = reads({ sets: [SET], versions: VERSIONS, decide: () => failed('admin_token_read_only', 403) });
  expect((await planFix(target('role_scope_mismatch'), readOnly)).reason).toContain("Caracal refused the policy simulation (`admin_token_read_only`): it needs a write token (CARACAL_FIX_TOKEN)");
  // A token that may not simulate is refused the same way for every version: asked once.
  expect(readOnly.simulated).toEqual(['v4']);
  const onlyActive = reads({ sets: [SET], versions: { 'set-1': [VERSIONS['set-1'][1]!] }, decide: () => allow });
  expect((await planFix(target('role_scope_mismatch'), onlyActive)).reason).toBe('Zone `zone-1` has no policy-set version other than the active one to activate.');
});
