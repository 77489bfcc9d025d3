import { startRedis, type TestRedis } from '../support/redis-server';
import { createHarness, waitFor, type Harness } from './harness';

describe('Redis restarted mid-triage (persistence on)', () => {
  let redis: TestRedis;
  let h: Harness;
  beforeAll(async () => {
    redis = await startRedis({ persistence: true });
    // Simulator latency stretches each triage over a second or so, so the restart lands mid-way.
    h = await createHarness('restart', { redisUrl: redis.url, scenario: 'grant_missing', sim: { latencyMs: { '*': 25 } } });
  });
  afterAll(async () => {
    await h.close();
    await redis.destroy();
  });

  test('the triages finish, nothing is lost and nothing is posted twice', async () => {
    h.startWorkers();
    const ids = await Promise.all([1, 2, 3, 4].map(() => h.startTriage()));
    await waitFor('first step replies', async () => h.port.delivered().filter((c) => c.method === 'postStep').length >= 2, 15_000, 10);
    const before = h.port.delivered().length;
    const states = await Promise.all(ids.map(async (id) => (await h.service.get(id))!.state));
    expect(states).toContain('locating'); // the restart lands mid-triage
    await redis.restart();
    for (const id of ids) await h.waitSettled(id, 30_000);
    expect(h.port.delivered().length).toBeGreaterThan(before);

    for (const id of ids) {
      const calls = h.port.delivered(id);
      expect(calls.filter((c) => c.method === 'postCard')).toHaveLength(1);
      const steps = calls.filter((c) => c.method === 'postStep').map((c) => c.step);
      expect(steps).toHaveLength(8);
      expect(new Set(steps).size).toBe(8);
      const rec = await h.service.get(id);
      expect(rec).toMatchObject({ state: 'routed', pending: [], diagnosis: { cause: 'scope_not_granted' } });
      expect(calls.filter((c) => c.method === 'updateCard').at(-1)!.text).toMatch(/scope_not_granted/);
    }
  });
});
