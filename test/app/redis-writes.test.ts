/**
 * Readiness tells the truth about writes, and the bot does not start over a Redis that would
 * drop its data: the built binary, against redis-servers of its own.
 *
 *   /readyz     fails while Redis refuses writes (out of memory, too few replicas, a read-only
 *               replica), saying why, and passes again once writes are taken; a PING alone
 *               answers through all of it
 *   start-up    a Redis whose maxmemory-policy evicts keys is refused with one line naming
 *               REDIS_URL and the policy (exit 2), unless REDIS_ALLOW_EVICTION=true; then the
 *               log stays JSON lines (BullMQ's plain "IMPORTANT! Eviction policy" warning
 *               becomes one record)
 */
import IORedis from 'ioredis';
import { lines, removeWorkDirs, runBinary, spawnBinary, waitForOutput } from '../support/binary';
import { freePort, startRedis, type TestRedis } from '../support/redis-server';
import { simulatorEnv, startSimulator, type Simulator } from '../../sim';

const KEY = 'k'.repeat(40);
let sim: Simulator;
let redis: TestRedis;
let other: TestRedis;
let lru: TestRedis;
beforeAll(async () => {
  [sim, redis, other, lru] = await Promise.all([startSimulator(), startRedis(), startRedis(), startRedis({ evictionPolicy: 'allkeys-lru' })]);
});
afterAll(async () => {
  await Promise.all([sim.close(), redis.destroy(), other.destroy(), lru.destroy()]);
  removeWorkDirs();
});

interface Ready {
  ready: boolean;
  checks: Array<{ name: string; ok: boolean; detail?: string }>;
}

test('/readyz fails while Redis refuses writes, with the reason, and passes once it takes them again', async () => {
  const port = await freePort();
  const child = spawnBinary(['serve'], { env: { REDIS_URL: redis.url, TRIAGE_SIGNING_KEY: KEY, PORT: String(port), LOG_LEVEL: 'warn' } });
  const admin = new IORedis(redis.url);
  const readyz = async (): Promise<{ status: number; body: Ready }> => {
    const r = await fetch(`http://127.0.0.1:${port}/readyz`);
    return { status: r.status, body: (await r.json()) as Ready };
  };
  const where = `Redis at redis://127.0.0.1:${redis.port} refuses writes: `;
  try {
    await waitForOutput(child, /serving health, readiness and metrics only/);
    expect(await readyz()).toEqual({ status: 200, body: { ready: true, checks: [{ name: 'redis', ok: true }] } });

    const refusals: Array<[string, () => Promise<unknown>, () => Promise<unknown>]> = [
      ['it is out of memory (maxmemory reached; OOM)', () => admin.config('SET', 'maxmemory', '1'), () => admin.config('SET', 'maxmemory', '0')],
      ['too few replicas are in sync for min-replicas-to-write (NOREPLICAS)', () => admin.config('SET', 'min-replicas-to-write', '1'), () => admin.config('SET', 'min-replicas-to-write', '0')],
      [
        'it is a read-only replica (READONLY): REDIS_URL must name the master, or a Sentinel group',
        () => admin.replicaof('127.0.0.1', other.port),
        () => admin.replicaof('NO', 'ONE'),
      ],
    ];
    for (const [why, refuse, allow] of refusals) {
      await refuse();
      try {
        expect(await admin.ping()).toBe('PONG');
        expect(await readyz()).toEqual({ status: 503, body: { ready: false, checks: [{ name: 'redis', ok: false, detail: `${where}${why}` }] } });
      } finally {
        await allow();
      }
      // Ready again as soon as a write goes through (a connection told READONLY reconnects first).
      let status = 0;
      for (let i = 0; i < 30 && status !== 200; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, 100));
        status = (await readyz()).status;
      }
      expect(status).toBe(200);
    }
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  } finally {
    admin.disconnect();
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}, 45_000);

test('an evicting Redis is refused at start-up in one line naming REDIS_URL and the policy (exit 2)', async () => {
  for (const cmd of ['serve', 'worker']) {
    const run = await runBinary([cmd], { ...simulatorEnv(sim), REDIS_URL: lru.url, TRIAGE_SIGNING_KEY: KEY, LOG_LEVEL: 'warn' });
    expect(run.code).toBe(2);
    expect(lines(run.stderr)).toEqual([
      `caracal-triage: REDIS_URL: Redis at ${lru.url} evicts keys when memory runs out (maxmemory-policy allkeys-lru): triages, jobs and the audit log would vanish without an error; set maxmemory-policy noeviction on it, or REDIS_ALLOW_EVICTION=true to run anyway`,
    ]);
  }
}, 45_000);

test('REDIS_ALLOW_EVICTION=true starts anyway, and every line of the log is JSON (BullMQ\'s warning is one record)', async () => {
  const port = await freePort();
  const child = spawnBinary(['start'], { env: { ...simulatorEnv(sim), REDIS_URL: lru.url, REDIS_ALLOW_EVICTION: 'true', TRIAGE_SIGNING_KEY: KEY, PORT: String(port), LOG_LEVEL: 'info' } });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  try {
    await waitForOutput(child, /web and worker running/);
    // BullMQ checks the policy once per connection, after the connection is up.
    await new Promise((r) => setTimeout(r, 1500));
    const records = lines(out).map((l) => JSON.parse(l) as { level: number; msg: string; source?: string });
    expect(err).toBe('');
    expect(records.filter((r) => r.source === 'bullmq')).toEqual([
      expect.objectContaining({ level: 40, maxmemoryPolicy: 'allkeys-lru', msg: 'Redis evicts keys when memory runs out: triages, jobs and audit entries can vanish (REDIS_ALLOW_EVICTION=true accepted it)' }),
    ]);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}, 45_000);
