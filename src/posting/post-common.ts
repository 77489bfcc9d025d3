/**
 * What the posting jobs (post-processor.ts) and the conversation pump (thread-pump.ts) share:
 * their dependencies, the port's error taxonomy, and the look-up of a post an earlier run may
 * have made (the exactly-once half that needs the platform: ChatPort.findPost).
 */
import type { Logger } from 'pino';
import { ChatPermanentError, ChatRateLimitedError, type ChatPort, type Destination, type FoundPost, type MessageRef, type Platform, type PostIdentity } from '../chat/port';
import type { PostIntent } from './post-intent';
import type { PostStore } from './post-store';
import type { TriageStore } from '../store/triage-store';
import type { ChatLimiter } from './limiter';
import type { TriageMetrics } from '../queue/metrics';
import type { ChatPorts } from './ports';
import type { TriageQueues } from '../queue/queues';

export interface PostDeps {
  store: TriageStore;
  posts: PostStore;
  queues: TriageQueues;
  ports: ChatPorts;
  limiter: ChatLimiter;
  metrics: TriageMetrics;
  logger: Logger;
  /** How long a post may be in flight before another run may retry it (ms); also the pump's lease. */
  leaseMs: number;
  /** First wait when the card does not exist yet; doubles each time up to 30 s. */
  noCardDelayMs: number;
  /** Waits for the card before the job fails (and is retried with backoff). */
  maxNoCardWaits: number;
  /** Card updates wait this long, so a burst of changes becomes one edit. */
  cardDebounceMs: number;
}

export function isRateLimited(e: unknown): e is ChatRateLimitedError {
  return e instanceof ChatRateLimitedError || (e instanceof Error && e.name === 'ChatRateLimitedError' && typeof (e as ChatRateLimitedError).retryAfterMs === 'number');
}

export function isPermanent(e: unknown): e is ChatPermanentError {
  return e instanceof ChatPermanentError || (e instanceof Error && e.name === 'ChatPermanentError');
}

/** How far back a look-up reaches before the intent's time (platform clocks differ from ours). */
const LOOKBACK_MS = 5 * 60_000;

/**
 * An earlier run wrote `intent` and may have posted it before dying: find that message.
 * null when the platform cannot look (no findPost), did not find it, or refused the look-up
 * for good (a missing history scope: then the post is made again, at-least-once, and logged).
 * A 429 is rethrown for the caller to delay; other errors are rethrown for the job's retries.
 */
export async function lookForEarlier(
  deps: Pick<PostDeps, 'metrics' | 'logger'>,
  port: ChatPort,
  platform: Platform,
  where: Destination | MessageRef,
  identity: PostIdentity,
  intent: PostIntent,
): Promise<FoundPost | null> {
  if (!port.findPost) return null;
  try {
    const found = await port.findPost(where, identity, new Date(intent.at - LOOKBACK_MS));
    deps.metrics.chatCalls.inc({ platform, method: 'findPost', outcome: 'ok' });
    if (found) deps.metrics.chatAdopted.inc({ platform, kind: intent.kind });
    return found;
  } catch (e) {
    if (isRateLimited(e)) {
      deps.metrics.chatCalls.inc({ platform, method: 'findPost', outcome: 'rate_limited' });
      throw e;
    }
    if (isPermanent(e)) {
      deps.metrics.chatCalls.inc({ platform, method: 'findPost', outcome: 'permanent' });
      deps.logger.warn({ triageId: identity.triageId, key: identity.key, code: e.code }, 'cannot look for the earlier copy of a post (reinstall the app with the history scopes); posting it again');
      return null;
    }
    deps.metrics.chatCalls.inc({ platform, method: 'findPost', outcome: 'error' });
    throw e;
  }
}
