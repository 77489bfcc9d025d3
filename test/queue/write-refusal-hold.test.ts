/**
 * While Redis refuses writes (maxmemory reached under noeviction), a BullMQ worker's every fetch
 * is refused and BullMQ tries again at once. A worker with the hold (src/queue/write-refusal-hold.ts,
 * as every worker of the bot has) waits a second between tries; one without it, run beside it
 * on the same Redis, spins. Once writes are back, the held worker takes jobs again.
 */
import { Queue, Worker } from 'bullmq';
import IORedis, { type Redis } from 'ioredis';
import { holdOnWriteRefusal, WRITE_REFUSED } from '../../src/queue/write-refusal-hold';
import { startRedis, type TestRedis } from '../support/redis-server';
import { waitFor } from './harness';

let redis: TestRedis;
let admin: Redis;
const connections: Redis[] = [];
const connection = (): Redis => {
  const c = new IORedis(redis.url, { maxRetriesPerRequest: null });
  connections.push(c);
  return c;
};

beforeAll(async () => {
  redis = await startRedis();
  admin = new IORedis(redis.url);
});
afterAll(async () => {
  await admin.config('SET', 'maxmemory', '0').catch(() => undefined);
  admin.disconnect();
  for (const c of connections) c.disconnect();
  await redis.stop();
});

it('holds a worker a second between refused fetches instead of spinning, and takes jobs again once writes are back', async () => {
  const queue = new Queue('refusal', { connection: connection() });
  await queue.add('waiting', { n: 1 });
  await queue.add('waiting', { n: 2 });
  await admin.config('SET', 'maxmemory', '1');

  const done: number[] = [];
  const held = new Worker('refusal', async (job) => done.push(job.data.n as number), { connection: connection(), autorun: false });
  const bare = new Worker('refusal', async () => undefined, { connection: connection(), autorun: false });
  const hold = holdOnWriteRefusal(held, 1000);
  const refused = { held: 0, bare: 0 };
  held.on('error', (err) => {
    hold.onError(err);
    if (WRITE_REFUSED.test(err.message)) refused.held++;
  });
  bare.on('error', (err) => {
    if (WRITE_REFUSED.test(err.message)) refused.bare++;
  });
  void held.run();
  void bare.run();
  try {
    await new Promise((r) => setTimeout(r, 2500));
    expect(refused.bare).toBeGreaterThan(50);
    // Refused at 0 s, 1 s and 2 s (a fetch or two each time), not thousands of times.
    expect(refused.held).toBeGreaterThan(0);
    expect(refused.held).toBeLessThanOrEqual(8);

    await bare.close();
    await admin.config('SET', 'maxmemory', '0');
    await waitFor('the held worker to take both jobs', async () => done.length === 2, 10_000);
    expect(done.sort()).toEqual([1, 2]);
  } finally {
    hold.stop();
    await held.close();
    await bare.close();
    await queue.close();
  }
});

it('is not a write refusal when the connection is lost or a job is missing', () => {
  expect(WRITE_REFUSED.test("OOM command not allowed when used memory > 'maxmemory'.")).toBe(true);
  expect(WRITE_REFUSED.test("READONLY You can't write against a read only replica.")).toBe(true);
  expect(WRITE_REFUSED.test('MISCONF Redis is configured to save RDB snapshots, but it is currently not able to persist on disk.')).toBe(true);
  expect(WRITE_REFUSED.test('NOREPLICAS Not enough good replicas to write.')).toBe(true);
  expect(WRITE_REFUSED.test('Connection is closed.')).toBe(false);
  expect(WRITE_REFUSED.test('Missing key for job 12. moveToFinished')).toBe(false);
});
