/**
 * Chat posting limits shared by every process: per platform, kind of call and conversation, a
 * timeline in Redis that hands out send slots one interval apart (about one new message per
 * second per Slack channel). A job asks to be admitted; it either may send now or is told how
 * long to wait, and keeps its booked slot while its job sits delayed, so queued posts go out in
 * the order they asked, one per interval, without every waiting job waking each second to race
 * for the next one. A platform 429 blocks the timeline for its Retry-After and voids every
 * booking (the jobs re-book, in turn, after it).
 *
 * Hand-written (one Lua script) because rate-limiter-flexible grants or refuses a point *now*;
 * it has no booking a delayed job can hold across runs, and a refused point gives every waiter
 * the same retry time (the herd that left a 30-card storm's last card at ~200 s).
 */
import type { Redis } from 'ioredis';
import type { Platform, PostingLimits, RateLimit } from '../chat/port';
import { DEFAULT_FOLD, type FoldPolicy } from './thread-plan';
import { conversationKey } from '../store/keys';

export type CallKind = 'post' | 'update';

export type Limit = RateLimit;
/** A platform's limits (each platform declares its own: src/ingress/platform.ts), plus how its backlog folds. */
export interface PlatformLimits extends PostingLimits {
  /** When a conversation's backlog is folded (src/posting/thread-plan.ts); default DEFAULT_FOLD. */
  fold?: FoldPolicy;
}

/** For a platform the limiter was given no limits for (a port handed to the workers directly): one call of each kind a second. */
const ONE_A_SECOND: PlatformLimits = { post: { points: 1, durationSec: 1 }, update: { points: 1, durationSec: 1 } };

/**
 * Slots are this much further apart than the limit itself: what reaches the platform is spaced
 * by the interval plus the difference in two requests' transit, and a limit met exactly gets
 * refused whenever the second request travels faster than the first.
 */
export const SPACING_MARGIN = 0.05;

/** Milliseconds between two sends under `limit`. */
export function intervalOf(limit: Limit): number {
  return Math.ceil(((limit.durationSec * 1000) / limit.points) * (1 + SPACING_MARGIN));
}

/**
 * KEYS: timeline hash (next, last, until, gen), the holder's booking.
 * ARGV: now ms, interval ms, how long a booking outlives its slot (ms).
 * → {wait ms (0: send now, recorded as the last send), slots booked after this one}
 */
const ADMIT = `
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local t = redis.call('HMGET', KEYS[1], 'next', 'last', 'until', 'gen')
local nxt = tonumber(t[1] or '0')
local last = tonumber(t[2] or '0')
local blocked = tonumber(t[3] or '0')
local gen = t[4] or '0'
local slot = nil
local booked = redis.call('GET', KEYS[2])
if booked then
  local s, g = string.match(booked, '^(%d+):(%d+)$')
  if g == gen then slot = tonumber(s) end
end
if not slot then
  slot = math.max(now, nxt, last + interval, blocked)
  nxt = slot + interval
  redis.call('HSET', KEYS[1], 'next', nxt)
end
local queued = math.max(0, math.floor((nxt - slot) / interval) - 1)
local ready = math.max(slot, last + interval, blocked)
if ready <= now then
  redis.call('HSET', KEYS[1], 'last', now)
  redis.call('DEL', KEYS[2])
  redis.call('PEXPIRE', KEYS[1], math.max(nxt - now, 0) + 60000)
  return {0, queued}
end
redis.call('SET', KEYS[2], string.format('%d:%s', slot, gen), 'PX', ready - now + tonumber(ARGV[3]))
redis.call('PEXPIRE', KEYS[1], math.max(nxt - now, 0) + 60000)
return {ready - now, queued}
`;

/**
 * KEYS: timeline hash. ARGV: until ms. Blocks the timeline and voids its bookings. The line
 * restarts where the block ends: keeping `next` past the voided bookings would make everyone
 * re-book behind slots nobody holds any more (one 429 in a 30-card storm cost ~30 s).
 */
const BLOCK = `
local untilMs = tonumber(ARGV[1])
local t = redis.call('HMGET', KEYS[1], 'until')
local blocked = math.max(untilMs, tonumber(t[1] or '0'))
redis.call('HSET', KEYS[1], 'until', blocked, 'next', blocked)
redis.call('HINCRBY', KEYS[1], 'gen', 1)
redis.call('PEXPIRE', KEYS[1], math.max(untilMs - tonumber(ARGV[2]), 0) + 60000)
return 1
`;

interface LimiterScripts {
  ctAdmit(timeline: string, booking: string, now: number, interval: number, holdMs: number): Promise<[number, number]>;
  ctBlock(timeline: string, until: number, now: number): Promise<number>;
}

export interface Admission {
  /** 0: send now; otherwise wait this long (the slot stays booked for this holder). */
  waitMs: number;
  /** Sends booked after this one in the conversation: how deep its backlog is. */
  queued: number;
}

export class ChatLimiter {
  private readonly redis: Redis & LimiterScripts;

  constructor(
    redis: Redis,
    private readonly prefix: string,
    /** By platform name (src/app passes every registered platform's). */
    private readonly limits: Readonly<Partial<Record<Platform, PlatformLimits>>> = {},
  ) {
    const r = redis as Redis & Partial<LimiterScripts>;
    if (typeof r.ctAdmit !== 'function') redis.defineCommand('ctAdmit', { numberOfKeys: 2, lua: ADMIT });
    if (typeof r.ctBlock !== 'function') redis.defineCommand('ctBlock', { numberOfKeys: 1, lua: BLOCK });
    this.redis = r as Redis & LimiterScripts;
  }

  private timeline(platform: Platform, kind: CallKind, conversation: string): string {
    return `${this.prefix}rl:${platform}.${kind}:${conversationKey(conversation)}`;
  }

  intervalMs(platform: Platform, kind: CallKind): number {
    return intervalOf((this.limits[platform] ?? ONE_A_SECOND)[kind]);
  }

  fold(platform: Platform): FoldPolicy {
    return this.limits[platform]?.fold ?? DEFAULT_FOLD;
  }

  /**
   * Asks to send one call for `holder` (a job ID): admitted now, or the wait until its booked
   * slot. Asking again with the same holder keeps the same slot.
   */
  async admit(platform: Platform, kind: CallKind, conversation: string, holder: string): Promise<Admission> {
    const tl = this.timeline(platform, kind, conversation);
    const [waitMs, queued] = await this.redis.ctAdmit(tl, `${tl}:b:${holder}`, Date.now(), this.intervalMs(platform, kind), 60_000);
    return { waitMs: Number(waitMs), queued: Number(queued) };
  }

  /** The platform said "slow down": nothing goes to this conversation for `ms`. */
  async block(platform: Platform, kind: CallKind, conversation: string, ms: number): Promise<void> {
    const now = Date.now();
    await this.redis.ctBlock(this.timeline(platform, kind, conversation), now + Math.max(1, Math.ceil(ms)), now);
  }
}
