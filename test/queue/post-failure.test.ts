/**
 * A card that cannot be posted (the chat platform failing for the whole of the post job's
 * retries) stops its triage visibly instead of leaving it to post nothing, and running the same
 * command again posts it: one card, every step once, the bundle.
 */
import { STEP_IDS } from '../../src/triage/model';
import type { StartTriageRequest } from '../../src/ingress/service-api';
import { createHarness, inputOf, waitFor, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness('post-failure', { scenario: 'grant_missing' });
});
afterAll(() => h.close());

test('a card post that fails for good stops the triage; the same command again posts the card, the thread and the bundle once', async () => {
  const w = h.startWorkers({ retry: { baseMs: 20, capMs: 40 } });
  try {
    // Every attempt of the card's job fails (a platform outage longer than its retries).
    h.port.failNext(12, new Error('socket hang up'), 'postCard');
    const req: StartTriageRequest = { input: inputOf(h.sim.scenario), destination: { platform: 'slack', channel: 'C-POSTFAIL' }, actor: { kind: 'user', id: 'U1', name: 'oncall' }, dedupeKey: 'post-failure-1', source: 'command' };
    const { triageId: id } = await h.service.start(req);
    const stopped = await waitFor('the triage to stop', async () => {
      const r = await h.service.get(id);
      return r?.state === 'failed' && r;
    }, 20_000);
    expect(stopped.failure).toMatchObject({ stage: 'post', job: 'post_card', reason: 'socket hang up' });
    expect(h.port.delivered(id).filter((c) => c.method === 'postCard')).toHaveLength(0);

    // The person runs the command again: its open triage starts again, and says so.
    const again = await h.service.start({ ...req, dedupeKey: 'post-failure-2' });
    expect(again).toMatchObject({ triageId: id, created: false, restarted: true });
    await waitFor('the bundle', async () => h.port.delivered(id).some((c) => c.method === 'postBundle'), 30_000);
    const record = await h.waitSettled(id);
    expect(record).toMatchObject({ state: 'routed', failure: null });
    const calls = h.port.delivered(id);
    expect(calls.filter((c) => c.method === 'postCard')).toHaveLength(1);
    expect(calls.filter((c) => c.method === 'postStep').map((c) => c.step).sort()).toEqual([...STEP_IDS].sort());
    expect(calls.filter((c) => c.method === 'postBundle')).toHaveLength(1);
  } finally {
    await w.close(5000);
  }
}, 60_000);
