/**
 * `caracal-triage fix <request-id> --plan [--json]` as a user runs it, against the simulator. It prints the remedy without applying anything (exit 0), says why there is
 * none (exit 1: a cause no version ends, nothing failed, no simulation possible), and exits 2
 * when it cannot run; `--json` is the documented contract.
 *
 * The built binary, in its own process, runs once per exit code of `fix`: 0 with the remedy in
 * words, 1 with the reason there is none, 2 with one stderr line (no --plan). The other runs vary
 * only the scenario, the format or the reason through those contracts, so they run `main` in this
 * process (test/cli/io.ts) with the same assertions.
 */
import { NEW_POLICY_VERSION_ID, POLICY_SET_ID, POLICY_VERSION_ID, ZONE_B } from '../../sim/world';
import { runBinary } from '../support/binary';
import { useBinaryStack } from '../support/binary-stack';
import { runInProcess } from './io';

const stack = useBinaryStack();

interface FixJson {
  requestId: string;
  diagnosis: { cause: string; step: string } | null;
  remedy: { kind: string; zoneId: string; policySetId: string; fromVersionId: string | null; toVersionId: string; allows: Record<string, unknown> } | null;
  deployment: string;
  reason: string;
}

const withFixToken = () => stack.simEnv({ CARACAL_FIX_TOKEN: stack.sim.tokens.globalWrite });

test('a remedy: exit 0, the exact change in words, and nothing activated', async () => {
  stack.sim.setScenario('role_scope_mismatch');
  const r = await runBinary(['fix', 'req-role-1', '--plan'], withFixToken());
  expect(r.code).toBe(0);
  expect(r.stdout).toContain(`Remedy: activate policy-set version v3 (${NEW_POLICY_VERSION_ID}) of main in zone ${ZONE_B}.`);
  expect(r.stdout).toContain(`Active now: v2 (${POLICY_VERSION_ID}).`);
  expect(r.stdout).toContain('It allows: Anton on resource://payments with payments:write (request req-role-1).');
  expect(r.stdout).toContain('Nothing was changed.');
  expect(stack.sim.acts.calls).toEqual([]);
  expect(stack.sim.requests.filter((q) => q.method === 'POST').every((q) => q.path.endsWith('/simulate'))).toBe(true);
  // The simulation ran with the fix token, never with the read token.
  expect(stack.sim.requests.filter((q) => q.path.endsWith('/simulate') && q.status === 200).every((q) => q.headers.authorization === `Bearer ${stack.sim.tokens.globalWrite}`)).toBe(true);
});

test('--json is {requestId, diagnosis, remedy, reason, deployment}', async () => {
  stack.sim.setScenario('no_active_policy_set');
  const r = await runInProcess(['fix', 'req-nops-1', '--plan', '--json'], withFixToken());
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout) as FixJson;
  expect(Object.keys(out)).toEqual(['requestId', 'diagnosis', 'remedy', 'reason', 'deployment']);
  expect(out.deployment).toBe('default');
  expect(out.diagnosis).toMatchObject({ cause: 'no_active_policy_set', step: 'policy_set_activation' });
  expect(out.remedy).toEqual({
    kind: 'activate_policy_set_version',
    zoneId: ZONE_B,
    policySetId: POLICY_SET_ID,
    fromVersionId: null,
    toVersionId: POLICY_VERSION_ID,
    allows: { requestId: 'req-nops-1', applicationId: expect.any(String), application: 'Anton', resource: 'resource://payments', scopes: ['payments:read'], determiningPolicies: ['caracal-anton-mint'] },
  });
  expect(out.reason).toContain('is the newest version');
});

test('no remedy is exit 1 with the reason: a cause no version ends, nothing failed, a read token that cannot simulate', async () => {
  stack.sim.setScenario('scope_mismatch');
  const scope = await runInProcess(['fix', 'req-scope-1', '--plan', '--json'], withFixToken());
  expect(scope.code).toBe(1);
  expect(JSON.parse(scope.stdout)).toMatchObject({ remedy: null, reason: expect.stringContaining('The cause `scope_mismatch` is not one a policy-set version ends') });
  stack.sim.setScenario('healthy_allow');
  const healthy = await runInProcess(['fix', 'req-allow-1', '--plan', '--json'], withFixToken());
  expect(healthy.code).toBe(1);
  expect(JSON.parse(healthy.stdout)).toMatchObject({ diagnosis: null, remedy: null, reason: 'Nothing failed, so there is nothing to fix.' });
  stack.sim.setScenario('role_scope_mismatch');
  const readOnly = await runBinary(['fix', 'req-role-1', '--plan'], stack.simEnv());
  expect(readOnly.code).toBe(1);
  expect(readOnly.stdout).toContain('No remedy: Caracal refused the policy simulation (`admin_token_read_only`): it needs a write token (CARACAL_FIX_TOKEN)');
});

test('it could not run: exit 2 with one line (no --plan, no request ID, a bad setting)', async () => {
  const noPlan = await runBinary(['fix', 'req-role-1'], withFixToken());
  expect(noPlan.code).toBe(2);
  expect(noPlan.stderr).toMatch(/^caracal-triage: fix: give --plan/);
  expect((await runInProcess(['fix', '--plan'], withFixToken())).code).toBe(2);
  const bad = await runInProcess(['fix', 'req-role-1', '--plan'], { ...withFixToken(), CARACAL_FIX_TOKEN_FILE: '/nonexistent/fix-token', CARACAL_FIX_TOKEN: '' });
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('caracal-triage: CARACAL_FIX_TOKEN_FILE: cannot be read (ENOENT');
});
