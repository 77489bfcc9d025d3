/**
 * The return path's jobs, through the ChatPort of the triage's platform:
 *
 *   post_card    posts the card when its conversation's send order says so (cards book their
 *                slot as soon as they are asked for, so a card never waits behind a backlog of
 *                thread replies), exactly once (see below);
 *   update_card  redraws the card in place (coalesced; chat.update is idempotent);
 *   post_step, post_bundle, post_notice
 *                wait for the card, then hand the triage to the pump of the card's conversation
 *                (thread-pump.ts), which alone posts that conversation's replies, in thread order;
 *   pump         that pump.
 *
 * Exactly once, as a person sees it: a short lease keeps two live runs of the same post apart;
 * a marker in the triage's hash says it was made; and an intent written before the platform is
 * called (post-intent.ts) tells a run that follows a crash to look for the earlier copy
 * (ChatPort.findPost) and adopt it instead of posting again. A post that cannot go out yet (no
 * card, its slot not reached, a platform 429) delays its job instead of sleeping.
 */
import { randomUUID } from 'node:crypto';
import { Job, UnrecoverableError } from 'bullmq';
import type { ChatPort, Destination, MessageRef, Platform } from '../chat/port';
import { BUNDLE_KEY, CARD_KEY, stepKey } from './thread-plan';
import { conversationKey } from '../store/keys';
import type { CardView } from './post-store';
import { delayJob } from './delay';
import { enqueueCardUpdate } from '../queue/effects';
import { PostJobData, type PostJobName } from '../queue/jobs';
import type { CallKind } from './limiter';
import { isPermanent, isRateLimited, lookForEarlier, type PostDeps } from './post-common';
import { createThreadPump, scheduleThread } from './thread-pump';

export type { PostDeps } from './post-common';

export type PostOutcome = { posted: PostJobName; version: number } | { skipped: string } | { queued: string } | { idle: string };

type Ctx = { job: Job; token: string | undefined; data: PostJobData; view: CardView; port: ChatPort; platform: Platform };

/** A redraw of the same triage is running elsewhere: look again shortly (it draws within a call). */
const REDRAW_BUSY_DELAY_MS = 1000;

/** An escalated card links the bundle (the top of the thread points at its end). */
function bundleToLink(view: CardView): CardView['bundleRef'] {
  return view.record.state === 'escalated' && view.bundleRef ? view.bundleRef : null;
}

/** The card shows the record's version (and the bundle link, where it should). */
function isCurrent(view: CardView): boolean {
  return view.cardVersion >= view.record.version && (!bundleToLink(view) || view.cardShowsBundle);
}

export function createPostProcessor(deps: PostDeps) {
  const { store, posts, limiter, metrics } = deps;
  const pump = createThreadPump(deps);
  const holder = (c: Ctx): string => c.job.id ?? `${c.job.name}-${c.data.triageId}`;

  async function waitForCard(c: Ctx): Promise<PostOutcome> {
    if (c.view.cardFailed) return { skipped: `the card could not be posted (${c.view.cardFailed})` };
    const waits = c.data.waits ?? 0;
    if (waits >= deps.maxNoCardWaits) throw new Error(`the card for ${c.data.triageId} has not been posted yet (waited ${waits} times)`);
    metrics.chatDelays.inc({ platform: c.platform, reason: 'no_card' });
    await c.job.updateData({ ...c.data, waits: waits + 1 });
    return await delayJob(c.job, c.token, Math.min(30_000, deps.noCardDelayMs * 2 ** waits));
  }

  /**
   * After a card is posted (drawn from the record read before the call) or adopted: when the
   * triage moved past the drawn version meanwhile, ask for a redraw. Any change after this read
   * queues its own update, which now finds the card.
   */
  async function redrawIfMoved(triageId: string, drawnVersion: number): Promise<void> {
    const latest = await posts.cardView(triageId);
    if (latest && latest.record.version > drawnVersion) await enqueueCardUpdate(deps, triageId);
  }

  /** Waits (delaying the job) until this job's slot in the conversation's send order. */
  async function admitted(c: Ctx, kind: CallKind, where: MessageRef | Destination, onWait?: () => Promise<void>): Promise<void> {
    const { waitMs } = await limiter.admit(c.platform, kind, c.port.conversationOf(where), holder(c));
    if (waitMs > 0) {
      metrics.chatDelays.inc({ platform: c.platform, reason: 'limiter' });
      await onWait?.();
      await delayJob(c.job, c.token, waitMs);
    }
  }

  /** Calls the platform; a 429 delays the job by Retry-After, a permanent error stops retries. */
  async function send<T>(c: Ctx, method: string, kind: CallKind, where: MessageRef | Destination, marker: string | null, fn: () => Promise<T>): Promise<T> {
    const release = async (): Promise<void> => {
      if (marker && c.token) await store.releasePost(c.data.triageId, marker, c.token);
    };
    try {
      const r = await fn();
      metrics.chatCalls.inc({ platform: c.platform, method, outcome: 'ok' });
      return r;
    } catch (e) {
      if (isRateLimited(e)) {
        metrics.chatCalls.inc({ platform: c.platform, method, outcome: 'rate_limited' });
        metrics.chatDelays.inc({ platform: c.platform, reason: 'retry_after' });
        deps.logger.warn({ triageId: c.data.triageId, job: c.job.name, retryAfterMs: e.retryAfterMs }, 'chat platform rate limited; job delayed');
        // A 429 means nothing was stored: the next attempt has nothing to look for.
        const cleared = method === 'postCard' ? posts.clearIntent(c.data.triageId, 'card') : Promise.resolve();
        await Promise.all([release(), cleared, limiter.block(c.platform, kind, c.port.conversationOf(where), e.retryAfterMs)]);
        return await delayJob(c.job, c.token, e.retryAfterMs);
      }
      await release();
      if (isPermanent(e)) {
        metrics.chatCalls.inc({ platform: c.platform, method, outcome: 'permanent' });
        if (method === 'postCard') {
          await Promise.all([
            store.markCardFailed(c.data.triageId, `${e.code}: ${e.message}`),
            posts.clearIntent(c.data.triageId, 'card'),
            posts.cardSettled(c.view.destination, c.data.triageId),
          ]);
        }
        throw new UnrecoverableError(`${method} refused by ${c.platform}: ${e.code}: ${e.message}`);
      }
      // Anything else (a timeout, a reset connection) may have been stored: the intent stays.
      metrics.chatCalls.inc({ platform: c.platform, method, outcome: 'error' });
      throw e;
    }
  }

  /** Claim the card post (false when it was already made), then wait for its slot. */
  async function claim(c: Ctx, where: Destination, marker: string): Promise<boolean> {
    const token = c.token ?? holder(c);
    const r = await store.claimPost(c.data.triageId, marker, token, deps.leaseMs);
    if (r === 'posted' || r === 'gone') return false;
    if (r === 'busy') {
      metrics.chatDelays.inc({ platform: c.platform, reason: 'busy' });
      await delayJob(c.job, c.token, deps.leaseMs / 2);
    }
    await admitted(c, 'post', where, () => store.releasePost(c.data.triageId, marker, token));
    return true;
  }

  /** A look-up the platform rate limited waits like a post would (the post lease given back). */
  async function lookOrDelay<T>(c: Ctx, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (c.token) await store.releasePost(c.data.triageId, CARD_KEY, c.token);
      if (isRateLimited(e)) return await delayJob(c.job, c.token, e.retryAfterMs);
      throw e;
    }
  }

  /** The card exists: the triage's replies are the pump's (in the card's conversation). */
  async function handOver(c: Ctx, ref: MessageRef): Promise<void> {
    await scheduleThread(deps, c.platform, conversationKey(c.port.conversationOf(ref)), c.data.triageId, c.view.record.createdAt);
  }

  const handlers: Record<Exclude<PostJobName, 'pump'>, (c: Ctx) => Promise<PostOutcome>> = {
    async post_card(c) {
      const { record, destination } = c.view;
      if (c.view.ref || !(await claim(c, destination, CARD_KEY))) {
        await posts.cardSettled(destination, record.id);
        return { skipped: 'card exists' };
      }
      const identity = { triageId: record.id, key: CARD_KEY };
      const earlier = c.view.cardIntent;
      const found = earlier ? await lookOrDelay(c, () => lookForEarlier(deps, c.port, c.platform, destination, identity, earlier)) : null;
      let ref: MessageRef;
      if (found) {
        ref = found.ref;
        deps.logger.info({ triageId: record.id }, 'the card an earlier run posted was found; kept it instead of posting again');
      } else {
        await posts.writeIntent(record.id, 'card', { key: CARD_KEY, kind: 'card', items: [], steps: [], at: earlier?.at ?? Date.now() });
        ref = await send(c, 'postCard', 'post', destination, CARD_KEY, () => c.port.postCard(destination, record, { identity }));
      }
      const stored = (await store.setMessageRef(record.id, ref, found ? 0 : record.version)) ?? ref;
      await store.markPosted(record.id, CARD_KEY, c.token ?? holder(c));
      await Promise.all([posts.clearIntent(record.id, 'card'), posts.cardSettled(destination, record.id)]);
      await redrawIfMoved(record.id, found ? 0 : record.version);
      const link = await c.port.permalink?.(stored).catch(() => null);
      if (link) await posts.setCardLink(record.id, link);
      await handOver(c, stored);
      return { posted: 'post_card', version: record.version };
    },
    async post_step(c) {
      const { record, ref } = c.view;
      const step = c.data.step;
      if (!step) throw new UnrecoverableError('post_step job without a step');
      if (!ref) return waitForCard(c);
      if (!record.steps.some((s) => s.id === step)) return { skipped: 'step has no result' };
      // The latest result of the step is what gets posted; older jobs for the same result find it done.
      const marker = stepKey(step, c.view.stepVersion ?? c.data.version ?? record.version);
      if (await store.isPosted(record.id, marker)) return { skipped: 'already posted' };
      await handOver(c, ref);
      return { queued: `step ${step} handed to the thread` };
    },
    async post_bundle(c) {
      const { record, ref } = c.view;
      if (!ref) return waitForCard(c);
      if (!record.bundle) return { skipped: 'no bundle' };
      if (await store.isPosted(record.id, BUNDLE_KEY)) return { skipped: 'already posted' };
      await handOver(c, ref);
      return { queued: 'bundle handed to the thread' };
    },
    async post_notice(c) {
      const { record, ref } = c.view;
      const key = c.data.notice;
      if (!key) throw new UnrecoverableError('post_notice job without a notice');
      if (!ref) return waitForCard(c);
      if (!(record.notices ?? []).some((n) => n.key === key)) return { skipped: 'no such notice' };
      if (await store.isPosted(record.id, key)) return { skipped: 'already posted' };
      await handOver(c, ref);
      return { queued: `notice ${key} handed to the thread` };
    },
    async update_card(c) {
      const id = c.data.triageId;
      if (c.view.cardFailed) return { skipped: `the card could not be posted (${c.view.cardFailed})` };
      // No card yet: post_card draws the latest record and asks for a redraw when the triage
      // moved on while it posted (redrawIfMoved), so this job need not wait for it. (Waiting
      // here held the triage's deduplication ID for up to 30 s and dropped the final drawing.)
      if (!c.view.ref) return { skipped: 'no card yet' };
      if (isCurrent(c.view)) return { skipped: 'card is current' };
      await admitted(c, 'update', c.view.ref);
      const lease = `${holder(c)}:${c.token ?? randomUUID()}`;
      if (!(await posts.holdCardRedraw(id, lease, deps.leaseMs))) {
        metrics.chatDelays.inc({ platform: c.platform, reason: 'busy' });
        return await delayJob(c.job, c.token, REDRAW_BUSY_DELAY_MS);
      }
      try {
        // Read again under the lease: the record may have moved while this job waited its slot.
        const view = await posts.cardView(id);
        if (!view?.ref) return { skipped: 'triage gone' };
        if (isCurrent(view)) return { skipped: 'card is current' };
        const { record, ref } = view;
        const bundle = bundleToLink(view);
        await send(c, 'updateCard', 'update', ref, null, () => c.port.updateCard(ref, record, bundle ? { bundle } : {}));
        await store.raiseCardVersion(id, record.version);
        if (bundle) await posts.markCardShowsBundle(id);
        return { posted: 'update_card', version: record.version };
      } finally {
        await posts.releaseCardRedraw(id, lease);
      }
    },
  };

  return async function processPost(job: Job, token?: string): Promise<PostOutcome> {
    if (job.name === 'pump') return pump(job, token);
    const parsed = PostJobData.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid post job data: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    const handler = handlers[job.name as Exclude<PostJobName, 'pump'>];
    if (!handler) throw new UnrecoverableError(`unknown post job ${job.name}`);
    const data = parsed.data;
    const view = await posts.cardView(data.triageId, data.step);
    if (!view) return { skipped: 'triage gone' };
    const platform = view.destination.platform;
    const port = deps.ports[platform];
    if (!port) throw new UnrecoverableError(`no chat port for ${platform} in this worker; start it with ${platform} configured`);
    return handler({ job, token, data, view, port, platform });
  };
}
