/**
 * The deny watcher in real worker processes (the built binary, `caracal-triage worker` with
 * WATCH_ENABLED=true and a one-second interval), against the simulator streaming a burst of
 * denials, the fake Slack API and a Redis of their own: two workers elect one watcher; the
 * leader is killed (SIGKILL) mid-burst; the other takes over within two intervals and every
 * pattern gets exactly one card in the channel TRIAGE_DEFAULT_CHANNEL names.
 */
import type { ChildProcess } from 'node:child_process';
import { denialRows, simulatorEnv, startSimulator, watchScenario, watchZoneId, type AuditRowData, type DenialSpec, type Simulator } from '../../sim';
import { assertFreshBuild, removeWorkDirs, spawnBinary } from '../support/binary';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api';
import { freePort, startRedis, type TestRedis } from '../support/redis-server';
import { waitFor } from '../queue/harness';

const CHANNEL = 'C0WATCH0001';
let sim: Simulator;
let slack: FakeSlackApi;
let redis: TestRedis;
const children: ChildProcess[] = [];

beforeAll(async () => {
  assertFreshBuild();
  [sim, slack, redis] = await Promise.all([startSimulator({ scenario: watchScenario(2) }), startFakeSlackApi(), startRedis()]);
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await Promise.all([sim.close(), slack.close(), redis.destroy()]);
  removeWorkDirs();
});

interface Worker {
  child: ChildProcess;
  port: number;
  output: () => string;
}

async function worker(): Promise<Worker> {
  const port = await freePort();
  const child = spawnBinary(['worker'], {
    env: {
      ...simulatorEnv(sim),
      REDIS_URL: redis.url,
      TRIAGE_SIGNING_KEY: 'k'.repeat(40),
      PORT: String(port),
      LOG_LEVEL: 'warn',
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: 's'.repeat(32),
      SLACK_API_URL: slack.url,
      TRIAGE_DEFAULT_CHANNEL: `slack:${CHANNEL}`,
      WATCH_ENABLED: 'true',
      WATCH_INTERVAL_S: '1',
    },
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  return { child, port, output: () => out };
}

/** A counter's value on a worker's /metrics, summed over its series (0 when absent or unreachable). */
async function metric(w: Worker, name: string): Promise<number> {
  const text = await fetch(`http://127.0.0.1:${w.port}/metrics`).then((r) => r.text()).catch(() => '');
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`))
    .reduce((n, l) => n + Number(l.split(' ').at(-1)), 0);
}

const spec = (zone: number, app: string, resource: string, reason: string): Omit<DenialSpec, 'requestId' | 'occurredAt'> => ({ zoneId: watchZoneId(zone), applicationId: app, resource, reason, kind: 'policy' });
const PATTERNS = [spec(0, 'app-anton', 'resource://payments', 'role_scope_mismatch'), spec(1, 'app-berta', 'resource://ledger', 'resource_not_granted'), spec(1, 'app-carl', 'resource://crm', 'no_rule_matched')];

/** `n` denied requests of a pattern, occurring from `from` 200 ms apart, each visible as it occurs. */
const rows = (p: number, tag: string, n: number, from: number): AuditRowData[] =>
  Array.from({ length: n }, (_, i) => denialRows({ ...PATTERNS[p]!, requestId: `req-${tag}-${i}`, occurredAt: from + i * 200, ingestedAt: from + i * 200 })).flat();

test('two workers elect one watcher; its successor after a SIGKILL mid-burst posts every pattern once', async () => {
  const [a, b] = await Promise.all([worker(), worker()]);
  const leaderOf = async (): Promise<[Worker, Worker] | null> => {
    const [pa, pb] = await Promise.all([metric(a, 'caracal_triage_watch_polls_total'), metric(b, 'caracal_triage_watch_polls_total')]);
    if (pa > 0 && pb === 0) return [a, b];
    if (pb > 0 && pa === 0) return [b, a];
    if (pa > 0 && pb > 0) throw new Error(`both workers polled (${pa}, ${pb}):\n${a.output()}\n${b.output()}`);
    return null;
  };
  const [leader, other] = await waitFor('one worker to poll', leaderOf, 20_000, 200);
  // Still one leader a few intervals later.
  await new Promise((r) => setTimeout(r, 2500));
  expect(await metric(other, 'caracal_triage_watch_polls_total')).toBe(0);
  expect(await metric(leader, 'caracal_triage_watch_leader_changes_total')).toBe(1);

  // The burst: two patterns cross now; the third crosses only after the kill.
  const now = Date.now();
  sim.streamAudit([...rows(0, 'a', 6, now - 2000), ...rows(1, 'b', 6, now - 2000), ...rows(2, 'c', 2, now - 2000)]);
  await waitFor('the first two cards', async () => slack.channelMessages(CHANNEL).length >= 2, 20_000, 100);
  sim.streamAudit([...rows(0, 'a2', 10, Date.now() + 1500), ...rows(1, 'b2', 10, Date.now() + 1500), ...rows(2, 'c2', 6, Date.now() + 1500)]);
  const killedAt = Date.now();
  leader.child.kill('SIGKILL');
  // Taking over is taking the lease (the leader-changes counter moves then, before the first
  // poll's reads): within two intervals of the kill, plus a second for reading /metrics.
  await waitFor('the other worker to take the lease', async () => (await metric(other, 'caracal_triage_watch_leader_changes_total')) > 0, 10_000, 50);
  expect(Date.now() - killedAt).toBeLessThan(2 * 1000 + 1000);
  expect(await metric(other, 'caracal_triage_watch_leader_changes_total')).toBe(1);
  await waitFor('the other worker to poll', async () => (await metric(other, 'caracal_triage_watch_polls_total')) > 0, 10_000, 100);

  await waitFor('the third card', async () => slack.channelMessages(CHANNEL).length >= 3, 20_000, 100);
  await waitFor('every streamed row', async () => sim.pendingAudit === 0, 10_000, 100);
  // Two more polls after the last row: still one card per pattern, updated in place.
  const polls = await metric(other, 'caracal_triage_watch_polls_total');
  await waitFor('two more polls', async () => (await metric(other, 'caracal_triage_watch_polls_total')) >= polls + 2, 10_000, 100);
  const cards = slack.channelMessages(CHANNEL);
  expect(cards).toHaveLength(3);
  const reasons = cards.map((c) => ['role_scope_mismatch', 'resource_not_granted', 'no_rule_matched'].find((r) => (c.blocks ?? c.text).includes(r)));
  expect(reasons.sort()).toEqual(['no_rule_matched', 'resource_not_granted', 'role_scope_mismatch']);
  expect(slack.callsTo('chat.update').length).toBeGreaterThan(0);
}, 90_000);
