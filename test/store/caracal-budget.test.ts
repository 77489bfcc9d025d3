/**
 * The Admin API call budget shared through Redis: several processes (each its own connection,
 * budget and Caracal client, as separate workers have) draw from one window, and a 429 one of
 * them gets pauses all of them. Real redis-server, the simulator enforcing its per-bucket limit
 * (buckets shortened from Caracal's minute so the test takes seconds).
 */
import IORedis, { type Redis } from 'ioredis';
import { createCaracalClient, type CaracalClientHandle } from '../../src/caracal/client';
import type { CallBudget } from '../../src/caracal/budget';
import { redisBudgetStore } from '../../src/store/caracal-budget';
import { createCallBudget } from '../../src/caracal/budget';
import { simulatorConfig, startSimulator, type Simulator } from '../../sim';
import { deleteByPrefix, uniquePrefix } from '../queue/harness';

interface Proc {
  redis: Redis;
  budget: CallBudget;
  client: CaracalClientHandle;
  granted: number[];
}

let sim: Simulator;
let admin: Redis;
let prefix: string;
const procs: Proc[] = [];
/** When each hold (after a 429) was written, on this process's clock. */
const holdsSet: number[] = [];

function proc(perWindow: number, windowMs: number): Proc {
  const redis = new IORedis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
  const store = redisBudgetStore(redis, prefix, 'default', perWindow, windowMs);
  const granted: number[] = [];
  const budget = createCallBudget(
    {
      ...store,
      acquire: async () => {
        const a = await store.acquire();
        if (a.waitMs === 0) granted.push(a.at!);
        return a;
      },
      holdToNextMinute: async () => {
        await store.holdToNextMinute();
        holdsSet.push(Date.now());
      },
    },
    { perMinute: perWindow },
  );
  const p = { redis, budget, client: createCaracalClient(simulatorConfig(sim), { budget }), granted };
  procs.push(p);
  return p;
}

function busiestWindow(times: number[], windowMs: number): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i]! - t[j]! >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

beforeEach(async () => {
  holdsSet.length = 0;
  prefix = uniquePrefix('budget');
  sim = await startSimulator({ scenario: 'grant_missing', rateLimitBucketMs: 600 });
  admin = new IORedis(process.env.REDIS_URL!);
});
afterEach(async () => {
  for (const p of procs.splice(0)) {
    await p.client.close();
    p.redis.disconnect();
  }
  await deleteByPrefix(admin, prefix);
  admin.disconnect();
  await sim.close();
});

test('three processes calling at once share one window: no more than the budget in any window, and no 429', async () => {
  // Twice the budget at the simulator: see test/caracal/budget.test.ts for why at this scale.
  sim.setRateLimit(12);
  const three = [proc(6, 600), proc(6, 600), proc(6, 600)];
  const started = Date.now();
  const answers = await Promise.all(three.flatMap((p) => Array.from({ length: 8 }, () => p.client.getZone(sim.zoneIds[1]!))));
  expect(answers).toHaveLength(24);
  const all = three.flatMap((p) => p.granted);
  expect(all).toHaveLength(24);
  // On Redis's clock, where the window is kept.
  expect(busiestWindow(all, 600)).toBeLessThanOrEqual(6);
  expect(three.every((p) => p.granted.length > 0)).toBe(true);
  expect(sim.rateLimited).toBe(0);
  expect(Date.now() - started).toBeGreaterThanOrEqual(1150);
});

test('a 429 one process gets holds the others too until the next bucket; every call then answers', async () => {
  sim.setRateLimit(3);
  const [a, b] = [proc(100, 600), proc(100, 600)];
  const answers = await Promise.all([...Array.from({ length: 5 }, () => a.client.getZone(sim.zoneIds[0]!)), ...Array.from({ length: 5 }, () => b.client.getZone(sim.zoneIds[0]!))]);
  expect(answers).toHaveLength(10);
  expect(sim.rateLimited).toBeGreaterThan(0);
  // Once the hold was written, no process was granted a call before the next bucket. (Timed at
  // the grant, on Redis's clock, not at the simulator: a call granted just before the hold may
  // still be in flight after it, later the more loaded the machine.)
  const firstRefused = sim.requests.find((r) => r.status === 429)!.at;
  const nextBucket = Math.floor(firstRefused / 600) * 600 + 600;
  expect(holdsSet.length).toBeGreaterThan(0);
  const heldFrom = Math.min(...holdsSet);
  const grantedAfter = [...a.granted, ...b.granted].filter((t) => t > heldFrom);
  expect(grantedAfter.length).toBeGreaterThan(0);
  expect(grantedAfter.every((t) => t >= nextBucket)).toBe(true);
});

test("the watcher's slice: while a watcher draws on the budget, triages stop short of it and the watcher's calls go out at once; the whole stays within the budget", async () => {
  const redis = new IORedis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
  procs.push({ redis, budget: null as never, client: { close: async () => undefined } as never, granted: [] });
  // A long window: nothing leaves it during the test.
  const store = redisBudgetStore(redis, prefix, 'default', 10, 60_000);
  const triages = createCallBudget(store, { perMinute: 10 });
  const watcher = triages.forWatcher(4);
  // No watcher yet: triages may use the whole budget…
  expect(await Promise.all([1, 2].map(() => triages.tryTake()))).toEqual([true, true]);
  // …until the watcher's first call marks its slice: then triages get 6 in all, no more.
  expect(await watcher.tryTake()).toBe(true);
  const more = await Promise.all(Array.from({ length: 8 }, () => triages.tryTake()));
  expect(more.filter(Boolean)).toHaveLength(3);
  // The watcher still finds its slice free (4 more: 10 in the window, the budget).
  expect(await Promise.all([1, 2, 3, 4].map(() => watcher.tryTake()))).toEqual([true, true, true, true]);
  expect(await watcher.tryTake()).toBe(false);
  expect(await redis.zcard(`${prefix}caracal:budget:default`)).toBe(10);
  // The slice is at most half the budget, whatever is asked for.
  const greedy = createCallBudget(redisBudgetStore(redis, `${prefix}g:`, 'default', 10, 60_000), { perMinute: 10 });
  expect(await greedy.forWatcher(9).tryTake()).toBe(true);
  // Triages fit while fewer than 10 - 5 are in the window: 4 beside the watcher's one.
  expect((await Promise.all(Array.from({ length: 9 }, () => greedy.tryTake()))).filter(Boolean)).toHaveLength(4);
});
