/**
 * No triage left behind: what happens when a triage's job fails for good or goes missing.
 *
 *   recordFailedForGood  a collect or post job used up its attempts (or was refused outright):
 *                        its triage moves to `failed` (machine `job_failed`), so its card says
 *                        what failed and why and offers *Retry*, instead of collecting forever.
 *   reviveTriage         one triage's jobs looked at, and acted on:
 *                          job waiting, delayed or running     nothing (it is in flight)
 *                          job missing, nothing applied since   the same job added again
 *                          job missing or finished otherwise    a new collection (`retry`)
 *                          job failed                           `reconcile`: the triage stops
 *                                                               visibly; `restart`: and starts again
 *                        `restart` is for a person or source asking again (a repeated command,
 *                        a redelivered incident): a failed triage restarts too.
 *   reconcileStranded    the sweeper's pass (every sweep, about a minute): every open triage
 *                        idle for `graceMs` is revived in `reconcile` mode, so a triage whose
 *                        job was lost, or whose failure could not be recorded while Redis refused
 *                        writes, is put right within minutes rather than at the 24 h sweep.
 *
 * A job that stalls (its worker died) is BullMQ's: another worker takes it once its lock lapses;
 * one that stalls too often fails, and is then a failed job like any other. New attempts get new
 * job IDs (the retry's version is in them): BullMQ ignores an add whose ID sits in its failed set.
 */
import type { Job, Queue } from 'bullmq';
import pino, { type Logger } from 'pino';
import { createRedactor } from '../redact/redact';
import type { TriageStore } from '../store/triage-store';
import type { TriageEvent } from '../triage/machine';
import { FINAL_STATES, type Actor, type TriageRecord } from '../triage/record';
import { carryOutEffects, enqueueCardUpdate, enqueueCollect, enqueuePostCard, type EffectContext } from './effects';
import { CollectJobData, jobIds, PostJobData, type QueueName } from './jobs';
import type { TriageMetrics } from './metrics';

export interface StrandedDeps extends EffectContext {
  store: TriageStore;
  metrics: TriageMetrics;
  logger?: Logger;
  /** Redacts a job's error before it is stored on the record and shown on the card (default: the pattern rules). */
  redactText?: (text: string) => string;
}

export interface ReconcileDeps extends StrandedDeps {
  /** How long an open triage must have been idle before its jobs are looked at (ms). */
  graceMs: number;
  now?: () => number;
}

export type Revival = 'in_flight' | 'requeued' | 'restarted' | 'failed' | 'stopped' | 'fine' | 'gone';

export const RECONCILER: Actor = { kind: 'system', id: 'caracal-triage', name: 'reconciler' };

const IN_FLIGHT = new Set(['waiting', 'delayed', 'active', 'prioritized', 'waiting-children']);
const defaultRedactor = createRedactor([]);

function redacted(deps: StrandedDeps, text: string): string {
  return deps.redactText ? deps.redactText(text) : defaultRedactor.redactText(text).text;
}

/** Apply one event (only while the record is still the one looked at) and carry out its effects. */
async function act(deps: StrandedDeps, seen: TriageRecord, event: TriageEvent, source: string): Promise<boolean> {
  const r = await deps.store.apply(seen.id, event, { guard: (rec) => rec.version === seen.version });
  deps.metrics.transitions.inc({ event: event.type, outcome: r.ok ? (r.duplicate ? 'duplicate' : 'applied') : r.reason });
  if (!r.ok) return false;
  if (!r.duplicate) await carryOutEffects(deps, r, source);
  // The collection queues the card when it starts: one that failed for good before it started
  // (stalled too often, or refused at its first read) never did, and the stop would go unseen.
  // The card job's ID is fixed and it skips a card already posted, so this adds nothing otherwise.
  if (event.type === 'job_failed' && event.stage === 'collect') await enqueuePostCard(deps, seen.id, seen.restartVersion);
  return true;
}

/** A job that failed for good: the triage it served stops, visibly (a pump or the sweep serves no one triage). */
export async function recordFailedForGood(deps: StrandedDeps, queue: QueueName, job: Job, err: Error): Promise<void> {
  let event: Extract<TriageEvent, { type: 'job_failed' }>;
  let triageId: string;
  const reason = redacted(deps, err.message || job.failedReason || 'no reason given');
  if (queue === 'collect') {
    const data = CollectJobData.safeParse(job.data);
    if (job.name !== 'collect' || !data.success) return;
    triageId = data.data.triageId;
    event = { type: 'job_failed', stage: 'collect', job: job.name, reason, ...(data.data.version ? { collectVersion: data.data.version } : {}) };
  } else {
    const data = PostJobData.safeParse(job.data);
    if (job.name === 'pump' || !data.success) return;
    triageId = data.data.triageId;
    event = { type: 'job_failed', stage: 'post', job: job.name, reason };
  }
  const record = await deps.store.get(triageId);
  if (!record || FINAL_STATES.includes(record.state)) return;
  if (await act(deps, record, event, 'worker')) deps.logger?.warn({ triageId, queue, job: job.name, reason }, 'triage stopped: a job failed for good (its card offers Retry)');
}

/**
 * A triage a post stopped, with steps still pending, whose collection's job is not running
 * (failed for good, gone, or done): *Retry* must collect them again (retryPlan `collectionStopped`).
 */
export async function collectionStopped(queues: Pick<EffectContext['queues'], 'collect'>, record: TriageRecord): Promise<boolean> {
  if (record.state !== 'failed' || record.failure?.stage !== 'post' || record.pending.length === 0) return false;
  return (await lookAt(queues.collect, jobIds.collect(record.id, record.collectVersion ?? 1))).state !== 'in_flight';
}

type JobLook = { state: 'in_flight' | 'missing' | 'completed' } | { state: 'failed'; reason: string };

async function lookAt(queue: Queue, jobId: string): Promise<JobLook> {
  const state = await queue.getJobState(jobId);
  if (IN_FLIGHT.has(state)) return { state: 'in_flight' };
  if (state === 'completed') return { state: 'completed' };
  if (state === 'failed') {
    const job = await queue.getJob(jobId);
    return { state: 'failed', reason: job?.failedReason || 'the job failed' };
  }
  return { state: 'missing' };
}

/**
 * Looks at one open triage's jobs and acts on what it finds (see the table above). `actor` is
 * who asked: the person or source (`restart`), the reconciler (`reconcile`).
 */
export async function reviveTriage(deps: StrandedDeps, triageId: string, mode: 'restart' | 'reconcile', actor: Actor, source: string): Promise<Revival> {
  // The record can change between the look and the act (a post's failure recorded by its worker
  // once Redis takes writes again, a step arriving): each act is guarded by the version looked at,
  // so a change makes it miss, and what was seen is looked at again. A triage still changing after
  // three looks is being worked on: in flight.
  for (let look = 0; look < 3; look++) {
    const r = await reviveOnce(deps, triageId, mode, actor, source);
    if (r !== 'changed') return r;
  }
  return 'in_flight';
}

async function reviveOnce(deps: StrandedDeps, triageId: string, mode: 'restart' | 'reconcile', actor: Actor, source: string): Promise<Revival | 'changed'> {
  const view = await deps.store.view(triageId);
  if (!view) return 'gone';
  let record = view.record;
  if (FINAL_STATES.includes(record.state)) return 'fine';
  const restart = async (collectionStopped = false): Promise<Revival | 'changed'> => ((await act(deps, record, { type: 'retry', actor, collectionStopped }, source)) ? 'restarted' : 'changed');
  const stop = async (event: Extract<TriageEvent, { type: 'job_failed' }>): Promise<Revival | 'changed'> => {
    if (!(await act(deps, record, event, source))) return 'changed';
    if (mode === 'reconcile') return 'failed';
    record = (await deps.store.get(triageId)) ?? record;
    return restart();
  };

  if (record.state === 'failed') {
    if (mode !== 'restart') return 'stopped';
    // Stopped by a post, with steps still pending: their collection carries on only if its job
    // does. One that failed for good or is gone (Redis refused writes: a post's failure got
    // recorded, the collection's did not) is collected again, or the triage would say
    // "Collecting evidence" with nothing collecting.
    return restart(await collectionStopped(deps.queues, record));
  }

  if (record.pending.length > 0) {
    const collectVersion = record.collectVersion ?? 1;
    const job = await lookAt(deps.queues.collect, jobIds.collect(triageId, collectVersion));
    if (job.state === 'in_flight') return 'in_flight';
    if (job.state === 'failed') return stop({ type: 'job_failed', stage: 'collect', job: 'collect', reason: redacted(deps, job.reason), collectVersion });
    if (job.state === 'missing' && record.version === collectVersion) {
      // Asked for and never queued (a process died between the two), or lost: nothing was applied
      // since, so the same job is exactly what was asked for.
      await enqueueCollect(deps, triageId, record.pending, collectVersion);
      return 'requeued';
    }
    return restart();
  }

  if (!view.ref && !view.cardFailed) {
    const job = await lookAt(deps.queues.post, jobIds.card(triageId, record.restartVersion));
    if (job.state === 'in_flight') return 'in_flight';
    if (job.state === 'failed') return stop({ type: 'job_failed', stage: 'post', job: 'post_card', reason: redacted(deps, job.reason) });
    if (job.state === 'missing') {
      await enqueuePostCard(deps, triageId, record.restartVersion);
      return 'requeued';
    }
    return stop({ type: 'job_failed', stage: 'post', job: 'post_card', reason: 'the card job finished without posting the card' });
  }

  // A card that missed its last update (the update's job was lost) is brought up to date.
  if (view.ref && view.cardVersion < record.version) await enqueueCardUpdate(deps, triageId);
  return 'fine';
}

/** The sweeper's pass over open triages idle for `graceMs` (at most `limit` of them, oldest first). */
export async function reconcileStranded(deps: ReconcileDeps, limit = 5000): Promise<Partial<Record<Revival, number>>> {
  const now = deps.now ?? Date.now;
  const ids = await deps.store.findStale(now() - deps.graceMs, limit);
  const counts: Partial<Record<Revival, number>> = {};
  const logger = deps.logger ?? pino({ level: 'silent' });
  for (let i = 0; i < ids.length; i += 25) {
    await Promise.all(
      ids.slice(i, i + 25).map(async (id) => {
        const r = await reviveTriage(deps, id, 'reconcile', RECONCILER, 'reconciler').catch((e: Error) => {
          logger.warn({ triageId: id, err: e.message }, 'could not reconcile a triage; the next sweep tries again');
          return 'in_flight' as const;
        });
        counts[r] = (counts[r] ?? 0) + 1;
        if (r === 'requeued' || r === 'restarted' || r === 'failed') deps.metrics.reconciled.inc({ action: r });
      }),
    );
  }
  const acted = (counts.requeued ?? 0) + (counts.restarted ?? 0) + (counts.failed ?? 0);
  if (acted > 0) logger.info({ requeued: counts.requeued ?? 0, restarted: counts.restarted ?? 0, failed: counts.failed ?? 0 }, 'reconciled triages whose job was missing or had failed');
  return counts;
}
