/**
 * The shared send timeline: slots one interval apart in the order asked, kept across asks, and
 * a platform 429 that pauses the line for its Retry-After, not for the bookings it voided.
 */
import IORedis from 'ioredis';
import { ChatLimiter, intervalOf } from '../../src/posting/limiter';

const redis = new IORedis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
const prefix = `ct-limiter-${process.pid}:`;
const limiter = new ChatLimiter(redis, prefix);
const interval = intervalOf({ points: 1, durationSec: 1 });
let conv = 0;

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

test('hands out slots one interval apart in the order asked, and the same holder keeps its slot', async () => {
  const c = `C-order-${++conv}`;
  const waits = [];
  for (const h of ['a', 'b', 'c']) waits.push((await limiter.admit('slack', 'post', c, h)).waitMs);
  expect(waits[0]).toBe(0);
  expect(waits[1]).toBeGreaterThan(interval - 50);
  expect(waits[2]).toBeGreaterThan(2 * interval - 50);
  const again = await limiter.admit('slack', 'post', c, 'c');
  expect(again.waitMs).toBeLessThanOrEqual(waits[2]!);
  expect(again.waitMs).toBeGreaterThan(2 * interval - 100);
});

test('a 429 pauses the line for its Retry-After; the voided bookings do not push the line back', async () => {
  const c = `C-block-${++conv}`;
  // Thirty posts booked: the last slot is about half a minute away.
  for (let i = 0; i < 30; i++) await limiter.admit('slack', 'post', c, `h${i}`);
  await limiter.block('slack', 'post', c, 1000);
  // Every booking is void; they ask again in turn and the first goes right after the pause.
  const first = await limiter.admit('slack', 'post', c, 'h1');
  expect(first.waitMs).toBeGreaterThan(900);
  expect(first.waitMs).toBeLessThanOrEqual(1000 + interval);
  const second = await limiter.admit('slack', 'post', c, 'h2');
  expect(second.waitMs).toBeGreaterThan(first.waitMs + interval - 50);
  expect(second.waitMs).toBeLessThanOrEqual(1000 + 2 * interval);
});

test('a block never shortens an earlier, longer one', async () => {
  const c = `C-blocks-${++conv}`;
  await limiter.block('slack', 'post', c, 5000);
  await limiter.block('slack', 'post', c, 1000);
  expect((await limiter.admit('slack', 'post', c, 'x')).waitMs).toBeGreaterThan(4800);
});
