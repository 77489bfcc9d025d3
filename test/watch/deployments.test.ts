/**
 * The deny watcher with several Caracal deployments, in a real worker process (the built binary,
 * `caracal-triage worker` with WATCH_ENABLED=true and a deployments file naming two simulators,
 * `staging` and `production`, that hold the same zone ID): one watcher per deployment, each with
 * a lease of its own; denials streamed into staging open one triage whose card names staging and
 * whose evidence is read from staging only (production is never asked about the request).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { denialRows, startSimulator, watchScenario, watchZoneId, type Simulator } from '../../sim';
import { assertFreshBuild, removeWorkDirs, spawnBinary } from '../support/binary';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api';
import { freePort, startRedis, type TestRedis } from '../support/redis-server';
import { waitFor } from '../queue/harness';
import { writeDeploymentsFile } from '../support/deployments-file';

const CHANNEL = 'C0WATCHDEP1';
let staging: Simulator;
let production: Simulator;
let slack: FakeSlackApi;
let redis: TestRedis;
let dir: string;
let child: ChildProcess | null = null;

function deploymentsFile(): string {
  return writeDeploymentsFile(dir, [
    { name: 'staging', sim: staging },
    { name: 'production', sim: production },
  ]);
}

beforeAll(async () => {
  assertFreshBuild();
  [staging, production, slack, redis] = await Promise.all([startSimulator({ scenario: watchScenario(1) }), startSimulator({ scenario: watchScenario(1) }), startFakeSlackApi(), startRedis()]);
  dir = mkdtempSync(join(tmpdir(), 'caracal-watch-deployments-'));
});
afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all([staging?.close(), production?.close(), slack?.close(), redis?.destroy()]);
  rmSync(dir, { recursive: true, force: true });
  removeWorkDirs();
});

/** A metric's value on the worker's /metrics, summed over the series that carry every label given (0 when absent). */
async function metric(port: number, name: string, labels: Record<string, string>): Promise<number> {
  const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text()).catch(() => '');
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) && pairs.every((p) => l.includes(p)))
    .reduce((n, l) => n + Number(l.split(' ').at(-1)), 0);
}

const asked = (sim: Simulator, requestId: string): number => sim.requests.filter((r) => r.path.includes(requestId) || r.query.includes(requestId)).length;

test('one watcher and one lease per deployment; denials in staging open one triage that reads only staging', async () => {
  const port = await freePort();
  child = spawnBinary(['worker'], {
    env: {
      CARACAL_DEPLOYMENTS_FILE: deploymentsFile(),
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
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));

  // Each deployment's watcher polls, under a lease of its own.
  await waitFor(
    'both watchers to poll',
    async () => (await metric(port, 'caracal_triage_watch_polls_total', { deployment: 'staging' })) > 0 && (await metric(port, 'caracal_triage_watch_polls_total', { deployment: 'production' })) > 0,
    20_000,
    200,
  ).catch((e: Error) => {
    throw new Error(`${e.message}\n${out}`);
  });
  const r = new IORedis(redis.url);
  try {
    expect((await r.keys('ct:watch:*:lease')).sort()).toEqual(['ct:watch:production:lease', 'ct:watch:staging:lease']);
  } finally {
    r.disconnect();
  }

  // Six denials of one pattern in staging's zone (production holds the same zone ID, and none).
  const now = Date.now();
  const requestIds = Array.from({ length: 6 }, (_, i) => `req-stage-${i}`);
  staging.streamAudit(
    requestIds.flatMap((requestId, i) =>
      denialRows({ zoneId: watchZoneId(0), applicationId: 'app-anton', resource: 'resource://payments', reason: 'role_scope_mismatch', kind: 'policy', requestId, occurredAt: now - 3000 + i * 200, ingestedAt: now - 3000 + i * 200 }),
    ),
  );
  await waitFor('the card', async () => slack.channelMessages(CHANNEL).length >= 1, 20_000, 100);
  // The triage reads the latest denied request: from staging.
  await waitFor('staging asked about the request', async () => asked(staging, requestIds.at(-1)!) > 0, 20_000, 100);
  await waitFor('every streamed row', async () => staging.pendingAudit === 0, 10_000, 100);
  const polls = await metric(port, 'caracal_triage_watch_polls_total', { deployment: 'production' });
  await waitFor('two more production polls', async () => (await metric(port, 'caracal_triage_watch_polls_total', { deployment: 'production' })) >= polls + 2, 10_000, 100);

  const cards = slack.channelMessages(CHANNEL);
  expect(cards).toHaveLength(1);
  expect(cards[0]!.blocks ?? cards[0]!.text).toContain('staging');
  expect(cards[0]!.blocks ?? cards[0]!.text).not.toContain('production');
  for (const id of requestIds) expect({ id, production: asked(production, id) }).toEqual({ id, production: 0 });
  expect(await metric(port, 'caracal_triage_watch_denials_total', { deployment: 'staging', zone: watchZoneId(0), reason: 'role_scope_mismatch' })).toBe(6);
  expect(await metric(port, 'caracal_triage_watch_denials_total', { deployment: 'production' })).toBe(0);
}, 90_000);
