/**
 * The conversation pump's edges, through the real workers and a recording port: a reply the
 * platform refuses for good is left out and the thread goes on in order; a conversation that
 * refuses everything (archived, bot removed) gets no more tries for that thread.
 */
import { ChatPermanentError } from '../../src/chat/port';
import { STEP_IDS } from '../../src/triage/model';
import { createHarness, waitFor, type Harness } from '../queue/harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness('pump', { scenario: 'grant_missing' });
  h.startWorkers();
});
afterAll(() => h.close());

const thread = (id: string) => h.port.delivered(id).filter((c) => c.method === 'postStep' || c.method === 'postSteps' || c.method === 'postBundle');
const reads = (id: string) => thread(id).flatMap((c) => (c.method === 'postBundle' ? ['bundle'] : (c.steps ?? [])));

test('a reply refused for good is left out; the rest of the thread follows in order', async () => {
  h.port.failNext(1, new ChatPermanentError('msg_too_long', 'too long for Slack', 'message'), 'postStep');
  const id = await h.startTriage();
  await waitFor('the bundle', async () => thread(id).some((c) => c.method === 'postBundle'));
  expect(reads(id)).toEqual([...STEP_IDS.slice(1), 'bundle']);
  const refused = h.port.calls.find((c) => c.triageId === id && c.outcome === 'error')!;
  expect(refused.step).toBe('readiness');
  expect(await h.redis.hget(h.service.store.keys.triage(id), 'failed:' + refused.key)).toBe('msg_too_long');
});

test('a conversation that refuses everything stops being tried for that thread', async () => {
  h.port.failNext(1, new ChatPermanentError('is_archived', 'the channel is archived', 'conversation'), 'postStep');
  const id = await h.startTriage();
  await waitFor('the refusal', async () => h.port.calls.some((c) => c.triageId === id && c.outcome === 'error'));
  await waitFor('the queues to settle', async () => {
    const c = await h.queues.post.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    return Object.values(c).every((n) => n === 0);
  });
  expect(thread(id)).toEqual([]);
  expect(h.port.calls.filter((c) => c.triageId === id && (c.method === 'postStep' || c.method === 'postSteps' || c.method === 'postBundle'))).toHaveLength(1);
  expect(await h.redis.hget(h.service.store.keys.triage(id), 'threadfail')).toMatch(/^is_archived/);
});

describe('a busy conversation', () => {
  let busy: Harness;
  beforeAll(async () => {
    busy = await createHarness('pump-busy', { scenario: 'grant_missing' });
    // Ten posts a second: slower than the simulator answers, so replies wait long enough for
    // their steps to pile up and be folded.
    busy.startWorkers({ limits: { slack: { post: { points: 10, durationSec: 1 }, update: { points: 10, durationSec: 1 } } } });
  });
  afterAll(() => busy.close());

  test('folds waiting steps; a folded reply the platform refuses is posted again step by step, nothing dropped', async () => {
    busy.port.failNext(1, new ChatPermanentError('msg_blocks_too_long', 'too long for one message', 'message'), 'postSteps');
    const destination = { platform: 'slack' as const, channel: 'C-pump-busy' };
    const input = { requestId: busy.sim.scenario.input.requestId, symptom: null, error: null };
    const ids: string[] = [];
    for (const zoneId of ['z1', 'z2', 'z3']) ids.push(await busy.startTriage({ destination, input: { ...input, zoneId } }));
    const threadOf = (id: string) => busy.port.delivered(id).filter((c) => c.method === 'postStep' || c.method === 'postSteps' || c.method === 'postBundle');
    await waitFor('every bundle', async () => ids.every((id) => threadOf(id).some((c) => c.method === 'postBundle')), 60_000);
    for (const id of ids) expect(threadOf(id).flatMap((c) => (c.method === 'postBundle' ? ['bundle'] : (c.steps ?? [])))).toEqual([...STEP_IDS, 'bundle']);
    const refused = busy.port.calls.find((c) => c.outcome === 'error')!;
    expect(refused.method).toBe('postSteps');
    // That triage's steps then went one per reply.
    expect(threadOf(refused.triageId).filter((c) => c.method === 'postSteps')).toHaveLength(0);
    // The others were folded.
    expect(ids.filter((id) => id !== refused.triageId).some((id) => threadOf(id).some((c) => c.method === 'postSteps'))).toBe(true);
  }, 90_000);
});
