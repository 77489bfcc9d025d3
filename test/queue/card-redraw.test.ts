/**
 * The card a person sees ends on the triage's final state, however its posts interleave: a card
 * posted while the triage settles is redrawn after it, and two redraws of one triage never run
 * at once (so an older drawing cannot land after a newer one).
 */
import { createHarness, waitFor, type Harness } from './harness';
import type { MemoryCall } from '../support/memory-port';

let h: Harness;
/** Calls to hold until the test lets them go (by method), and the calls seen starting. */
const holds = new Map<string, Promise<void>>();
const started: MemoryCall[] = [];
let inFlight = 0;
let overlapped = 0;

beforeAll(async () => {
  h = await createHarness('card-redraw', {
    scenario: 'scope_mismatch',
    port: {
      onCall: async (call) => {
        started.push(call);
        if (call.method === 'updateCard' && ++inFlight > 1) overlapped++;
        try {
          await holds.get(`${call.method}:${call.triageId}`);
        } finally {
          if (call.method === 'updateCard') inFlight--;
        }
      },
    },
  });
});
afterAll(() => h.close());

function hold(method: string, triageId: string): () => void {
  let release!: () => void;
  holds.set(`${method}:${triageId}`, new Promise<void>((r) => (release = r)));
  return () => {
    holds.delete(`${method}:${triageId}`);
    release();
  };
}

const lastCard = (id: string) => h.port.delivered(id).filter((c) => c.method === 'updateCard' || c.method === 'postCard').at(-1);

test('a card posted while its triage settles is redrawn to the settled state', async () => {
  const w = h.startWorkers();
  try {
    // The card's post is slow (a platform round trip under load): every step is collected and
    // the diagnosis made while it is in flight, so the card goes out drawn from the first record.
    const id = await h.startTriage();
    const release = hold('postCard', id);
    await waitFor('the card post to start', async () => started.some((c) => c.method === 'postCard' && c.triageId === id));
    await waitFor('the collection to finish', async () => {
      const done = await h.queues.collect.getJobs(['completed']);
      return done.some((j) => j.name === 'collect' && (j.data as { triageId: string }).triageId === id);
    });
    // …and every card update it asked for has run (finding no card yet).
    await waitFor('its card updates to run', async () => {
      const open = await h.queues.post.getJobs(['delayed', 'waiting', 'prioritized', 'active']);
      return !open.some((j) => j.name === 'update_card' && (j.data as { triageId: string }).triageId === id);
    });
    release();
    await waitFor('the card to show the diagnosis', async () => /scope_mismatch/.test(lastCard(id)?.text ?? ''), 10_000);
    const settled = await h.service.get(id);
    expect(lastCard(id)).toMatchObject({ method: 'updateCard', version: settled!.version });
  } finally {
    await w.close(5000);
  }
}, 30_000);

test('two redraws of one triage never run at once; the card ends on the latest record', async () => {
  const w = h.startWorkers({ postConcurrency: 8 });
  try {
    const id = await h.startTriage();
    await h.waitSettled(id);
    // A redraw is in flight (its platform call held) when a second one for the same triage is
    // run: a stalled job run again by another worker, say (a job ID deduplication cannot catch).
    const release = hold('updateCard', id);
    // The triage moves on (resolved) without its own update queued: the redraws below draw it.
    expect(await h.service.store.apply(id, { type: 'resolve', actor: { kind: 'user', id: 'U2', name: 'bob' } })).toMatchObject({ ok: true });
    await h.queues.post.add('update_card', { triageId: id }, { jobId: `redraw-a-${id}` });
    await waitFor('the first redraw to reach the platform', async () => started.some((c) => c.method === 'updateCard' && c.triageId === id));
    await h.queues.post.add('update_card', { triageId: id }, { jobId: `redraw-b-${id}` });
    await new Promise((r) => setTimeout(r, 1500));
    expect(overlapped).toBe(0);
    release();
    await waitFor('both redraws to finish', async () => {
      const states = await Promise.all([`redraw-a-${id}`, `redraw-b-${id}`].map(async (j) => (await h.queues.post.getJob(j))?.getState()));
      return states.every((s) => s === 'completed');
    }, 10_000);
    expect(overlapped).toBe(0);
    const latest = await h.service.get(id);
    expect(await h.service.store.view(id)).toMatchObject({ cardVersion: latest!.version });
  } finally {
    await w.close(5000);
  }
}, 30_000);
