/**
 * Chat posting limits shared by every process (rate-limiter-flexible `RateLimiterRedis`):
 * one bucket per platform, kind of call and destination, e.g. about one new message per
 * second per Slack channel (Slack's chat.postMessage allows about that, with short bursts). A job that finds its bucket empty is
 * delayed by the time the limiter says, never slept; a platform 429 also blocks the bucket
 * for its Retry-After so the other jobs for that channel wait too.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Platform } from '../chat/port';

export type CallKind = 'post' | 'update';

export interface Limit {
  points: number;
  durationSec: number;
}
export type PlatformLimits = Record<CallKind, Limit>;

export const DEFAULT_LIMITS: Record<Platform, PlatformLimits> = {
  // chat.postMessage: ~1 message/second/channel; chat.update is Tier 3 (50+/min).
  slack: { post: { points: 1, durationSec: 1 }, update: { points: 1, durationSec: 1 } },
  // Teams per-thread limits are commonly quoted as 7 per second; stay under them.
  teams: { post: { points: 4, durationSec: 1 }, update: { points: 4, durationSec: 1 } },
};

/** The conversation (the port's `conversationOf`) as a bounded Redis key part. */
function bucketKey(conversation: string): string {
  return conversation.length <= 64 && /^[\w.:-]+$/.test(conversation) ? conversation : createHash('sha256').update(conversation).digest('hex').slice(0, 32);
}

export class ChatLimiter {
  private readonly limiters = new Map<string, RateLimiterRedis>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly limits: Record<Platform, PlatformLimits> = DEFAULT_LIMITS,
  ) {}

  private limiter(platform: Platform, kind: CallKind): RateLimiterRedis {
    const name = `${platform}.${kind}`;
    let l = this.limiters.get(name);
    if (!l) {
      const { points, durationSec } = this.limits[platform][kind];
      l = new RateLimiterRedis({ storeClient: this.redis, keyPrefix: `${this.prefix}rl:${name}`, points, duration: durationSec });
      this.limiters.set(name, l);
    }
    return l;
  }

  /** Takes one call from the bucket: 0 when allowed, else the ms to wait before trying again. */
  async take(platform: Platform, kind: CallKind, conversation: string): Promise<number> {
    try {
      await this.limiter(platform, kind).consume(bucketKey(conversation));
      return 0;
    } catch (e) {
      if (e instanceof RateLimiterRes) return Math.max(1, e.msBeforeNext);
      throw e;
    }
  }

  /** The platform said "slow down": block the bucket for that long. */
  async block(platform: Platform, kind: CallKind, conversation: string, ms: number): Promise<void> {
    await this.limiter(platform, kind).block(bucketKey(conversation), Math.max(1, Math.ceil(ms / 1000)));
  }
}
