/**
 * The posting pump of one conversation: the only process posting its threads' replies, one at
 * a time, in the order src/posting/thread-plan.ts gives (steps 1 to 8, then the bundle), however
 * the jobs that asked for them were scheduled, retried or delayed. One BullMQ job per
 * conversation (deduplicated; a lease covers a stalled run that is still alive) serves the
 * conversation's outbox, oldest triage first:
 *
 *   pick the first triage with a reply ready (skipping those still collecting the next step)
 *   → wait for the conversation's next send slot (the job is delayed, not slept)
 *   → fold: with other messages waiting, the reply carries all the consecutive steps ready
 *   → write the intent, post, record (markers set, intent cleared), go round again
 *
 * and ends when nothing is ready; the jobs that make a reply ready wake it again
 * (scheduleThread), and the sweeper wakes any pump whose outbox still holds work (wakeBusyPumps).
 */
import { UnrecoverableError, type Job } from 'bullmq';
import { ChatPermanentError, type ChatPort, type FoundPost, type MessageRef, type Platform, type PostOptions } from '../chat/port';
import { BUNDLE_KEY, nextReply, replyKey, stepKey, threadNext, type ThreadItem } from './thread-plan';
import type { PostIntent } from './post-intent';
import type { PostStore, ThreadView } from './post-store';
import { delayJob } from './delay';
import { enqueueCardUpdate, enqueuePump } from '../queue/effects';
import type { TriageQueues } from '../queue/queues';
import { PumpJobData } from '../queue/jobs';
import { isPermanent, isRateLimited, lookForEarlier, type PostDeps } from './post-common';

/** Triages looked at per pass: enough to get past a few still collecting. */
const SCAN = 25;
/** Replies one run may post back to back (only when slots come faster than posts). */
const MAX_PER_RUN = 50;
/** Cards asked for longer ago than this and still not posted (stuck, failing) no longer hold replies back. */
const CARD_HOLD_MS = 60_000;
/** Cards go first, but a continuous stream of them lets one reply through at least this often. */
const MAX_YIELD_MS = 45_000;

/** `inLine`: triages in the conversation's outbox when picked, if the scan saw all of them. */
type Next = { id: string; view: ThreadView & { ref: MessageRef }; ready: ThreadItem[]; inLine: number | null };

export type PumpOutcome = { idle: string } | { skipped: string };

export function createThreadPump(deps: PostDeps) {
  const { posts, limiter, metrics, logger } = deps;

  /** Out of the outbox, unless something became ready meanwhile (then back in, same place). */
  async function dropIfDone(platform: Platform, conversation: string, id: string): Promise<boolean> {
    await posts.dequeue(conversation, id);
    const again = await posts.threadView(id);
    if (again?.ref && !again.threadFailed && (again.intent || threadNext(again).kind !== 'done')) {
      await posts.enqueue(platform, conversation, id, Date.parse(again.record.createdAt) || Date.now());
      return false;
    }
    return true;
  }

  async function pick(platform: Platform, conversation: string): Promise<Next | null> {
    const ids = await posts.outbox(conversation, SCAN);
    // A short outbox is seen whole, which saves counting it again for each reply.
    let inLine: number | null = ids.length < SCAN ? ids.length : null;
    const gone = (): void => {
      if (inLine !== null) inLine--;
    };
    for (const id of ids) {
      const view = await posts.threadView(id);
      if (!view || !view.ref || view.threadFailed) {
        await posts.dequeue(conversation, id);
        gone();
        continue;
      }
      const withRef = view as ThreadView & { ref: MessageRef };
      if (view.intent) return { id, view: withRef, ready: [], inLine };
      const next = threadNext(view);
      if (next.kind === 'ready') return { id, view: withRef, ready: next.items, inLine };
      if (next.kind === 'done' && (await dropIfDone(platform, conversation, id))) gone();
    }
    return null;
  }

  function call(port: ChatPort, ref: MessageRef, n: Next, intent: PostIntent, opts: PostOptions): Promise<MessageRef | void> {
    const record = n.view.record;
    if (intent.kind === 'bundle') return port.postBundle(ref, record, opts);
    if (intent.kind === 'notice') {
      if (!port.postNotice) return Promise.reject(new ChatPermanentError('unsupported', `${port.platform} cannot post notices`));
      return port.postNotice(ref, record, intent.key, opts);
    }
    if (intent.steps.length > 1 && port.postSteps) return port.postSteps(ref, record, intent.steps, opts);
    return port.postStep(ref, record, intent.steps[0]!, opts);
  }

  /** The intent's items are still what the thread needs (a re-check may have replaced a result since) and this port can post them. */
  function stillNeeded(intent: PostIntent, v: ThreadView, port: ChatPort): boolean {
    if (intent.kind === 'bundle') return !!v.record.bundle && !v.posted.has(BUNDLE_KEY);
    if (intent.kind === 'notice') return (v.record.notices ?? []).some((x) => x.key === intent.key) && !v.posted.has(intent.key);
    if (intent.steps.length > 1 && !port.postSteps) return false;
    return intent.steps.every((s, i) => {
      const version = v.stepVersions[s];
      return version !== undefined && intent.items[i] === stepKey(s, version) && !v.posted.has(intent.items[i]!) && !v.record.pending.includes(s);
    });
  }

  const kindOf = (intent: PostIntent): string => (intent.kind === 'bundle' || intent.kind === 'notice' ? intent.kind : intent.steps.length > 1 ? 'folded' : 'step');

  async function recordDone(port: ChatPort, platform: Platform, n: Next, intent: PostIntent, posted: MessageRef | null): Promise<void> {
    const extra: Record<string, string> = {};
    if (intent.kind === 'bundle') {
      const at = posted ?? n.view.ref;
      const link = posted ? ((await port.permalink?.(posted).catch(() => null)) ?? null) : null;
      extra.bundleref = JSON.stringify({ ref: at, link });
    }
    await posts.recordReply(n.id, 'thread', intent.items, extra);
    metrics.threadReplies.inc({ platform, kind: kindOf(intent) });
    // An escalated card links the bundle; it was drawn before the bundle existed.
    if (intent.kind === 'bundle' && n.view.record.state === 'escalated') await enqueueCardUpdate(deps, n.id);
  }

  async function reply(job: Job, token: string | undefined, port: ChatPort, platform: Platform, conversation: string, n: Next, backlog: number): Promise<void> {
    const ref = n.view.ref;
    let intent = n.view.intent;
    if (intent) {
      const identity = { triageId: n.id, key: intent.key };
      let found: FoundPost | null;
      try {
        found = await lookForEarlier(deps, port, platform, ref, identity, intent);
      } catch (e) {
        if (isRateLimited(e)) return await delayJob(job, token, e.retryAfterMs);
        throw e;
      }
      if (found) {
        // Posted by a run that died before recording it: finish what follows it (a file), keep it.
        const kept = (await call(port, ref, n, intent, { identity, found })) ?? found.ref;
        logger.info({ triageId: n.id, key: intent.key }, 'a reply an earlier run posted was found; kept it instead of posting again');
        return recordDone(port, platform, n, intent, kept);
      }
      if (!stillNeeded(intent, n.view, port)) return posts.clearIntent(n.id, 'thread');
    } else {
      const items = nextReply(n.ready, backlog, limiter.fold(platform), port.postSteps && !n.view.noFold ? (port.capabilities.foldSteps ?? 1) : 1);
      intent = {
        key: replyKey(items),
        kind: items[0]!.kind === 'step' ? 'steps' : items[0]!.kind,
        items: items.map((i) => i.key),
        steps: items.flatMap((i) => (i.kind === 'step' ? [i.step] : [])),
        at: Date.now(),
      };
      await posts.writeIntent(n.id, 'thread', intent);
    }
    const method = intent.kind === 'bundle' ? 'postBundle' : intent.kind === 'notice' ? 'postNotice' : intent.steps.length > 1 ? 'postSteps' : 'postStep';
    let posted: MessageRef | void;
    try {
      posted = await call(port, ref, n, intent, { identity: { triageId: n.id, key: intent.key } });
      metrics.chatCalls.inc({ platform, method, outcome: 'ok' });
    } catch (e) {
      if (isRateLimited(e)) {
        metrics.chatCalls.inc({ platform, method, outcome: 'rate_limited' });
        metrics.chatDelays.inc({ platform, reason: 'retry_after' });
        logger.warn({ triageId: n.id, retryAfterMs: e.retryAfterMs }, 'chat platform rate limited; the conversation waits');
        // Nothing was stored: the next attempt plans afresh.
        await Promise.all([posts.clearIntent(n.id, 'thread'), limiter.block(platform, 'post', conversation, e.retryAfterMs)]);
        return await delayJob(job, token, e.retryAfterMs);
      }
      if (isPermanent(e) && e.affects === 'message' && intent.steps.length > 1) {
        // A folded reply the platform will not take: nothing is dropped, its steps go one per reply.
        metrics.chatCalls.inc({ platform, method, outcome: 'permanent' });
        logger.warn({ triageId: n.id, key: intent.key, code: e.code }, 'a folded reply was refused; posting its steps one by one');
        await Promise.all([posts.clearIntent(n.id, 'thread'), posts.markNoFold(n.id)]);
        return;
      }
      if (isPermanent(e)) {
        metrics.chatCalls.inc({ platform, method, outcome: 'permanent' });
        logger.error({ triageId: n.id, key: intent.key, code: e.code, affects: e.affects }, `thread reply refused for good: ${e.message}`);
        // The thread moves on without it; a conversation that refuses everything gets no more tries.
        const extra: Record<string, string> = { [`failed:${intent.key}`]: e.code };
        if (e.affects === 'conversation') extra.threadfail = `${e.code}: ${e.message}`.slice(0, 500);
        await posts.recordReply(n.id, 'thread', intent.items, extra);
        return;
      }
      // A timeout or a reset connection may have been stored: the intent stays for the next run.
      metrics.chatCalls.inc({ platform, method, outcome: 'error' });
      throw e;
    }
    await recordDone(port, platform, n, intent, posted ?? null);
  }

  return async function pump(job: Job, token?: string): Promise<PumpOutcome> {
    const parsed = PumpJobData.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid pump job data: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    const { platform, conversation } = parsed.data;
    const port = deps.ports[platform];
    if (!port) throw new UnrecoverableError(`no chat port for ${platform} in this worker; start it with ${platform} configured`);
    const me = token ?? job.id ?? 'pump';
    const holder = job.id ?? `pump-${conversation}`;
    if (!(await posts.takeConversation(conversation, me, deps.leaseMs))) {
      metrics.chatDelays.inc({ platform, reason: 'busy' });
      return await delayJob(job, token, deps.leaseMs / 2);
    }
    try {
      for (let sent = 0; sent < MAX_PER_RUN; sent++) {
        const next = await pick(platform, conversation);
        if (!next) return { idle: 'nothing ready to post' };
        // Cards first: while cards for this channel are still to be posted, replies wait for them.
        const now = Date.now();
        const yielding = parsed.data.yielding;
        if (next.view.destination && (await posts.cardsPending(next.view.destination, now - CARD_HOLD_MS)) > 0 && !(yielding && now - yielding > MAX_YIELD_MS)) {
          metrics.chatDelays.inc({ platform, reason: 'cards_first' });
          if (!yielding) await job.updateData({ ...parsed.data, yielding: now });
          return await delayJob(job, token, limiter.intervalMs(platform, 'post'));
        }
        if (yielding) {
          parsed.data.yielding = undefined;
          await job.updateData({ platform, conversation });
        }
        const admission = await limiter.admit(platform, 'post', conversation, holder);
        if (admission.waitMs > 0) {
          metrics.chatDelays.inc({ platform, reason: 'limiter' });
          return await delayJob(job, token, admission.waitMs);
        }
        // Deep: other triages wait in this conversation, or other posts (cards) are booked after this one.
        const others = Math.max(0, (next.inLine ?? (await posts.outboxSize(conversation))) - 1);
        await reply(job, token, port, platform, conversation, next, others + admission.queued);
      }
      return await delayJob(job, token, 1);
    } finally {
      await posts.releaseConversation(conversation, me);
    }
  };
}

/**
 * A triage has (or may have) replies to post in the conversation of its card: put it in that
 * conversation's outbox (oldest triage first) and wake the pump.
 */
export async function scheduleThread(ctx: { queues: TriageQueues; posts: PostStore }, platform: Platform, conversation: string, triageId: string, createdAt: string): Promise<void> {
  await ctx.posts.enqueue(platform, conversation, triageId, Date.parse(createdAt) || Date.now());
  await enqueuePump(ctx, platform, conversation);
}

/** Wakes the pump of every conversation that still has replies to post (a pump that failed for good leaves its outbox to the next one). */
export async function wakeBusyPumps(ctx: { queues: TriageQueues; posts: PostStore }): Promise<void> {
  for (const c of await ctx.posts.busyConversations()) await enqueuePump(ctx, c.platform, c.conversation);
}
