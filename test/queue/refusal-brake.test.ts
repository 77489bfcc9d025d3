/**
 * While Redis refuses writes (maxmemory reached under `noeviction`), each queue worker asks for
 * jobs a few times a second, not thousands of times (BullMQ retries a refused fetch at once:
 * a core spun per worker, and one error line per fetch), logs one line per queue for the whole
 * refusal, and takes jobs again within a couple of seconds once writes are back
 * (src/queue/queue-workers.ts, refusalBrake).
 */
import IORedis from 'ioredis';
import { Worker } from 'bullmq';
import pino from 'pino';
import { REFUSAL_BRAKE_MS } from '../../src/queue/queue-workers';
import type { TestRedis, WriteRefusals } from '../support/redis-server';
import { createHarnessOnRefusingRedis, waitFor, type Harness, type RefusingRedisHarness } from './harness';

let stack: RefusingRedisHarness;
let redis: TestRedis;
let writes: WriteRefusals;
let h: Harness;
beforeAll(async () => {
  stack = await createHarnessOnRefusingRedis('brake', { scenario: 'grant_missing' });
  ({ redis, writes, h } = stack);
});
afterAll(() => stack.close());

test("the brake is BullMQ's own rate-limit wait: a worker whose limitUntil lies ahead is rate limited (an upgrade that drops the field fails here)", async () => {
  const connection = new IORedis(redis.url, { maxRetriesPerRequest: null });
  const w = new Worker('brake-probe', null, { connection, autorun: false });
  try {
    const internals = w as unknown as { limitUntil: number; isRateLimited(): boolean };
    expect(typeof internals.limitUntil).toBe('number');
    expect(internals.isRateLimited()).toBe(false);
    internals.limitUntil = Date.now() + 60_000;
    expect(internals.isRateLimited()).toBe(true);
  } finally {
    await w.close();
    connection.disconnect();
  }
});

test('while Redis refuses writes, a worker with jobs waiting asks a few times a second and logs one line; once writes are back, it takes them', async () => {
  const lines: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
  const refused = async () => {
    const m = (await h.registry.getSingleMetric('caracal_triage_worker_refused_fetches_total')?.get())?.values ?? [];
    return m.reduce((n, v) => n + v.value, 0);
  };
  // A backlog: the triage's collect job waits, and Redis is full before a worker takes it.
  const id = await h.startTriage();
  const before = await refused();
  await writes.refuse();
  const w = h.startWorkers({ logger });
  const refusedFor = 3000;
  try {
    try {
      await new Promise((r) => setTimeout(r, refusedFor));
    } finally {
      await writes.allow();
    }
    const fetches = (await refused()) - before;
    // A worker waits 250 ms after a refusal, doubling to 2 s: 250 + 500 + 1000 + 2000 > 3 s, so at
    // most 4 or 5 refused fetches a worker. Without the brake: thousands (a core spun).
    const perWorker = Math.ceil(Math.log2(refusedFor / REFUSAL_BRAKE_MS.first)) + 2;
    expect(fetches).toBeGreaterThan(0);
    expect(fetches).toBeLessThanOrEqual(3 * perWorker);
    const refusalLines = lines.filter((l) => l.includes('Redis refuses writes'));
    expect(refusalLines.length).toBeGreaterThan(0);
    expect(refusalLines.length).toBeLessThanOrEqual(3);
    expect(lines.filter((l) => l.includes('worker error'))).toEqual([]);

    // Writes are back: the next fetch, at most 2 s away, takes the waiting job.
    const record = await h.waitSettled(id, 20_000);
    expect(record).toMatchObject({ state: 'routed', pending: [] });
    await waitFor('its card', async () => h.port.delivered(id).some((c) => c.method === 'postCard'), 10_000);
  } finally {
    await w.close(5000);
  }
}, 60_000);
