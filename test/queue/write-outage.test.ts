/**
 * No triage left behind after Redis refuses writes for longer than a job's retries
 * (`maxmemory` reached under `noeviction`, then freed): the collect job can use up its attempts
 * (BullMQ's scripts that start with a delete still run while other writes are refused) and land in
 * the failed set, where re-adding its ID does nothing, while its worker is refused recording
 * that. The triage must not stay "Collecting evidence" for a day: a redelivery starts it again,
 * and without one the reconciler stops it visibly, with a card that says what failed and why and
 * a *Retry* that starts it again.
 *
 * What a real outage leaves behind depends on which of BullMQ's scripts Redis happened to refuse
 * (a job can instead wait out the outage in the wait list, or a post job fail for good first), so
 * the last test runs a real one and asserts only what must hold on every path; the others build
 * the one state each is about (a collect job failed for good, its failure unrecorded) with
 * BullMQ's own calls: the job taken as a worker takes it, and failed for good.
 */
import IORedis from 'ioredis';
import { UnrecoverableError, Worker } from 'bullmq';
import { Registry } from 'prom-client';
import { buildStatusCard } from '../../adapters/slack/render/card';
import { createCommandFlow } from '../../src/commands/flow';
import { ingressMetrics } from '../../src/ingress/metrics';
import type { StartTriageRequest } from '../../src/ingress/service-api';
import { jobIds, QUEUE_NAMES } from '../../src/queue/jobs';
import { triageMetrics } from '../../src/queue/metrics';
import { reviveTriage } from '../../src/queue/reconciler';
import { createRedactor } from '../../src/redact/redact';
import type { TriageStore } from '../../src/store/triage-store';
import { STEP_IDS } from '../../src/triage/model';
import type { TestRedis, WriteRefusals } from '../support/redis-server';
import { createHarnessOnRefusingRedis, inputOf, SIGNING_KEY, silent, waitFor, type Harness, type RefusingRedisHarness } from './harness';

const OOM = "OOM command not allowed when used memory > 'maxmemory'.";

let stack: RefusingRedisHarness;
let redis: TestRedis;
let writes: WriteRefusals;
let h: Harness;
beforeAll(async () => {
  // Slow enough that writes are refused while the collection is under way.
  stack = await createHarnessOnRefusingRedis('outage', { scenario: 'grant_missing', sim: { latencyMs: { '*': 60 } } });
  ({ redis, writes, h } = stack);
});
afterAll(() => stack.close());

let n = 0;
function request(): StartTriageRequest {
  n++;
  return { input: inputOf(h.sim.scenario), destination: { platform: 'slack', channel: `C-outage-${n}` }, actor: { kind: 'user', id: 'U1', name: 'oncall' }, dedupeKey: `outage-${n}`, source: 'command' };
}

/**
 * A triage whose collect job failed for good with Redis's refusal as its reason, and whose
 * failure was never recorded on the triage (its worker was refused that too): started while no
 * worker runs, its job taken the way a worker takes it and failed for good.
 */
async function strandedTriage(): Promise<{ id: string; req: StartTriageRequest }> {
  const req = request();
  const { triageId: id } = await h.service.start(req);
  const connection = new IORedis(redis.url, { maxRetriesPerRequest: null });
  const taker = new Worker(QUEUE_NAMES.collect, null, { connection, prefix: h.queues.bullPrefix, autorun: false });
  try {
    const job = await taker.getNextJob('test-taker', { block: false });
    expect(job?.id).toBe(jobIds.collect(id, 1));
    await job!.moveToFailed(new UnrecoverableError(OOM), 'test-taker', false);
    expect(await h.queues.collect.getJobState(jobIds.collect(id, 1))).toBe('failed');
  } finally {
    await taker.close();
    connection.disconnect();
  }
  const stranded = (await h.service.get(id))!;
  expect(stranded.failure ?? null).toBeNull();
  expect(stranded).toMatchObject({ state: 'locating', pending: expect.arrayContaining(['audit_trace']) });
  return { id, req };
}

/** One card, each step posted once, and a finished collection. */
async function expectFinishedOnce(id: string): Promise<void> {
  const record = await h.waitSettled(id, 30_000);
  expect(record).toMatchObject({ state: 'routed', pending: [], diagnosis: { cause: 'scope_not_granted' } });
  const calls = h.port.delivered(id);
  expect(calls.filter((c) => c.method === 'postCard')).toHaveLength(1);
  const steps = calls.filter((c) => c.method === 'postStep').map((c) => c.step);
  expect([...steps].sort()).toEqual([...STEP_IDS].sort());
  await waitFor('the bundle', async () => h.port.delivered(id).some((c) => c.method === 'postBundle'), 15_000);
  expect(h.port.delivered(id).filter((c) => c.method === 'postBundle')).toHaveLength(1);
}

const workers = (over: Parameters<Harness['startWorkers']>[0] = {}) => h.startWorkers({ retry: { baseMs: 40, capMs: 80 }, sweepEveryMs: 0, ...over });

test('a redelivery starts again a triage whose collect job failed for good (a new job, not the failed ID)', async () => {
  const { id, req } = await strandedTriage();
  const w = workers();
  try {
    // This is where it used to stay, "Collecting evidence", for 24 hours.
    const again = await h.service.start(req);
    expect(again).toEqual({ triageId: id, created: false, restarted: true });
    await expectFinishedOnce(id);
    const record = (await h.service.get(id))!;
    expect(record.collectVersion).toBeGreaterThan(1);
    expect(await h.queues.collect.getJobState(jobIds.collect(id, record.collectVersion!))).toBe('completed');
    expect(record.history.map((e) => e.action)).toEqual(expect.arrayContaining(['collecting evidence failed']));
  } finally {
    await w.close(5000);
  }
}, 60_000);

test('a redelivery collects again when a post\'s failure, recorded once writes were back, is the one the record kept', async () => {
  // A post job that failed for good during the outage records its failure once Redis takes
  // writes again (its worker's handler runs late); the collection's failure never was recorded.
  // Restarting must then collect the pending steps too, not only queue the posts again.
  const { id, req } = await strandedTriage();
  const late = await h.service.store.apply(id, { type: 'job_failed', stage: 'post', job: 'update_card', reason: OOM });
  expect(late).toMatchObject({ ok: true, record: { state: 'failed', failure: { stage: 'post' }, pending: expect.arrayContaining(['audit_trace']) } });
  const w = workers();
  try {
    expect(await h.service.start(req)).toEqual({ triageId: id, created: false, restarted: true });
    await expectFinishedOnce(id);
    const record = (await h.service.get(id))!;
    expect(await h.queues.collect.getJobState(jobIds.collect(id, record.collectVersion!))).toBe('completed');
  } finally {
    await w.close(5000);
  }
}, 60_000);

test('a redelivery still starts it again when the post\'s failure is recorded between its look and its act', async () => {
  // The redelivery looks (collecting, its job failed for good) and acts guarded by the version
  // it saw; the post worker's late record lands in between. It must look again and restart,
  // not answer "in flight" and leave the triage stopped.
  const { id } = await strandedTriage();
  let raced = false;
  const real = h.service.store;
  // The real store, with a late writer slipped in before the first guarded apply.
  const store = Object.create(real) as TriageStore;
  store.apply = async (triageId, event, opts) => {
    if (!raced && opts?.guard) {
      raced = true;
      expect(await real.apply(triageId, { type: 'job_failed', stage: 'post', job: 'update_card', reason: OOM })).toMatchObject({ ok: true });
    }
    return real.apply(triageId, event, opts);
  };
  const metrics = triageMetrics(new Registry());
  const w = workers();
  try {
    const r = await reviveTriage({ queues: h.queues, audit: h.service.audit, cardDebounceMs: 50, store, metrics, logger: silent }, id, 'restart', { kind: 'user', id: 'U1', name: 'oncall' }, 'command');
    expect(raced).toBe(true);
    expect(r).toBe('restarted');
    await expectFinishedOnce(id);
  } finally {
    await w.close(5000);
  }
}, 60_000);

test('Retry on the card of a triage a post stopped collects again when its collection\'s job failed for good too', async () => {
  const { id } = await strandedTriage();
  expect(await h.service.store.apply(id, { type: 'job_failed', stage: 'post', job: 'update_card', reason: OOM })).toMatchObject({ ok: true, record: { failure: { stage: 'post' } } });
  const w = workers();
  try {
    const retried = await h.service.apply(id, { type: 'retry', actor: { kind: 'user', id: 'U2', name: 'bob' } }, 'slack_button');
    expect(retried).toMatchObject({ ok: true, record: { state: 'locating', failure: null } });
    await expectFinishedOnce(id);
  } finally {
    await w.close(5000);
  }
}, 60_000);

test('without a redelivery the reconciler stops the triage visibly within seconds; Retry on its card starts it again', async () => {
  const { id } = await strandedTriage();
  const w = workers({ sweepEveryMs: 300, reconcileGraceMs: 500 });
  try {
    const failed = await waitFor('the reconciler to stop it', async () => {
      const r = await h.service.get(id);
      return r?.state === 'failed' && r;
    }, 15_000);
    expect(failed.failure).toMatchObject({ stage: 'collect', job: 'collect', from: 'locating', reason: expect.stringContaining('OOM command not allowed') });
    // Its collection failed before it queued the card: the stop queues it, and it shows the stop.
    await waitFor('the card to show it', async () => h.port.delivered(id).some((c) => (c.method === 'postCard' || c.method === 'updateCard') && c.state === 'failed'), 10_000);

    // The card as Slack draws it: what failed, why, and a Retry button.
    const card = buildStatusCard(failed, { signingKey: SIGNING_KEY });
    const text = JSON.stringify(card.blocks);
    expect(text).toContain('Stopped: Collecting evidence failed');
    expect(text).toContain('OOM command not allowed');
    expect(text).toMatch(/\*Retry\* collects the \d missing steps again/);
    const retry = card.blocks.flatMap((b) => (b.type === 'actions' ? b.elements : [])).find((e) => e.type === 'button' && e.action_id === 'triage:retry');
    expect(retry).toBeDefined();

    // Clicked, through the one command flow every platform uses.
    const flow = createCommandFlow({ service: h.service, signingKey: SIGNING_KEY, metrics: ingressMetrics(new Registry()), logger: silent, redactor: createRedactor([]), readiness: async () => ({ ready: true, checks: [] }) });
    const clicked = await flow.action({
      platform: 'slack',
      value: (retry as { value: string }).value,
      actor: { kind: 'user', id: 'U2', name: 'bob' },
      authorize: () => ({ ok: true }),
      source: 'slack_button',
      fromCard: () => true,
    });
    expect(clicked).toMatchObject({ kind: 'applied', triageId: id, record: { state: 'locating', failure: null } });
    await expectFinishedOnce(id);
    expect((await h.service.get(id))!.history.map((e) => e.action)).toEqual(expect.arrayContaining(['collecting evidence failed', 'retry']));
  } finally {
    await w.close(5000);
  }
}, 60_000);

test('a real outage longer than a collect job\'s retries leaves no triage collecting: each one finishes, or stops visibly and finishes on Retry', async () => {
  const w = workers({ sweepEveryMs: 300, reconcileGraceMs: 500 });
  try {
    const started = await Promise.all([request(), request()].map(async (req) => (await h.service.start(req)).triageId));
    await waitFor('a first step', async () => {
      const records = await Promise.all(started.map((id) => h.service.get(id)));
      return records.every((r) => (r?.steps.length ?? 0) >= 1);
    }, 15_000, 10);
    // Twelve attempts 40-80 ms apart take about a second: refused for twice that.
    await writes.refuse();
    try {
      await new Promise((r) => setTimeout(r, 2500));
    } finally {
      await writes.allow();
    }
    for (const id of started) {
      // Finished (the job waited out the outage) or stopped visibly (its job failed for good;
      // its own worker or the reconciler recorded that): never "Collecting evidence" with
      // nothing collecting.
      const settled = await waitFor('the triage to finish or stop', async () => {
        const r = await h.service.get(id);
        return (r?.state === 'failed' || (r?.state === 'routed' && r.pending.length === 0)) && r;
      }, 20_000);
      if (settled.state === 'failed') {
        expect(settled.failure).toMatchObject({ reason: expect.stringContaining('OOM command not allowed') });
        expect(await h.service.apply(id, { type: 'retry', actor: { kind: 'user', id: 'U2', name: 'bob' } }, 'slack_button')).toMatchObject({ ok: true });
      }
      await expectFinishedOnce(id);
    }
  } finally {
    await w.close(5000);
  }
}, 60_000);
