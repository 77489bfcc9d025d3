/**
 * No triage left behind after Redis refuses writes for longer than a job's retries
 * (`maxmemory` reached under `noeviction`, then freed): the collect job uses up its attempts
 * (BullMQ records attempts while the store's writes are refused) and lands in the failed set,
 * where re-adding its ID does nothing. The triage must not stay "Collecting evidence" for a day:
 * a redelivery starts it again, and without one the reconciler stops it visibly, with a card
 * that says what failed and why and a *Retry* that starts it again.
 */
import IORedis, { type Redis } from 'ioredis';
import pino from 'pino';
import { Registry } from 'prom-client';
import { buildStatusCard } from '../../adapters/slack/render/card';
import { createCommandFlow } from '../../src/commands/flow';
import { ingressMetrics } from '../../src/ingress/metrics';
import type { StartTriageRequest } from '../../src/ingress/service-api';
import { jobIds } from '../../src/queue/jobs';
import { createRedactor } from '../../src/redact/redact';
import { STEP_IDS } from '../../src/triage/model';
import { startRedis, type TestRedis } from '../support/redis-server';
import { createHarness, inputOf, SIGNING_KEY, silent, waitFor, type Harness } from './harness';

let redis: TestRedis;
let admin: Redis;
let h: Harness;
beforeAll(async () => {
  redis = await startRedis();
  admin = new IORedis(redis.url);
  // Slow enough that writes are refused while the collection is under way.
  h = await createHarness('outage', { redisUrl: redis.url, scenario: 'grant_missing', sim: { latencyMs: { '*': 60 } } });
});
afterAll(async () => {
  await admin.config('SET', 'maxmemory', '0').catch(() => undefined);
  await h.close();
  admin.disconnect();
  await redis.destroy();
});

const refuseWrites = () => admin.config('SET', 'maxmemory', '1');
const allowWrites = () => admin.config('SET', 'maxmemory', '0');

let n = 0;
function request(): StartTriageRequest {
  n++;
  return { input: inputOf(h.sim.scenario), destination: { platform: 'slack', channel: `C-outage-${n}` }, actor: { kind: 'user', id: 'U1', name: 'oncall' }, dedupeKey: `outage-${n}`, source: 'command' };
}

/**
 * Starts a triage, lets it collect a step, then refuses writes until its collect job has failed
 * for good (and, with `unrecorded`, until the worker has tried to record that and been refused).
 */
async function strandedTriage(unrecorded?: () => boolean): Promise<{ id: string; req: StartTriageRequest }> {
  const req = request();
  const { triageId: id } = await h.service.start(req);
  await waitFor('a first step', async () => ((await h.service.get(id))?.steps.length ?? 0) >= 1, 15_000, 10);
  await refuseWrites();
  try {
    await waitFor('the collect job to fail for good', async () => (await h.queues.collect.getJobState(jobIds.collect(id, 1))) === 'failed', 15_000);
    if (unrecorded) await waitFor('the worker to be refused recording the failure', async () => unrecorded(), 15_000);
  } finally {
    await allowWrites();
  }
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

test('a redelivery starts again a triage whose collect job failed for good (a new job, not the failed ID)', async () => {
  // The worker's log says when it could not record the failure (writes still refused).
  const lines: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
  const w = h.startWorkers({ retry: { baseMs: 40, capMs: 80 }, sweepEveryMs: 0, logger });
  try {
    const { id, req } = await strandedTriage(() => lines.some((l) => l.includes('"queue":"collect"') && l.includes('could not record a job that failed for good')));
    // Its failure could not be recorded either: this is where it used to stay for 24 hours. (A
    // post job that failed for good meanwhile may have recorded its own failure once writes were
    // back: the triage then reads "Posting to chat failed", still with its steps pending.)
    const stranded = (await h.service.get(id))!;
    expect(stranded.pending).toContain('audit_trace');
    expect(stranded.failure?.stage ?? 'none').not.toBe('collect');
    const again = await h.service.start(req);
    expect(again).toEqual({ triageId: id, created: false, restarted: true });
    await expectFinishedOnce(id);
    const record = (await h.service.get(id))!;
    expect(record.collectVersion).toBeGreaterThan(1);
    expect(await h.queues.collect.getJobState(jobIds.collect(id, record.collectVersion!))).toBe('completed');
  } finally {
    await w.close(5000);
  }
}, 60_000);

test('a redelivery collects again when a post\'s failure, recorded once writes were back, is the one the record kept', async () => {
  // A post job that failed for good during the outage records its failure once Redis takes
  // writes again (its worker's handler runs late); the collection's failure never was recorded.
  // Restarting must then collect the pending steps too, not only queue the posts again.
  // The worker's log says when it could not record the collection's failure (writes still
  // refused): only then is the record sure to keep the post's failure applied below.
  const lines: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
  const w = h.startWorkers({ retry: { baseMs: 40, capMs: 80 }, sweepEveryMs: 0, logger });
  try {
    const { id, req } = await strandedTriage(() => lines.some((l) => l.includes('"queue":"collect"') && l.includes('could not record a job that failed for good')));
    const late = await h.service.store.apply(id, { type: 'job_failed', stage: 'post', job: 'update_card', reason: "OOM command not allowed when used memory > 'maxmemory'." });
    expect(late).toMatchObject({ ok: true, record: { state: 'failed', failure: { stage: 'post' }, pending: expect.arrayContaining(['audit_trace']) } });
    expect(await h.service.start(req)).toEqual({ triageId: id, created: false, restarted: true });
    await expectFinishedOnce(id);
    const record = (await h.service.get(id))!;
    expect(await h.queues.collect.getJobState(jobIds.collect(id, record.collectVersion!))).toBe('completed');
  } finally {
    await w.close(5000);
  }
}, 60_000);

test('Retry on the card of a triage a post stopped collects again when its collection\'s job failed for good too', async () => {
  const lines: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
  const w = h.startWorkers({ retry: { baseMs: 40, capMs: 80 }, sweepEveryMs: 0, logger });
  try {
    const { id } = await strandedTriage(() => lines.some((l) => l.includes('"queue":"collect"') && l.includes('could not record a job that failed for good')));
    expect(await h.service.store.apply(id, { type: 'job_failed', stage: 'post', job: 'update_card', reason: "OOM command not allowed when used memory > 'maxmemory'." })).toMatchObject({ ok: true, record: { failure: { stage: 'post' } } });
    const retried = await h.service.apply(id, { type: 'retry', actor: { kind: 'user', id: 'U2', name: 'bob' } }, 'slack_button');
    expect(retried).toMatchObject({ ok: true, record: { state: 'locating', failure: null } });
    await expectFinishedOnce(id);
  } finally {
    await w.close(5000);
  }
}, 60_000);

test('without a redelivery the reconciler stops the triage visibly within seconds; Retry on its card starts it again', async () => {
  const w = h.startWorkers({ retry: { baseMs: 40, capMs: 80 }, sweepEveryMs: 300, reconcileGraceMs: 500 });
  try {
    const { id } = await strandedTriage();
    const failed = await waitFor('the reconciler to stop it', async () => {
      const r = await h.service.get(id);
      return r?.state === 'failed' && r;
    }, 15_000);
    expect(failed.failure).toMatchObject({ stage: 'collect', job: 'collect', from: 'locating', reason: expect.stringContaining('OOM command not allowed') });
    await waitFor('the card to show it', async () => h.port.delivered(id).some((c) => c.method === 'updateCard' && c.state === 'failed'), 10_000);

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
