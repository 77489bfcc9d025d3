/**
 * The Admin API call budget in one process (the terminal's): a sliding window that makes work
 * wait instead of fail, a 429 that pauses every call until Caracal's next minute, and deadlines
 * that do not count time spent waiting for the budget. Against the simulator, which answers
 * 429 over its per-minute limit as Caracal does (shortened buckets keep the tests fast).
 */
import { localBudgetStore, localCallBudget, createCallBudget } from '../../src/caracal/budget';
import { DeadlineExceeded, withDeadline } from '../../src/time/race';
import { createTriageSession } from '../../src/triage/session';
import { STEP_IDS } from '../../src/triage/model';
import { getScenario, startSimulator, type Simulator } from '../../sim';
import { clientFor, closeClients } from './support';

/** The most requests the simulator saw in any `windowMs` (sliding over their arrival times). */
function busiestWindow(times: number[], windowMs: number): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i]! - t[j]! >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe('the window, on a clock the test moves', () => {
  test('hands out `perMinute` units in any window, then says how long until the oldest leaves it', async () => {
    let now = 1_000_000;
    const store = localBudgetStore(3, { now: () => now });
    expect((await Promise.all([1, 2, 3].map(() => store.acquire()))).map((a) => a.waitMs)).toEqual([0, 0, 0]);
    now += 10_000;
    expect(await store.acquire()).toEqual({ waitMs: 50_001, reason: 'budget' });
    now = 1_000_000 + 60_001;
    expect((await store.acquire()).waitMs).toBe(0);
  });

  test('after a 429 nothing is handed out until the next clock minute (plus a margin)', async () => {
    let now = Date.parse('2026-01-01T10:00:20.000Z');
    const store = localBudgetStore(100, { now: () => now });
    await store.holdToNextMinute();
    expect(await store.acquire()).toEqual({ waitMs: 41_000, reason: 'rate_limited' });
    now = Date.parse('2026-01-01T10:01:01.000Z');
    expect((await store.acquire()).waitMs).toBe(0);
  });

  test('a waiter waits until a unit is free, and the wait is reported and counted as stalled time', async () => {
    let now = 0;
    const waits: Array<[string, number]> = [];
    const budget = createCallBudget(localBudgetStore(1, { now: () => now }), {
      perMinute: 1,
      now: () => now,
      sleep: async (ms) => {
        now += ms;
      },
      onWait: (reason, ms) => waits.push([reason, ms]),
    });
    await budget.take();
    expect(budget.stalledMs()).toBe(0);
    await budget.take();
    expect(now).toBe(60_001);
    expect(waits).toEqual([['budget', 60_001]]);
    expect(budget.stalledMs()).toBe(60_001);
  });
});

test('pressure runs while the window is at least half used (or calls wait); stalled time only while calls wait', async () => {
  let now = 0;
  const budget = createCallBudget(localBudgetStore(4, { now: () => now }), { perMinute: 4, now: () => now });
  await budget.take();
  now += 1000;
  expect(budget.pressure.stalledMs()).toBe(0);
  await budget.take(); // two of four: half used
  now += 5000;
  expect(budget.pressure.stalledMs()).toBe(5000);
  expect(budget.stalledMs()).toBe(0);
  now += 60_000; // the window emptied; the next answer says so
  await budget.take();
  const at = budget.pressure.stalledMs();
  now += 3000;
  expect(budget.pressure.stalledMs()).toBe(at);
});

describe('deadlines and the stall clock', () => {
  test('a deadline is moved back by the time spent stalled while it ran, and no further', async () => {
    let stalled = 0;
    const stall = { stalledMs: () => stalled };
    const work = new Promise<string>((r) => setTimeout(() => r('done'), 250));
    setTimeout(() => (stalled += 200), 50);
    await expect(withDeadline(work, 100, 'item', stall)).resolves.toBe('done');
    await expect(withDeadline(new Promise(() => undefined), 60, 'item', stall)).rejects.toBeInstanceOf(DeadlineExceeded);
  });
});

describe('the client against a Caracal that answers 429 over its limit', () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator({ scenario: 'grant_missing', rateLimitPerMinute: 6, rateLimitBucketMs: 500 });
  });
  afterEach(async () => {
    await closeClients();
    await sim.close();
  });

  test('within the budget, a burst of calls waits its turn: every call answers and none is refused', async () => {
    sim.setRateLimit(10);
    const store = localBudgetStore(5, { windowMs: 500 });
    const granted: number[] = [];
    const budget = createCallBudget(
      {
        ...store,
        acquire: async () => {
          const a = await store.acquire();
          if (a.waitMs === 0) granted.push(a.at!);
          return a;
        },
      },
      { perMinute: 5 },
    );
    const c = clientFor(sim, {}, { budget });
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 15 }, () => c.getZone(sim.zoneIds[0]!)));
    expect(answers.every((z) => z.id === sim.zoneIds[0])).toBe(true);
    expect(granted).toHaveLength(15);
    expect(busiestWindow(granted, 500)).toBeLessThanOrEqual(5);
    // At this scale the few ms between a unit and its call's arrival are not small next to the
    // simulator's 500 ms bucket (in production they are next to Caracal's minute), so the
    // simulator allows twice the budget here: what it must never see is a 429.
    expect(sim.rateLimited).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(budget.stalledMs()).toBeGreaterThan(0);
  });

  test('a 429 that comes anyway pauses the calls until the next bucket; the call then answers', async () => {
    const budget = localCallBudget(1000, { windowMs: 500 });
    const c = clientFor(sim, {}, { budget });
    const answers = await Promise.all(Array.from({ length: 10 }, () => c.listZones()));
    expect(answers).toHaveLength(10);
    expect(sim.rateLimited).toBeGreaterThan(0);
    // Without a budget, undici's own retry hammers the 429 and the call fails.
    sim.setRateLimit(0);
    await expect(clientFor(sim, { timeoutMs: 800 }).listZones()).rejects.toMatchObject({ status: 429, code: 'rate_limited' });
  });

  test('probes are not Admin API calls: they take nothing from the budget', async () => {
    const store = localBudgetStore(100);
    let taken = 0;
    const budget = createCallBudget({ ...store, acquire: () => (taken++, store.acquire()) }, { perMinute: 100 });
    const c = clientFor(sim, {}, { budget });
    await c.getZone(sim.zoneIds[0]!);
    expect(taken).toBe(1);
    const probes = await Promise.all((['api', 'sts', 'gateway', 'audit', 'coordinator'] as const).map((s) => c.probe(s, '/ready')));
    expect(probes.every((p) => p.ok)).toBe(true);
    expect(taken).toBe(1);
  });
});

describe('a whole triage on a budget much smaller than it needs', () => {
  test('waits for its turn and finds the cause: no step or item times out for the wait', async () => {
    const sim = await startSimulator({ scenario: 'grant_missing' });
    try {
      const budget = localCallBudget(4, { windowMs: 400 });
      const c = clientFor(sim, {}, { budget });
      const s = getScenario('grant_missing');
      // Deadlines far shorter than the time the triage waits for the budget.
      const session = createTriageSession(c, { requestId: s.input.requestId, zoneId: null, symptom: s.input.symptom ?? null, error: null }, { timeoutMs: 300, stall: budget });
      const report = await session.run();
      expect(budget.stalledMs()).toBeGreaterThan(1000);
      expect(report.steps.filter((st) => st.cause === 'timeout').map((st) => st.id)).toEqual([]);
      expect(report.bundle?.items.filter((i) => i.status === 'unavailable' && /Timed out/.test(i.summary))).toEqual([]);
      expect(report.steps.map((st) => st.id)).toEqual([...STEP_IDS]);
      expect(report.diagnosis?.cause).toBe(s.expect.cause);
    } finally {
      await closeClients();
      await sim.close();
    }
  }, 30_000);
});
