import { createHarness, waitFor, type Harness } from './harness';

describe('two workers, many triages', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('two', { scenario: 'scope_mismatch' });
  });
  afterAll(async () => {
    await h.close();
  });

  test('each triage is processed once and posted once', async () => {
    h.startWorkers({ collectConcurrency: 4, postConcurrency: 8 });
    h.startWorkers({ collectConcurrency: 4, postConcurrency: 8 });
    const n = 40;
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push(await h.startTriage());
    for (const id of ids) await h.waitSettled(id, 30_000);
    // A settled record's last card update is posted after it (the post queue, then the debounce).
    // A person would see this card: it must end on the diagnosis (card-redraw.test.ts holds the
    // interleavings that once left one of 40 cards stale on Node 24).
    const lastCard = (id: string) => h.port.delivered(id).filter((c) => c.method === 'updateCard').at(-1);
    for (const id of ids) await waitFor(`the final card of ${id}`, async () => /scope_mismatch/.test(lastCard(id)?.text ?? ''), 15_000);

    // Each step of each triage was collected exactly once across both workers…
    const collected = (await h.registry.getSingleMetric('caracal_triage_steps_collected_total')!.get()).values.reduce((s, v) => s + v.value, 0);
    expect(collected).toBe(n * 8);
    // …and everything was posted exactly once.
    for (const id of ids) {
      const calls = h.port.delivered(id);
      expect(calls.filter((c) => c.method === 'postCard')).toHaveLength(1);
      const steps = calls.filter((c) => c.method === 'postStep').map((c) => c.step);
      expect(steps).toHaveLength(8);
      expect(new Set(steps).size).toBe(8);
      expect(lastCard(id)!.text).toMatch(/scope_mismatch/);
    }
    // Both workers took part.
    const completed = await h.queues.collect.getJobs(['completed']);
    const workers = new Set(completed.map((j) => j.processedBy));
    expect(workers.size).toBe(2);
  }, 60_000);
});
