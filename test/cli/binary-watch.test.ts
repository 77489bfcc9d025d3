/**
 * `caracal-triage watch --once`, against the simulator serving denied
 * rows as Caracal writes them (a causal row and the `exchange_denied` companion per denied
 * exchange, the Gateway's replay row): every exit code, the `--json` contract, each request
 * counted once, the baseline, `replay_detected` at its first event, and thresholds from the
 * routes file.
 *
 * The built binary, in its own process, runs once per exit code: 1 with the --json contract, 0
 * with the human listing, 2 with one stderr line when Caracal cannot be reached. The other runs
 * vary only the thresholds, the zones or the reason it cannot run, through those contracts, so
 * they run `main` in this process (test/cli/io.ts) with the same assertions.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { denialRows, simulatorEnv, startSimulator, watchScenario, watchZoneId, type AuditRowData, type DenialSpec, type Simulator } from '../../sim';
import { assertFreshBuild, closedPort, removeWorkDirs, runBinary, workDir } from '../support/binary';
import { runInProcess } from './io';

const Z0 = watchZoneId(0);
const Z1 = watchZoneId(1);
const now = Date.now();
const MIN = 60_000;

const burst: Omit<DenialSpec, 'requestId' | 'occurredAt'> = { zoneId: Z0, applicationId: 'app-anton', applicationName: 'Anton', resource: 'resource://payments', reason: 'role_scope_mismatch', kind: 'policy' };
const few: Omit<DenialSpec, 'requestId' | 'occurredAt'> = { zoneId: Z1, applicationId: 'app-berta', resource: 'resource://ledger', reason: 'scope_mismatch', kind: 'pre_policy' };
const usual: Omit<DenialSpec, 'requestId' | 'occurredAt'> = { zoneId: Z1, applicationId: 'app-carl', resource: 'resource://crm', reason: 'resource_not_granted', kind: 'policy' };

function rows(): AuditRowData[] {
  const out: AuditRowData[] = [];
  // 8 denied requests in two minutes: over 5 in 5 min, no history.
  for (let i = 0; i < 8; i++) out.push(...denialRows({ ...burst, requestId: `req-burst-${i}`, occurredAt: now - 3 * MIN + i * 15_000 }));
  // 3 denied requests: under 5.
  for (let i = 0; i < 3; i++) out.push(...denialRows({ ...few, requestId: `req-few-${i}`, occurredAt: now - 5 * MIN + i * MIN }));
  // A pattern with a steady day behind it: 2016 denials over the 24 h before (7 per 5 min),
  // then 8 in the last 5 min: at least 5, but not above 3 × its own rate (21).
  for (let i = 0; i < 2016; i++) out.push(...denialRows({ ...usual, requestId: `req-usual-old-${i}`, occurredAt: now - 6 * MIN - i * 42_850 }));
  for (let i = 0; i < 8; i++) out.push(...denialRows({ ...usual, requestId: `req-usual-${i}`, occurredAt: now - 4 * MIN + i * 20_000 }));
  // One replayed mandate, refused by the Gateway.
  out.push(...denialRows({ zoneId: Z1, applicationId: 'app-dora', resource: 'resource://mail', reason: 'replay_detected', kind: 'replay', requestId: 'req-replay-1', occurredAt: now - 2 * MIN }));
  return out;
}

let sim: Simulator;
beforeAll(async () => {
  assertFreshBuild();
  sim = await startSimulator({ scenario: watchScenario(2) });
  sim.streamAudit(rows());
});
afterAll(async () => {
  await sim.close();
  removeWorkDirs();
});

const env = (over: Record<string, string> = {}) => simulatorEnv(sim, { CARACAL_TIMEOUT_MS: '3000', ...over });

interface JsonPattern {
  zoneId: string;
  applicationId: string | null;
  resource: string | null;
  reason: string;
  count: number;
  firstAt: string;
  lastAt: string;
  requestIds: string[];
  overThreshold: boolean;
}

describe('caracal-triage watch --once', () => {
  test('--json: every pattern of the range, each denied request once, and exit 1 when one crossed', async () => {
    const run = await runBinary(['watch', '--once', '--since', '15m', '--json'], env());
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    const out = JSON.parse(run.stdout) as { since: string; until: string; patterns: JsonPattern[] };
    expect(Object.keys(out).sort()).toEqual(['patterns', 'since', 'until']);
    expect(Date.parse(out.until) - Date.parse(out.since)).toBe(15 * MIN);
    const by = new Map(out.patterns.map((p) => [p.reason, p]));
    expect(Object.keys(out.patterns[0]!).sort()).toEqual(['applicationId', 'count', 'firstAt', 'lastAt', 'overThreshold', 'reason', 'requestIds', 'resource', 'zoneId']);
    // The companion rows (exchange_denied) do not count: 8 requests, 16 denied rows.
    expect(by.get('role_scope_mismatch')).toMatchObject({ zoneId: Z0, applicationId: 'app-anton', resource: 'resource://payments', count: 8, overThreshold: true, requestIds: ['req-burst-7', 'req-burst-6', 'req-burst-5', 'req-burst-4', 'req-burst-3'] });
    expect(by.get('scope_mismatch')).toMatchObject({ count: 3, overThreshold: false });
    // Below its own baseline: nothing opens (8 new and 13 of its steady ones in the range).
    expect(by.get('resource_not_granted')).toMatchObject({ applicationId: 'app-carl', count: 21, overThreshold: false });
    // The Gateway's replay names the application as client_id and crosses at its first event.
    expect(by.get('replay_detected')).toMatchObject({ applicationId: 'app-dora', resource: 'resource://mail', count: 1, overThreshold: true, requestIds: ['req-replay-1'] });
    expect(out.patterns.filter((p) => p.overThreshold).map((p) => p.reason).sort()).toEqual(['replay_detected', 'role_scope_mismatch']);
  });

  test('exit 0 when no pattern crossed, with each pattern printed and what it needed', async () => {
    // Three independent reads: the binary's start overlaps the two in-process ones.
    const [run, quiet, below] = await Promise.all([
      runInProcess(['watch', '--once'], env({ CARACAL_ZONE_IDS: Z1, WATCH_MIN_DENIALS: '9' })),
      runBinary(['watch', '--once', '--since', '1m'], env({ CARACAL_ZONE_IDS: Z1 })),
      runInProcess(['watch', '--once', '--since', '15m'], env({ CARACAL_ZONE_IDS: Z0, WATCH_MIN_DENIALS: '9' })),
    ]);
    // The replay still crosses at its first event, whatever WATCH_MIN_DENIALS says…
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/✖ crossed +replay_detected · app app-dora · resource:\/\/mail/);
    // …so look at a zone without one: a window before the replay.
    expect(quiet.stderr).toBe('');
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toMatch(/No denials in that time\.\n\nNo pattern crossed its thresholds\./);
    expect(below.code).toBe(0);
    expect(below.stdout).toMatch(/✔ below +role_scope_mismatch · app Anton \(app-anton\) · resource:\/\/payments/);
    expect(below.stdout).toMatch(/8 denied requests .*most in 5 min: 8 at .*, needed 9 \(0 in the 24 h before\)/);
    expect(below.stdout).toMatch(/latest requests: req-burst-7, req-burst-6/);
  });

  test("the routes file's thresholds override the defaults for the patterns they match", async () => {
    const file = join(workDir(), 'routes.yaml');
    writeFileSync(file, 'routes: []\nthresholds:\n  - name: ledger\n    match: { reason: scope_mismatch }\n    min_denials: 3\n');
    const run = await runInProcess(['watch', '--once', '--json'], env({ CARACAL_ZONE_IDS: Z1, TRIAGE_ROUTES_FILE: file }));
    const by = new Map((JSON.parse(run.stdout).patterns as JsonPattern[]).map((p) => [p.reason, p]));
    expect(by.get('scope_mismatch')?.overThreshold).toBe(true);
    expect(by.get('resource_not_granted')?.overThreshold).toBe(false);
  });

  test.each([
    ['Caracal unreachable', runBinary, async () => ['watch', '--once'], async () => ({ CARACAL_API_URL: `http://127.0.0.1:${await closedPort()}`, CARACAL_ADMIN_TOKEN: 'cat_x', CARACAL_TIMEOUT_MS: '500' }), /^caracal-triage: could not read the zones \(GET \/v1\/zones\): .*ECONNREFUSED.*is CARACAL_API_URL right/],
    ['a token Caracal refuses', runInProcess, async () => ['watch', '--once', '--json'], async () => env({ CARACAL_ADMIN_TOKEN: 'cat_not-a-token' }), /^caracal-triage: could not read the zones \(GET \/v1\/zones\): .*401 invalid_admin_token/],
    ['no --once', runInProcess, async () => ['watch'], async () => env(), /^caracal-triage: watch: give --once/],
    ['a bad --since', runInProcess, async () => ['watch', '--once', '--since', '15'], async () => env(), /^caracal-triage: --since "15": give a duration from 1s to 7d/],
    ['a bad setting', runInProcess, async () => ['watch', '--once'], async () => env({ WATCH_BASELINE_FACTOR: 'lots' }), /^caracal-triage: WATCH_BASELINE_FACTOR: must be a number from 0 to 1000/],
  ])('exit 2 when it cannot run: %s', async (_what, via, args, environment, message) => {
    const run = await via(await args(), await environment());
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
  });
});
