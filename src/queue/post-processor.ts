/**
 * The return path: posts the card, each step's evidence in its thread, card updates and the
 * bundle, through the ChatPort of the triage's platform. Every post is idempotent: a marker in
 * the triage's hash says it was done, and a short lease keeps two runs of the same job (a
 * stalled job picked up while the first run still lives) from posting twice. A post that cannot
 * go out yet (no card, limiter empty, platform 429) delays its job instead of sleeping.
 */
import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { ChatPermanentError, ChatRateLimitedError, type ChatPort, type Destination, type MessageRef, type Platform } from '../chat/port';
import type { TriageStore, TriageView } from '../store/triage-store';
import { delayJob } from './delay';
import { PostJobData, type PostJobName } from './jobs';
import type { CallKind, ChatLimiter } from './limiter';
import type { TriageMetrics } from './metrics';
import type { ChatPorts } from './ports';

export interface PostDeps {
  store: TriageStore;
  ports: ChatPorts;
  limiter: ChatLimiter;
  metrics: TriageMetrics;
  logger: Logger;
  /** How long a post may be in flight before another run may retry it (ms). */
  leaseMs: number;
  /** First wait when the card does not exist yet; doubles each time up to 30 s. */
  noCardDelayMs: number;
  /** Waits for the card before the job fails (and is retried with backoff). */
  maxNoCardWaits: number;
}

export type PostOutcome = { posted: PostJobName; version: number } | { skipped: string };

type Ctx = { job: Job; token: string | undefined; data: PostJobData; view: TriageView; port: ChatPort; platform: Platform };

function isRateLimited(e: unknown): e is ChatRateLimitedError {
  return e instanceof ChatRateLimitedError || (e instanceof Error && e.name === 'ChatRateLimitedError' && typeof (e as ChatRateLimitedError).retryAfterMs === 'number');
}
function isPermanent(e: unknown): e is ChatPermanentError {
  return e instanceof ChatPermanentError || (e instanceof Error && e.name === 'ChatPermanentError');
}

export function createPostProcessor(deps: PostDeps) {
  const { store, limiter, metrics } = deps;

  async function waitForCard(c: Ctx): Promise<PostOutcome> {
    if (c.view.cardFailed) return { skipped: `the card could not be posted (${c.view.cardFailed})` };
    const waits = c.data.waits ?? 0;
    if (waits >= deps.maxNoCardWaits) throw new Error(`the card for ${c.data.triageId} has not been posted yet (waited ${waits} times)`);
    metrics.chatDelays.inc({ platform: c.platform, reason: 'no_card' });
    await c.job.updateData({ ...c.data, waits: waits + 1 });
    return delayJob(c.job, c.token, Math.min(30_000, deps.noCardDelayMs * 2 ** waits));
  }

  async function throttle(c: Ctx, kind: CallKind, where: MessageRef | Destination): Promise<void> {
    const wait = await limiter.take(c.platform, kind, c.port.conversationOf(where));
    if (wait > 0) {
      metrics.chatDelays.inc({ platform: c.platform, reason: 'limiter' });
      await delayJob(c.job, c.token, wait);
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
        await Promise.all([release(), limiter.block(c.platform, kind, c.port.conversationOf(where), e.retryAfterMs)]);
        return delayJob(c.job, c.token, e.retryAfterMs);
      }
      await release();
      if (isPermanent(e)) {
        metrics.chatCalls.inc({ platform: c.platform, method, outcome: 'permanent' });
        if (method === 'postCard') await store.markCardFailed(c.data.triageId, `${e.code}: ${e.message}`);
        throw new UnrecoverableError(`${method} refused by ${c.platform}: ${e.code}: ${e.message}`);
      }
      metrics.chatCalls.inc({ platform: c.platform, method, outcome: 'error' });
      throw e;
    }
  }

  /**
   * Claim the post (false when it was already made), then take a limiter token; when the
   * limiter says wait, give the claim back and delay the job.
   */
  async function claim(c: Ctx, kind: CallKind, where: MessageRef | Destination, marker: string): Promise<boolean> {
    const token = c.token ?? c.job.id ?? 'local';
    const r = await store.claimPost(c.data.triageId, marker, token, deps.leaseMs);
    if (r === 'posted' || r === 'gone') return false;
    if (r === 'busy') {
      metrics.chatDelays.inc({ platform: c.platform, reason: 'busy' });
      await delayJob(c.job, c.token, deps.leaseMs / 2);
    }
    const wait = await limiter.take(c.platform, kind, c.port.conversationOf(where));
    if (wait > 0) {
      metrics.chatDelays.inc({ platform: c.platform, reason: 'limiter' });
      await store.releasePost(c.data.triageId, marker, token);
      await delayJob(c.job, c.token, wait);
    }
    return true;
  }

  const done = async (c: Ctx, marker: string): Promise<void> => store.markPosted(c.data.triageId, marker, c.token ?? c.job.id ?? 'local');

  const handlers: Record<PostJobName, (c: Ctx) => Promise<PostOutcome>> = {
    async post_card(c) {
      const { record, destination } = c.view;
      if (c.view.ref) return { skipped: 'card exists' };
      if (!(await claim(c, 'post', destination, 'card'))) return { skipped: 'card exists' };
      const ref = await send(c, 'postCard', 'post', destination, 'card', () => c.port.postCard(destination, record));
      await store.setMessageRef(record.id, ref, record.version);
      await done(c, 'card');
      return { posted: 'post_card', version: record.version };
    },
    async post_step(c) {
      const { record, ref } = c.view;
      const step = c.data.step;
      if (!step) throw new UnrecoverableError('post_step job without a step');
      if (!ref) return waitForCard(c);
      if (!record.steps.some((s) => s.id === step)) return { skipped: 'step has no result' };
      // The latest result of the step is what gets posted; older jobs for the same result find it done.
      const marker = `step.${step}.v${c.view.stepVersion ?? c.data.version ?? record.version}`;
      if (!(await claim(c, 'post', ref, marker))) return { skipped: 'already posted' };
      await send(c, 'postStep', 'post', ref, marker, () => c.port.postStep(ref, record, step));
      await done(c, marker);
      return { posted: 'post_step', version: record.version };
    },
    async update_card(c) {
      const { record, ref } = c.view;
      if (!ref) return waitForCard(c);
      if (c.view.cardVersion >= record.version) return { skipped: 'card is current' };
      await throttle(c, 'update', ref);
      await send(c, 'updateCard', 'update', ref, null, () => c.port.updateCard(ref, record));
      await store.raiseCardVersion(record.id, record.version);
      return { posted: 'update_card', version: record.version };
    },
    async post_bundle(c) {
      const { record, ref } = c.view;
      if (!ref) return waitForCard(c);
      if (!record.bundle) return { skipped: 'no bundle' };
      const marker = `bundle.v${c.data.version ?? record.version}`;
      if (!(await claim(c, 'post', ref, marker))) return { skipped: 'already posted' };
      await send(c, 'postBundle', 'post', ref, marker, () => c.port.postBundle(ref, record));
      await done(c, marker);
      return { posted: 'post_bundle', version: record.version };
    },
  };

  return async function processPost(job: Job, token?: string): Promise<PostOutcome> {
    const parsed = PostJobData.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid post job data: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    const handler = handlers[job.name as PostJobName];
    if (!handler) throw new UnrecoverableError(`unknown post job ${job.name}`);
    const data = parsed.data;
    const view = await store.view(data.triageId, data.step);
    if (!view) return { skipped: 'triage gone' };
    const platform = view.destination.platform;
    const port = deps.ports[platform];
    if (!port) throw new UnrecoverableError(`no chat port for ${platform} in this worker; start it with ${platform} configured`);
    return handler({ job, token, data, view, port, platform });
  };
}
