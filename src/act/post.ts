/**
 * Posting an act's message (an approval card, a proposal, a fix result) once, and redrawing it,
 * through the chat port of its platform (ChatPort.postActMessage / updateActMessage) and the shared
 * limiter, as the triage posting does (src/posting), in small:
 *
 *   - a short lease (`<p>act-lease:<key>`) keeps two live runs of one post apart;
 *   - under the lease the caller's state is read again: a message already recorded is redrawn;
 *   - an intent (the time of the attempt) is stored before the platform is called; a run that
 *     finds one left by a run that died looks for that message (ChatPort.findPost, with the
 *     post's identity `{triageId: <key>, key: 'act'}` as Slack message metadata) and keeps
 *     it instead of posting again; a platform that cannot look (Teams) posts again, at least once;
 *   - a 429 delays the job by Retry-After (nothing was stored: the intent is cleared); a refusal
 *     that retrying cannot help fails the job for good; anything else keeps the intent and lets
 *     the job retry.
 */
import { UnrecoverableError, type Job } from 'bullmq';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ChatPort, Destination, MessageRef, ActMessage } from '../chat/port';
import { delayJob } from '../posting/delay';
import type { ChatLimiter, CallKind } from '../posting/limiter';
import { isPermanent, isRateLimited } from '../posting/post-common';
import type { ChatPorts } from '../posting/ports';
import type { Keys } from '../store/keys';

export interface ActPostDeps {
  redis: Redis;
  keys: Keys;
  ports: ChatPorts;
  limiter: ChatLimiter;
  logger: Logger;
  leaseMs?: number;
}

/** Where one message goes and what the caller has recorded of it. */
export interface NoticeSlot {
  /** Lease and identity key (an approval key, a proposal ID, `<proposal>-result`). */
  key: string;
  /** A conversation (a new message) or a message (a reply in its thread). */
  where: Destination | MessageRef;
  /** Re-reads what is recorded (the message, an attempt in flight), under the lease. */
  load(): Promise<{ ref: MessageRef | null; intentAt: number | null }>;
  setIntent(at: number | null): Promise<void>;
  setRef(ref: MessageRef): Promise<void>;
}

/** How far before the intent a look-up reaches (platform clocks differ from ours). */
const LOOKBACK_MS = 5 * 60_000;

export function portFor(deps: Pick<ActPostDeps, 'ports'>, where: Destination | MessageRef): ChatPort & Required<Pick<ChatPort, 'postActMessage' | 'updateActMessage'>> {
  const port = deps.ports[where.platform];
  if (!port?.postActMessage || !port.updateActMessage) throw new UnrecoverableError(`no chat port for ${where.platform} in this worker; start it with ${where.platform} configured`);
  return port as ChatPort & Required<Pick<ChatPort, 'postActMessage' | 'updateActMessage'>>;
}

async function admitted(deps: ActPostDeps, job: Job, token: string | undefined, port: ChatPort, kind: CallKind, where: Destination | MessageRef, onWait?: () => Promise<void>): Promise<void> {
  const { waitMs } = await deps.limiter.admit(port.platform, kind, port.conversationOf(where), job.id ?? job.name);
  if (waitMs > 0) {
    await onWait?.();
    await delayJob(job, token, waitMs);
  }
}

/** Calls the platform in the port's error taxonomy: a 429 delays the job, a permanent refusal ends it. */
async function platformCall<T>(deps: ActPostDeps, job: Job, token: string | undefined, port: ChatPort, kind: CallKind, where: Destination | MessageRef, fn: () => Promise<T>, onRateLimit?: () => Promise<void>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isRateLimited(e)) {
      await onRateLimit?.();
      await deps.limiter.block(port.platform, kind, port.conversationOf(where), e.retryAfterMs);
      return await delayJob(job, token, e.retryAfterMs);
    }
    if (isPermanent(e)) throw new UnrecoverableError(`${port.platform} refused the message: ${e.code}: ${e.message}`);
    throw e;
  }
}

/** Redraws a posted message. */
export async function redraw(deps: ActPostDeps, job: Job, token: string | undefined, ref: MessageRef, notice: ActMessage): Promise<void> {
  const port = portFor(deps, ref);
  await admitted(deps, job, token, port, 'update', ref);
  await platformCall(deps, job, token, port, 'update', ref, () => port.updateActMessage(ref, notice));
}

/** Posts the message once (see the file comment), or redraws it when it exists; returns where it is and whether it was new. */
export async function postOnce(deps: ActPostDeps, job: Job, token: string | undefined, slot: NoticeSlot, notice: ActMessage): Promise<{ ref: MessageRef; posted: boolean }> {
  const port = portFor(deps, slot.where);
  const lease = deps.keys.actLease(slot.key);
  const mine = randomBytes(12).toString('hex');
  if ((await deps.redis.set(lease, mine, 'PX', deps.leaseMs ?? 30_000, 'NX')) !== 'OK') return await delayJob(job, token, 1000);
  const release = () => deps.redis.eval("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0", 1, lease, mine).then(() => undefined);
  try {
    const cur = await slot.load();
    if (cur.ref) {
      await redraw(deps, job, token, cur.ref, notice);
      return { ref: cur.ref, posted: false };
    }
    const identity = { triageId: slot.key, key: 'act' };
    if (cur.intentAt !== null && port.findPost) {
      const found = await platformCall(deps, job, token, port, 'post', slot.where, () => port.findPost!(slot.where, identity, new Date(cur.intentAt! - LOOKBACK_MS)));
      if (found) {
        deps.logger.info({ key: slot.key }, 'an act message an earlier run posted was found; kept it instead of posting again');
        await slot.setRef(found.ref);
        await slot.setIntent(null);
        await redraw(deps, job, token, found.ref, notice);
        return { ref: found.ref, posted: false };
      }
    }
    await admitted(deps, job, token, port, 'post', slot.where, release);
    await slot.setIntent(cur.intentAt ?? Date.now());
    const ref = await platformCall(deps, job, token, port, 'post', slot.where, () => port.postActMessage(slot.where, notice, { identity }), () => slot.setIntent(null));
    await slot.setRef(ref);
    await slot.setIntent(null);
    return { ref, posted: true };
  } finally {
    await release().catch(() => undefined);
  }
}
