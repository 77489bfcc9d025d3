/**
 * "What changed before the denial", as a user runs it, against the simulator's change scenarios. It names the change, the actor (the Console account for Console changes)
 * and the time when a change is the cause, blames no unrelated change, carries the ranked
 * changes in `--json` and the `recent_changes` bundle item, lists them under the diagnosis in
 * the terminal (actor names made inert), says `unavailable` when the admin audit cannot be
 * read, and refuses a bad TRIAGE_CHANGES_WINDOW at start-up.
 *
 * Two runs stay on the built binary: the terminal listing (human output with hostile actor
 * names, as a real pipe receives it) and one bad TRIAGE_CHANGES_WINDOW (refused at start-up:
 * exit 2, one stderr line, nothing asked of Caracal). The --json runs vary only the scenario
 * through the exit-1 --json contract test/cli/binary-triage.test.ts proves on the binary, and
 * the other bad windows only the value, so they run `main` in this process (test/cli/io.ts).
 */
import { getScenario, type Scenario } from '../../sim';
import { CONSOLE_ACCOUNT, HOSTILE_ACTOR } from '../../sim/scenarios-changes';
import { lines, runBinary } from '../support/binary';
import { useBinaryStack } from '../support/binary-stack';
import { runInProcess } from './io';

const stack = useBinaryStack();

interface Change {
  at: string;
  actor: string;
  action: string;
  entityType: string | null;
  entityId: string | null;
  requestId: string | null;
  relevance: string;
  summary: string;
}
interface Report {
  diagnosis: { step: string; cause: string; summary: string; change: Change | null } | null;
  changes: Change[];
  bundle: { items: Array<{ id: string; status: string; summary: string; evidence: Record<string, unknown> }> };
}

function argsFor(s: Scenario, extra: string[] = []): string[] {
  const args = ['triage', s.input.requestId, ...extra];
  if (s.input.symptom) args.push('--symptom', s.input.symptom);
  if (s.input.error) args.push('--error', s.input.error);
  return args;
}

async function triage(name: string, extra: string[] = [], env: Record<string, string> = {}, via: typeof runBinary | typeof runInProcess = runInProcess) {
  const s = getScenario(name);
  stack.sim.setScenario(s);
  const run = await via(argsFor(s, extra), stack.simEnv(env));
  return { run, s };
}

async function json(name: string, env: Record<string, string> = {}): Promise<Report> {
  const { run } = await triage(name, ['--json'], env);
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 1, stderr: '' });
  return JSON.parse(run.stdout) as Report;
}

const item = (r: Report) => r.bundle.items.find((i) => i.id === 'recent_changes')!;

describe('a change that caused the denial is named, with who, when and the admin-audit request', () => {
  it.each([
    [
      'scope_removed',
      'A change by Console account `acct_7Hq2LmN9vXc4` at 16:47 UTC, 3 min before this denial, edited the `scopes` of resource://payments, which do not include `payments:write` now (admin-audit request `req-admin-adm-scope-1`).',
    ],
    [
      'activation_denies',
      'A change by `release-bot` at 16:50 UTC, 10 min before this denial, activated policy set main; the row records that its `version_id` changed, and its active version now is `01a21de6-b3d3-75d7-8d1e-91040e6a826d`, the version STS decided this request with, which denied it (admin-audit request `req-admin-adm-act-2`).',
    ],
    [
      'provider_edited',
      'A change by `alice` at 16:53 UTC, 2 min before this denial, edited the `config_json.token_url` of the credential provider 01a21de6-cb2f-7618-ba50-41377cfc4183 of resource://payments (admin-audit request `req-admin-adm-prov-2`).',
    ],
  ])('%s', async (name, sentence) => {
    const report = await json(name);
    const want = getScenario(name).expect;
    expect(report.diagnosis).toMatchObject({ step: want.step, cause: want.cause });
    expect(report.diagnosis!.summary.endsWith(` ${sentence}`)).toBe(true);
    expect(report.diagnosis!.change).toMatchObject({ ...want.change, relevance: 'cause' });
    // diagnosis.change is one of changes[], and leads it.
    expect(report.changes[0]).toEqual(report.diagnosis!.change);
    expect(Object.keys(report.changes[0]!).sort()).toEqual(['action', 'actor', 'at', 'entityId', 'entityType', 'relevance', 'requestId', 'summary']);
    expect(item(report).status).toBe('ok');
  });

  it('the Console change names the signed-in account, never the shared console-write token', async () => {
    const report = await json('scope_removed');
    expect(report.diagnosis!.change!.actor).toBe(CONSOLE_ACCOUNT);
    expect(JSON.stringify(report.changes)).not.toContain('console-write');
  });

  it('failed requests (a refused edit, the bot’s own 404s) are not changes; another resource’s edit is zone-wide context', async () => {
    const report = await json('scope_removed');
    expect(report.changes.map((c) => [c.relevance, c.requestId])).toEqual([
      ['cause', 'req-admin-adm-scope-1'],
      ['zone', 'req-admin-adm-scope-3'],
    ]);
    expect(item(report).evidence).toMatchObject({ rowsRead: 4, failedRequests: 2 });
  });

  it('a grant revoked just before is context on the same resource, never the cause', async () => {
    const report = await json('provider_edited');
    const revoked = report.changes.find((c) => c.entityType === 'grants')!;
    expect(revoked).toMatchObject({ relevance: 'same_resource', actor: 'bob' });
    expect(revoked.summary).toMatch(/^`bob` revoked grant 01a21de6-cc87-75e6-b543-499009b05809 at 16:54 UTC, under a minute before the denial\.$/);
    expect(report.diagnosis!.change!.entityType).toBe('providers');
  });
});

describe('changes that did not cause it are not blamed', () => {
  it('a typo, with another resource’s scopes edited a minute before and this resource’s upstream earlier', async () => {
    const report = await json('unrelated_change');
    expect(report.diagnosis).toMatchObject({ step: 'requested_scopes', cause: 'scope_mismatch', change: null });
    expect(report.diagnosis!.summary).not.toMatch(/A change by/);
    expect(report.changes.map((c) => [c.relevance, c.entityType, c.actor])).toEqual([
      ['cause', 'resources', 'alice'],
      ['zone', 'zones', CONSOLE_ACCOUNT],
      ['zone', 'resources', HOSTILE_ACTOR],
    ]);
    // The edit made after the denial is outside the window.
    expect(report.changes.map((c) => c.requestId)).not.toContain('req-admin-adm-none-5');
    expect(item(report).summary).toMatch(/^3 changes in zone \S+ in the 24 h before the denial \(2026-11-26T16:51:40.000Z to 2026-11-27T16:51:40.000Z\)/);
  });

  it('the other scenarios name no change at all', async () => {
    const report = await json('grant_missing');
    expect(report.diagnosis!.change).toBeNull();
    expect(report.changes).toEqual([]);
    expect(item(report)).toMatchObject({ status: 'ok', summary: expect.stringMatching(/^No changes in zone \S+ in the 24 h before the denial/) });
  });
});

describe('the terminal', () => {
  it('lists the changes under the diagnosis, the cause marked, actor names made inert', async () => {
    const { run } = await triage('unrelated_change', [], {}, runBinary);
    expect(run.code).toBe(1);
    const out = lines(run.stdout);
    expect(out[2]).toBe('  Changed before this denial (3 ranked by relevance to it)');
    expect(out[3]).toBe('    · cause           `alice` edited the `upstream_url` of resource://payments at 16:46 UTC, 5 min before the denial. [req-admin-adm-none-1]');
    expect(run.stdout).not.toMatch(/[\u202E\u200B]/);
    expect(run.stdout).toContain('`<!channel> @here [U+202E]ecived-wen` edited the `scopes` of resource 01a21de6-cb89-71b9-8a9e-b23cef40ae8b');

    const named = await triage('scope_removed');
    expect(lines(named.run.stdout)[3]).toMatch(/^ {4}▶ cause {11}Console account `acct_7Hq2LmN9vXc4` edited the `operations` and `scopes` of resource:\/\/payments at 16:47 UTC, 3 min before the denial\. \[req-admin-adm-scope-1\]$/);
  });

  it('--json keeps the actor exactly, with the bidi override escaped', async () => {
    const { run } = await triage('unrelated_change', ['--json']);
    expect(run.stdout).not.toContain('\u202E');
    expect(run.stdout).toContain('<!channel> @here \\u202eecived-wen');
  });
});

describe('the window and its limits', () => {
  it('TRIAGE_CHANGES_WINDOW narrows the window: a 2 min window holds only the newest two', async () => {
    const report = await json('unrelated_change', { TRIAGE_CHANGES_WINDOW: '2m' });
    expect(report.changes.map((c) => c.requestId)).toEqual(['req-admin-adm-none-3', 'req-admin-adm-none-2']);
    expect(item(report).summary).toContain('in the 2 min before the denial');
  });

  it('a token that cannot read the admin audit: recent_changes unavailable with the reason; the triage goes on', async () => {
    stack.sim.setFault('api', /\/admin-audit$/, { status: 403, json: { error: 'admin_token_zone_mismatch' } });
    const report = await json('scope_removed');
    expect(item(report)).toMatchObject({ status: 'unavailable', evidence: { code: 'admin_token_zone_mismatch', status: 403 } });
    expect(item(report).summary).toMatch(/^The admin audit of zone \S+ could not be read, so changes before the denial are unknown: the admin token may not make this read/);
    expect(report.diagnosis).toMatchObject({ step: 'requested_scopes', cause: 'scope_mismatch', change: null });
    expect(report.changes).toEqual([]);
  });

  it('an older Caracal without the route: unavailable, naming the 404', async () => {
    stack.sim.setFault('api', /\/admin-audit$/, { status: 404, json: { message: 'Route GET:/v1/zones/x/admin-audit not found', error: 'Not Found', statusCode: 404 } });
    const report = await json('scope_removed');
    expect(item(report)).toMatchObject({ status: 'unavailable', evidence: { status: 404 } });
  });

  it.each([
    ['90', runBinary],
    ['1y', runInProcess],
    ['0m', runInProcess],
    ['31d', runInProcess],
  ])('TRIAGE_CHANGES_WINDOW=%s: one line naming it, exit 2, nothing asked of Caracal', async (value, via) => {
    stack.sim.setScenario('scope_removed');
    const run = await via(['triage', 'req-chg-scope-1'], stack.simEnv({ TRIAGE_CHANGES_WINDOW: value }));
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr).toMatch(/^caracal-triage: TRIAGE_CHANGES_WINDOW: must be (a duration such as 90m or 24h|from 1 min to 30 d)/);
    expect(stack.sim.requests).toHaveLength(0);
  });

  it('bundle --zone reads the window before now', async () => {
    stack.sim.setScenario('scope_removed');
    const run = await runInProcess(['bundle', '--zone', stack.sim.zoneIds[1]!, '--json'], stack.simEnv());
    const recent = (JSON.parse(run.stdout) as { items: Report['bundle']['items'] }).items.find((i) => i.id === 'recent_changes')!;
    // The scenario's rows are from its fixed day, long before now.
    expect(recent).toMatchObject({ status: 'ok', evidence: { window: { anchor: 'now' }, changes: [] } });
    expect(recent.summary).toMatch(/^No changes in zone \S+ in the 24 h before now/);
  });
});
