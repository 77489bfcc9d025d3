/**
 * Finding a triage from the terminal: `list` and
 * `show` read the bot's store (REDIS_URL; without it one line and exit 2), `show --markdown` is
 * the postmortem export, human output gives times in the machine's zone (`TZ` honoured) while
 * `--json` keeps ISO 8601 UTC, and `zones` lists the zones by name, slug and ID. The triages are
 * started through the TriageService with the binary's own key prefix, in channels no other test
 * uses, and removed afterwards.
 *
 * The built binary, in its own process, runs where a process is the point or the contract is
 * this file's own: the store commands refusing to run without REDIS_URL (exit 2, one line);
 * human `list` and `show` in the zone the process's `TZ` sets (only a process of its own can
 * have another zone); `show` of a missing triage (exit 1 and a line); `zones` when Caracal is
 * down (exit 1 and a line). The rest vary only the data through those contracts (and the --json
 * and bad-input contracts the other binary files prove), so they run `main` in this process
 * (test/cli/io.ts) with the same assertions.
 */
import { openService } from '../support/halves';
import { lines, runBinary } from '../support/binary';
import { useBinaryStack } from '../support/binary-stack';
import { runInProcess } from './io';
import type { RedisTriageService } from '../../src/service/triage-service';
import { DEFAULT_PREFIX } from '../../src/store/keys';

const stack = useBinaryStack();
const KEY = 'binary-find-signing-key-0123456789abcdef';
const REDIS_URL = process.env.REDIS_URL!;
const CHANNEL = `C0BINF${Date.now().toString(36).toUpperCase()}`;

let service: RedisTriageService;
const created: string[] = [];

async function start(requestId: string, actorName: string): Promise<string> {
  const r = await service.start({
    input: { requestId, zoneId: null, symptom: null, error: null },
    destination: { platform: 'slack', channel: CHANNEL },
    actor: { kind: 'user', id: 'U0TERM001', name: actorName },
    dedupeKey: `binary-find-${requestId}-${Date.now()}`,
    source: 'slack_command',
  });
  created.push(r.triageId);
  await new Promise((res) => setTimeout(res, 3));
  return r.triageId;
}

let open: string;
let resolved: string;

beforeAll(async () => {
  service = await openService({ redisUrl: REDIS_URL, signingKey: KEY, prefix: DEFAULT_PREFIX });
  resolved = await start('req-term-1', 'ada');
  const finish = (id: string, zoneId: string) =>
    service.store.apply(id, {
      type: 'collection_finished',
      zoneId,
      symptom: 'token_exchange_denied',
      surface: 'resource_definition',
      diagnosis: { surface: 'resource_definition', step: 'requested_scopes', cause: 'scope_mismatch', summary: `Scope \`payments:wirte\` is not defined in zone ${zoneId}.`, confidence: 'high' },
      bundle: { items: [], redactions: 0 },
      names: { zones: { [zoneId]: 'Payments EU' }, applications: {}, resources: {}, policySets: {} },
    });
  expect((await finish(resolved, '01a21de5-aaaa-4000-8000-000000000001')).ok).toBe(true);
  expect((await service.apply(resolved, { type: 'resolve', actor: { kind: 'user', id: 'U0BOB0001', name: 'bob' } }, 'slack_button')).ok).toBe(true);
  open = await start('req-term-2', '\u001b]0;owned\u0007mallory');
  expect((await finish(open, '01a21de5-aaaa-4000-8000-000000000001')).ok).toBe(true);
});

afterAll(async () => {
  const r = service.store.redis;
  const keys = service.store.keys;
  for (const id of created) await r.del(keys.triage(id));
  await r.zrem(keys.recent(), ...created);
  await r.zrem(keys.active(), ...created);
  await r.del(keys.place(`slack:${CHANNEL}`), keys.actor('U0TERM001'));
  await service.close();
});

const env = (over: Record<string, string> = {}) => ({ REDIS_URL, TRIAGE_SIGNING_KEY: KEY, ...over });

describe('list and show need the store', () => {
  it.each([
    [['list'], runBinary],
    [['show', 'tri-0000000000000000000000000a'], runInProcess],
  ])('%j without REDIS_URL: one line, exit 2', async (args, via) => {
    const run = await via(args, {});
    expect(run.code).toBe(2);
    expect(lines(run.stderr)).toEqual(['caracal-triage: REDIS_URL: is required but not set (e.g. redis://127.0.0.1:6379)']);
    expect(run.stdout).toBe('');
  });
});

describe('caracal-triage list', () => {
  it('--channel --json: the channel\'s triages, newest first, in the documented shape, times in UTC', async () => {
    const run = await runInProcess(['list', '--channel', `slack:${CHANNEL}`, '--json'], env());
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as { triages: Array<Record<string, unknown>>; more: boolean };
    expect(out.more).toBe(false);
    expect(out.triages.map((t) => t.id)).toEqual([open, resolved]);
    expect(Object.keys(out.triages[0]!).sort()).toEqual(['card', 'cause', 'createdAt', 'id', 'links', 'needsYou', 'place', 'requestId', 'source', 'startedBy', 'state', 'status', 'surface', 'symptom', 'updatedAt', 'zoneId', 'zoneName'].sort());
    expect(out.triages[1]).toMatchObject({ state: 'resolved', status: 'Resolved by bob', needsYou: false, zoneName: 'Payments EU', place: `slack:${CHANNEL}`, cause: 'scope_mismatch', card: { posted: false, link: null } });
    expect(out.triages[0]).toMatchObject({ state: 'routed', status: 'Needs you: step 6 of 8 (Requested scopes)', needsYou: true });
    expect(String(out.triages[0]!.createdAt)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('--open leaves the resolved one out; human output in the machine\'s zone, outside text inert', async () => {
    const run = await runBinary(['list', '--open', '--channel', `slack:${CHANNEL}`], env({ TZ: 'Asia/Kolkata' }));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(open);
    expect(run.stdout).not.toContain(resolved);
    expect(run.stdout).toContain('Needs you: step 6 of 8 (Requested scopes)');
    expect(run.stdout).toContain('zone Payments EU');
    expect(run.stdout).toMatch(/started \d{4}-\d\d-\d\d \d\d:\d\d \(UTC\+05:30\)/);
    expect(run.stdout).not.toContain('\u001b');
    expect(run.stdout).toContain('by mallory');
  });

  it('a bad --channel or --limit is one line, exit 2', async () => {
    const bad = await runInProcess(['list', '--channel', 'irc:#ops'], env());
    expect(bad.code).toBe(2);
    expect(lines(bad.stderr)).toHaveLength(1);
    expect(bad.stderr).toMatch(/^caracal-triage: --channel: "irc:#ops" is not a channel/);
    expect((await runInProcess(['list', '--limit', '0'], env())).code).toBe(2);
  });
});

describe('caracal-triage show', () => {
  it('shows where it stands, the diagnosis with names, the runbook, steps and history, in local time', async () => {
    const run = await runBinary(['show', resolved], env({ TZ: 'America/New_York' }));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`${resolved}  Resolved by bob`);
    expect(run.stdout).toContain('✖ Failing surface: resource_definition');
    expect(run.stdout).toContain('Scope `payments:wirte` is not defined in zone Payments EU.');
    expect(run.stdout).toContain('Runbook: docs/runbooks.md#scope_mismatch');
    expect(run.stdout).toMatch(/\(UTC-0[45]:00\)/);
    expect(run.stdout).toMatch(/bob: resolve/);
  });

  it('--json: the summary and the triage in full, IDs kept', async () => {
    const run = await runInProcess(['show', resolved, '--json'], env());
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({ id: resolved, zoneId: '01a21de5-aaaa-4000-8000-000000000001', zoneName: 'Payments EU', diagnosis: { cause: 'scope_mismatch' }, names: { zones: { '01a21de5-aaaa-4000-8000-000000000001': 'Payments EU' } } });
    expect(out.history.map((h: { action: string }) => h.action)).toEqual(['started', 'resolve']);
  });

  it('--markdown: the postmortem, with the audit chain checked', async () => {
    const run = await runInProcess(['show', resolved, '--markdown'], env());
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^# Caracal triage `tri-/);
    expect(run.stdout).toContain('## Timeline');
    expect(run.stdout).toMatch(/\| ada \| started: triage req-term-1 \(from slack\\_command\) \|/);
    expect(run.stdout).toMatch(/\| bob \| resolved the triage \|/);
    // The chain holds whatever else the shared log has, unless another test broke it on purpose.
    expect(run.stdout).toMatch(/The audit chain (verifies|does NOT verify)/);
  });

  it('a triage that does not exist: exit 1 and a line; a malformed ID: exit 2', async () => {
    const none = await runBinary(['show', 'tri-0000000000000000000000000a'], env());
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^caracal-triage: no triage tri-0000000000000000000000000a/);
    expect((await runInProcess(['show', 'req-1'], env())).code).toBe(2);
  });
});

describe('caracal-triage triage, with names and links', () => {
  it('names the zone, and links the runbook and the Console when CARACAL_CONSOLE_URL is set', async () => {
    stack.sim.setScenario('scope_mismatch');
    const run = await runInProcess(['triage', 'req-scope-1'], stack.simEnv({ CARACAL_CONSOLE_URL: 'https://console.example.com/acme/platform/' }));
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/zone Triage Demo \(01a21de[0-9a-f-]+\)/);
    expect(run.stdout).toContain('  Runbook: docs/runbooks.md#scope_mismatch');
    expect(run.stdout).toMatch(/  Console: request trace https:\/\/console\.example\.com\/acme\/platform\/01a21de[0-9a-f-]+\/app\/audit\?request=req-scope-1 · policy set https:\/\/console\.example\.com\/acme\/platform\/[^ ]+\/app\/policies\?tab=sets&focus=[^ ]+ · resource https:\/\/console\.example\.com\/acme\/platform\/[^ ]+\/app\/resources\?focus=[^ ]+ · approvals https:\/\/console\.example\.com\/acme\/platform\/[^ ]+\/app\/approvals/);
    // --json keeps the IDs and gains the names beside them.
    const json = JSON.parse((await runInProcess(['triage', 'req-scope-1', '--json'], stack.simEnv())).stdout);
    expect(json.names.zones[json.zoneId]).toBe('Triage Demo');
  });
});

describe('caracal-triage zones', () => {
  it('--json lists every zone the token sees with its name and slug', async () => {
    stack.sim.setScenario('healthy_allow');
    const run = await runInProcess(['zones', '--json'], stack.simEnv());
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as { zones: Array<{ id: string; name: string | null; slug: string | null }> };
    expect(out.zones.map((z) => z.id).sort()).toEqual([...stack.sim.zoneIds].sort());
    expect(out.zones.every((z) => typeof z.name === 'string' && typeof z.slug === 'string')).toBe(true);
  });

  it('human output is a table of name, slug and ID; an unreachable Caracal is exit 1', async () => {
    stack.sim.setScenario('healthy_allow');
    const run = await runInProcess(['zones'], stack.simEnv());
    expect(lines(run.stdout)[0]).toMatch(/^NAME\s+SLUG\s+ID$/);
    for (const id of stack.sim.zoneIds) expect(run.stdout).toContain(id);
    const down = await runBinary(['zones'], { CARACAL_API_URL: 'http://127.0.0.1:1', CARACAL_ADMIN_TOKEN: 'cat_x', CARACAL_TIMEOUT_MS: '500' });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^caracal-triage: could not list zones: /);
  });
});
