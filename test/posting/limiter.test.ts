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

/**
 * Asks to send. `slot` is when the booked slot falls on the clock: the wait counts from the
 * moment of the call (the limiter reads the clock as the call is made), so what the run spent
 * between two calls, long on a loaded machine, is not mistaken for the limiter's spacing.
 */
async function ask(conversation: string, holder: string): Promise<{ waitMs: number; slot: number }> {
  const calledAt = Date.now();
  const { waitMs } = await limiter.admit('slack', 'post', conversation, holder);
  return { waitMs, slot: calledAt + waitMs };
}

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

test('hands out slots one interval apart in the order asked, and the same holder keeps its slot', async () => {
  const c = `C-order-${++conv}`;
  const one = await ask(c, 'a');
  const two = await ask(c, 'b');
  const three = await ask(c, 'c');
  expect(one.waitMs).toBe(0);
  expect(two.slot - one.slot).toBeGreaterThan(interval - 50);
  expect(three.slot - one.slot).toBeGreaterThan(2 * interval - 50);
  const again = await ask(c, 'c');
  expect(again.waitMs).toBeLessThanOrEqual(three.waitMs);
  expect(again.slot - one.slot).toBeGreaterThan(2 * interval - 100);
});

test('a 429 pauses the line for its Retry-After; the voided bookings do not push the line back', async () => {
  const c = `C-block-${++conv}`;
  // Thirty posts booked: the last slot is about half a minute away.
  for (let i = 0; i < 30; i++) await limiter.admit('slack', 'post', c, `h${i}`);
  const blockedAt = Date.now();
  await limiter.block('slack', 'post', c, 1000);
  // Every booking is void; they ask again in turn and the first goes right after the pause.
  const first = await ask(c, 'h1');
  expect(first.slot - blockedAt).toBeGreaterThan(900);
  expect(first.slot - blockedAt).toBeLessThanOrEqual(1000 + interval);
  const second = await ask(c, 'h2');
  expect(second.slot).toBeGreaterThan(first.slot + interval - 50);
  expect(second.slot - blockedAt).toBeLessThanOrEqual(1000 + 2 * interval);
});

test('a block never shortens an earlier, longer one', async () => {
  const c = `C-blocks-${++conv}`;
  const blockedAt = Date.now();
  await limiter.block('slack', 'post', c, 5000);
  await limiter.block('slack', 'post', c, 1000);
  expect((await ask(c, 'x')).slot - blockedAt).toBeGreaterThan(4800);
});
