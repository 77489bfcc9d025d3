/**
 * A Redis restarted without persistence comes back empty. The worker says so once, at warn,
 * and puts the idle-triage sweeper's schedule back, so idle triages started after the
 * outage are still abandoned.
 */
import pino from 'pino';
import { Writable } from 'node:stream';
import { startRedis, type TestRedis } from '../support/redis-server';
import { createHarness, waitFor, type Harness } from './harness';

describe('Redis restarted without its data', () => {
  let redis: TestRedis;
  let h: Harness;
  const lines: Array<{ level: number; msg: string }> = [];
  const logger = pino({ level: 'info' }, new Writable({ write(chunk: Buffer, _enc, done) { lines.push(JSON.parse(chunk.toString())); done(); } }));
  beforeAll(async () => {
    redis = await startRedis({ persistence: false });
    h = await createHarness('wiped', { redisUrl: redis.url, scenario: 'healthy_allow' });
  });
  afterAll(async () => {
    await h.close();
    await redis.destroy();
  });

  test('is reported once and the sweeper is rescheduled, so idle triages are still abandoned', async () => {
    const workers = h.startWorkers({ sweepEveryMs: 300, staleAfterMs: 1500, logger });
    await waitFor('sweeper scheduled', async () => (await workers.queues.collect.getJobScheduler('sweep-idle-triages')) !== undefined);
    await redis.restart();
    await waitFor('Redis is back', async () => lines.some((l) => l.msg === 'Redis is back'), 15_000);
    await waitFor('sweeper rescheduled', async () => (await workers.queues.collect.getJobScheduler('sweep-idle-triages')) !== undefined, 10_000);
    const lost = lines.filter((l) => /came back without its data/.test(l.msg));
    expect(lost).toHaveLength(1);
    expect(lost[0].level).toBe(40);

    const id = await h.startTriage();
    await h.waitSettled(id, 15_000);
    await waitFor('abandoned', async () => (await h.service.get(id))?.state === 'abandoned', 15_000);
  }, 45_000);
});
