/**
 * Carries out the effects the pure state machine returns, by enqueueing jobs (never by doing
 * the work inline): collect → a collect job; post_step, post_notice → a post job; update_card →
 * one coalesced card update per triage; audit → an entry in the audit chain; escalate,
 * pagerduty_resolve → a job of the worker's PagerDuty calls (src/followup). Job IDs are derived
 * from the triage, step and record version, so enqueueing the same effect twice (a retried job)
 * adds nothing while the first job exists, and the store's markers cover the time after.
 */
import type { AuditLog } from '../audit/log';
import type { Effect } from '../triage/machine';
import type { TriageRecord, TriageState } from '../triage/record';
import type { StepId } from '../triage/model';
import type { Platform } from '../chat/port';
import { CAPPED_BACKOFF } from './backoff';
import { COLLECT_JOBS, jobIds, type CollectJobData, type EscalateJobData, type PostJobData, type PumpJobData } from './jobs';
import type { TriageQueues } from './queues';

export interface EffectContext {
  queues: TriageQueues;
  audit: AuditLog;
  /** Card updates wait this long, so a burst of changes becomes one edit (latest wins). */
  cardDebounceMs: number;
  /**
   * Optional in-process memory of card updates this process queued recently (triage → time
   * until which that delayed job certainly has not started). Lets a worker skip adds that
   * BullMQ's deduplication would drop anyway, saving a Redis round trip per collected step.
   */
  recentCardUpdates?: Map<string, number>;
}

export interface Applied {
  record: TriageRecord;
  effects: Effect[];
  from: TriageState;
}

/**
 * `coalesce`: card updates may be skipped when this process queued one moments ago (workers).
 * `freshReads`: the collect job must read Caracal past the worker's shared read cache ("Fixed,
 * re-check": the person just changed something and wants to see it).
 */
export async function carryOutEffects(ctx: EffectContext, applied: Applied, source: string, opts: { coalesce?: boolean; freshReads?: boolean } = {}): Promise<void> {
  const { record } = applied;
  const work: Array<Promise<unknown>> = [];
  for (const effect of applied.effects) {
    switch (effect.type) {
      case 'collect':
        work.push(enqueueCollect(ctx, record.id, effect.steps, record.version, { fresh: opts.freshReads }));
        break;
      case 'post_step':
        work.push(enqueuePostStep(ctx, record.id, effect.step, record.version));
        break;
      case 'repost':
        work.push(enqueueReposts(ctx, record));
        break;
      case 'update_card':
        work.push(opts.coalesce ? enqueueCardUpdateCoalesced(ctx, record.id) : enqueueCardUpdate(ctx, record.id));
        break;
      case 'post_notice':
        work.push(enqueuePostNotice(ctx, record.id, effect.key));
        break;
      case 'escalate':
        work.push(enqueueEscalation(ctx, record.id, effect.n));
        break;
      case 'pagerduty_resolve':
        work.push(enqueueEscalation(ctx, record.id, null));
        break;
      case 'audit':
        work.push(
          ctx.audit.append({
            actor: effect.actor,
            action: effect.action,
            source,
            triageId: record.id,
            requestId: record.input.requestId,
            from: effect.from,
            to: effect.to,
            ...(effect.step ? { step: effect.step } : {}),
          }),
        );
        break;
    }
  }
  await Promise.all(work);
}

/**
 * Which post jobs a worker takes first when many wait (BullMQ: a job without a priority comes
 * before any prioritized one, lower numbers before higher): cards, then card updates, then the
 * pumps that post thread replies, then the step and bundle jobs that only hand over to them.
 */
export const POST_PRIORITY = { update: 1, pump: 2, handOver: 3 } as const;

export function enqueueCollect(ctx: Pick<EffectContext, 'queues'>, triageId: string, steps: StepId[], version: number, opts: { fresh?: boolean } = {}): Promise<unknown> {
  const data: CollectJobData = { triageId, steps, index: 0, version, ...(opts.fresh ? { fresh: true } : {}) };
  return ctx.queues.collect.add('collect', data, { jobId: jobIds.collect(triageId, version) });
}

/** `restartVersion`: the record's, once retried (a new job ID; see jobIds.card). */
export function enqueuePostCard(ctx: Pick<EffectContext, 'queues'>, triageId: string, restartVersion?: number | null): Promise<unknown> {
  const data: PostJobData = { triageId };
  return ctx.queues.post.add('post_card', data, { jobId: jobIds.card(triageId, restartVersion) });
}

export function enqueuePostStep(ctx: Pick<EffectContext, 'queues'>, triageId: string, step: StepId, version: number, restartVersion?: number | null): Promise<unknown> {
  const data: PostJobData = { triageId, step, version };
  return ctx.queues.post.add('post_step', data, { jobId: jobIds.step(triageId, step, version, restartVersion), priority: POST_PRIORITY.handOver });
}

export function enqueuePostBundle(ctx: Pick<EffectContext, 'queues'>, triageId: string, version: number, restartVersion?: number | null): Promise<unknown> {
  const data: PostJobData = { triageId, version };
  return ctx.queues.post.add('post_bundle', data, { jobId: jobIds.bundle(triageId, version, restartVersion), priority: POST_PRIORITY.handOver });
}

/**
 * After a Retry: the card (post_card finds it posted and does nothing), each collected step's
 * reply, the bundle and the thread's notices (their jobs find them posted, by marker, or hand
 * them to the thread), and
 * a card update, all under job IDs that carry the retry's version, since the jobs that failed
 * still hold the old ones.
 */
export function enqueueReposts(ctx: Pick<EffectContext, 'queues' | 'cardDebounceMs'>, record: TriageRecord): Promise<unknown> {
  const again = record.restartVersion ?? record.version;
  return Promise.all([
    enqueuePostCard(ctx, record.id, again),
    ...record.steps.map((s) => enqueuePostStep(ctx, record.id, s.id, record.version, again)),
    ...(record.bundle ? [enqueuePostBundle(ctx, record.id, record.version, again)] : []),
    ...(record.notices ?? []).map((n) => enqueuePostNotice(ctx, record.id, n.key, again)),
    enqueueCardUpdate(ctx, record.id),
  ]);
}

/** A notice (an escalation's mention, a reminder): handed to the thread once the card exists. */
export function enqueuePostNotice(ctx: Pick<EffectContext, 'queues'>, triageId: string, key: string, restartVersion?: number | null): Promise<unknown> {
  const data: PostJobData = { triageId, notice: key };
  return ctx.queues.post.add('post_notice', data, { jobId: jobIds.notice(triageId, key, restartVersion), priority: POST_PRIORITY.handOver });
}

/**
 * Escalation `n`'s PagerDuty calls, or (n null) the resolve of the triage's PagerDuty alert. The
 * job retries PagerDuty's "try again" answers itself, with its own backoff (src/followup); the
 * attempts here only cover a worker that died or a Redis error.
 */
export function enqueueEscalation(ctx: Pick<EffectContext, 'queues'>, triageId: string, n: number | null): Promise<unknown> {
  const data: EscalateJobData = n === null ? { triageId } : { triageId, n };
  const name = n === null ? COLLECT_JOBS.pagerdutyResolve : COLLECT_JOBS.escalate;
  return ctx.queues.collect.add(name, data, { jobId: n === null ? jobIds.pagerdutyResolve(triageId) : jobIds.escalate(triageId, n), attempts: 5 });
}

/**
 * Latest wins: BullMQ deduplication keeps at most one waiting update per triage (and, with
 * keepLastIfActive, queues exactly one more while another runs); the job reads the latest
 * record when it runs, so nothing is lost by dropping the intermediate requests.
 */
export function enqueueCardUpdate(ctx: Pick<EffectContext, 'queues' | 'cardDebounceMs'>, triageId: string): Promise<unknown> {
  const data: PostJobData = { triageId };
  return ctx.queues.post.add('update_card', data, {
    priority: POST_PRIORITY.update,
    deduplication: { id: jobIds.cardUpdate(triageId), keepLastIfActive: true },
    delay: ctx.cardDebounceMs,
  });
}

/**
 * As enqueueCardUpdate, but skips the add when this process queued an update for the triage
 * so recently that the delayed job cannot have started yet (it will read the latest record).
 * Only half the debounce counts as "certainly not started", leaving room for clock skew
 * between workers; the final update of a collection never goes through here.
 */
export function enqueueCardUpdateCoalesced(ctx: Pick<EffectContext, 'queues' | 'cardDebounceMs' | 'recentCardUpdates'>, triageId: string): Promise<unknown> {
  const recent = ctx.recentCardUpdates;
  const now = Date.now();
  if (recent && ctx.cardDebounceMs >= 100) {
    const until = recent.get(triageId);
    if (until !== undefined && now < until) return Promise.resolve();
    if (recent.size > 10_000) for (const [id, t] of recent) if (t <= now) recent.delete(id);
    recent.set(triageId, now + ctx.cardDebounceMs / 2);
  }
  return enqueueCardUpdate(ctx, triageId);
}

/**
 * Wake the conversation's pump. At most one waits and one runs per conversation (BullMQ
 * deduplication; keepLastIfActive queues one more run when this arrives while it runs, so work
 * added at the moment it finds nothing left is never missed). A pump waiting for its slot is
 * left alone: it will see the new work when it runs.
 */
export function enqueuePump(ctx: Pick<EffectContext, 'queues'>, platform: Platform, conversation: string): Promise<unknown> {
  const data: PumpJobData = { platform, conversation };
  return ctx.queues.post.add('pump', data, {
    priority: POST_PRIORITY.pump,
    deduplication: { id: jobIds.pump(conversation), keepLastIfActive: true },
    attempts: 20,
    backoff: CAPPED_BACKOFF,
    removeOnComplete: true,
  });
}
