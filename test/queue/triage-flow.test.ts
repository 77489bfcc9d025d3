import { STEP_IDS } from '../../src/triage/model';
import { countBy, createHarness, type Harness } from './harness';

describe('a triage from enqueue to the last threaded post', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('flow', { scenario: 'grant_missing' });
  });
  afterAll(async () => {
    await h.close();
  });

  test('the card is posted once, each step replies in its thread, and the final card shows the diagnosis', async () => {
    h.startWorkers();
    const id = await h.startTriage();
    const record = await h.waitSettled(id);
    expect(record.state).toBe('routed');
    expect(record.diagnosis).toMatchObject({ surface: 'sts_policy', step: 'grant_policy', cause: 'scope_not_granted' });

    const calls = h.port.delivered(id);
    expect(countBy(h.port, id).postCard).toBe(1);
    const card = calls.find((c) => c.method === 'postCard')!;
    const steps = calls.filter((c) => c.method === 'postStep');
    expect(steps.map((c) => c.step).sort()).toEqual([...STEP_IDS].sort());
    // Every reply went into the card's thread.
    for (const s of steps) expect(s.ref).toEqual(card.ref);
    expect(steps.every((s) => s.seq > card.seq)).toBe(true);
    const last = calls.filter((c) => c.method === 'updateCard').at(-1)!;
    expect(last.version).toBe(record.version);
    expect(last.text).toMatch(/Diagnosis: sts_policy at grant_policy \(scope_not_granted/);
    // Stored reference survives for any process.
    expect(await h.service.messageRef(id)).toEqual(card.ref);
  });
});
