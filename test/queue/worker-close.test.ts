import { createTriageSession } from '../../src/triage/session';
import type { CreateTriageSession } from '../../src/triage/session-api';
import { createHarness, waitFor, type Harness } from './harness';

/** A session whose steps never finish: the job stays in its processor until the worker lets go. */
const hangingSession: CreateTriageSession = (client, input) =>
  Object.assign(Object.create(createTriageSession(client, input)), { runStep: () => new Promise<never>(() => undefined) });

describe('closing workers while a job never finishes', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('stuckclose', { scenario: 'grant_missing', worker: { lockDurationMs: 1000, stalledIntervalMs: 500 } });
  });
  afterAll(async () => {
    await h.close();
  });

  test('close() lets go of the job after its timeout, the workers really close, and another worker finishes the triage', async () => {
    const stuck = h.startWorkers({ createSession: hangingSession });
    let closed = false;
    stuck.collectWorker!.once('closed', () => (closed = true));
    const id = await h.startTriage();
    await waitFor('collect job to be active', async () => (await h.queues.collect.getJobState(`collect-${id}-v1`)) === 'active');

    await stuck.close(500);
    // The worker finished closing (no lock renewal, no blocking connection left behind).
    expect(closed).toBe(true);
    expect(stuck.collectWorker!.isRunning()).toBe(false);
    // The job was left as it was, for another worker to pick up as a stalled job.
    expect(await h.queues.collect.getJobState(`collect-${id}-v1`)).toBe('active');

    h.startWorkers();
    const record = await h.waitSettled(id);
    expect(record).toMatchObject({ state: 'routed', diagnosis: { cause: 'scope_not_granted' } });
    expect(h.port.delivered(id).filter((c) => c.method === 'postCard')).toHaveLength(1);
  });
});
