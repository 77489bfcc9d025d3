/**
 * `caracal-triage fix <request-id> --plan` with two Caracal deployments: two simulators of role_scope_mismatch (both hold req-role-1) as `production` (listed
 * first) and `staging`, each with its own read and fix token files. `--deployment staging` plans
 * in staging only, simulating with staging's fix token; without it, a request held by both is
 * not planned in either (exit 2, saying where it was found and to name one); held by one, it is
 * planned where it is; an unknown name is exit 2 naming those that exist. No token is printed.
 *
 * One run stays on the built binary, the contract this file adds: a request held by two
 * deployments refused with exit 2, one stderr line and nothing on stdout. The others vary only
 * which deployment holds what through the exit codes test/cli/fix-plan.test.ts proves on the
 * binary, so they run `main` in this process (test/cli/io.ts) with the same assertions.
 */
import { startSimulator, type Simulator } from '../../sim';
import { assertFreshBuild, lines, removeWorkDirs, runBinary, workDir } from '../support/binary';
import { writeDeploymentsFile } from '../support/deployments-file';
import { runInProcess } from './io';

let staging: Simulator;
let production: Simulator;
let dir: string;

beforeAll(async () => {
  assertFreshBuild();
  [production, staging] = await Promise.all([startSimulator({ scenario: 'role_scope_mismatch' }), startSimulator({ scenario: 'role_scope_mismatch' })]);
  dir = workDir();
});
afterAll(async () => {
  await Promise.all([staging?.close(), production?.close()]);
  removeWorkDirs();
});
beforeEach(() => {
  staging.clearRequests();
  production.clearRequests();
});

function env(sims: Array<[string, Simulator]>): Record<string, string> {
  const f = writeDeploymentsFile(dir, sims.map(([name, sim]) => ({ name, sim, act: true })), `deployments-${Math.random().toString(36).slice(2)}.yaml`);
  return { CARACAL_DEPLOYMENTS_FILE: f, CARACAL_TIMEOUT_MS: '3000' };
}

const simulations = (sim: Simulator) => sim.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/simulate'));
const tokens = () => [staging, production].flatMap((s) => [s.tokens.globalRead, s.tokens.globalWrite]);

test('--deployment plans in that deployment only, with its own fix token', async () => {
  const both = env([['production', production], ['staging', staging]]);
  const r = await runInProcess(['fix', 'req-role-1', '--plan', '--deployment', 'staging', '--json'], both);
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout) as { deployment: string; remedy: { kind: string } | null };
  expect(out.deployment).toBe('staging');
  expect(out.remedy?.kind).toBe('activate_policy_set_version');
  // The simulations that ran (200) ran with staging's fix token; nothing staging got carried production's.
  const ran = simulations(staging).filter((q) => q.status === 200);
  expect(ran.length).toBeGreaterThan(0);
  expect(ran.every((q) => q.headers.authorization === `Bearer ${staging.tokens.globalWrite}`)).toBe(true);
  expect(staging.requests.filter((q) => [production.tokens.globalRead, production.tokens.globalWrite].some((t) => q.headers.authorization === `Bearer ${t}`))).toEqual([]);
  expect(production.requests).toEqual([]);
  for (const t of tokens()) expect(r.stdout + r.stderr).not.toContain(t);
});

test('without --deployment: held by both, it asks which (exit 2); held by one, it plans there and says so', async () => {
  const both = env([['production', production], ['staging', staging]]);
  const asked = await runBinary(['fix', 'req-role-1', '--plan'], both);
  expect(asked.code).toBe(2);
  expect(asked.stdout).toBe('');
  expect(lines(asked.stderr)).toEqual(['caracal-triage: Found in production and staging (searched production and staging). A fix is planned in one deployment: Name it with --deployment NAME (one of production, staging).']);
  expect(simulations(staging).concat(simulations(production))).toEqual([]);

  const eu = await startSimulator({ scenario: 'healthy_allow' });
  try {
    const one = await runInProcess(['fix', 'req-role-1', '--plan'], env([['eu', eu], ['staging', staging]]));
    expect(one.code).toBe(0);
    expect(lines(one.stdout)[0]).toBe('Found in staging (searched eu and staging).');
    expect(eu.requests.filter((q) => q.method === 'POST')).toEqual([]);
  } finally {
    await eu.close();
  }

  const unknown = await runInProcess(['fix', 'req-role-1', '--plan', '--deployment', 'qa'], both);
  expect(unknown.code).toBe(2);
  expect(lines(unknown.stderr)).toEqual(['caracal-triage: --deployment "qa": no such deployment; the deployments are production, staging']);
});
