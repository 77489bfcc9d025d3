/**
 * The Admin API call budget (src/caracal/budget.ts) kept in Redis, so every process of the bot
 * (web, workers, the watcher) draws from one window per Caracal deployment: a sorted set of the
 * calls of the last 60 s, a hold key set after a 429 and the watcher's marker (the slice kept
 * for it, src/caracal/budget.ts forWatcher), all named by the deployment (`default`
 * with the single-deployment variables), so a deployment that uses its budget up or is answered
 * 429 never delays calls to another. One Lua script decides each call, on Redis's clock (`TIME`),
 * so processes on hosts whose clocks differ still share one window.
 *
 * Its scripts are defined on the connection when it is created: on a TriageRedis's `data`
 * connection that must happen before anything runs (src/queue/triage-redis.ts).
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { BUDGET_WINDOW_MS, MINUTE_MARGIN_MS, createCallBudget, type Acquired, type BudgetLane, type BudgetStore, type CallBudget, type CallBudgetOptions } from '../caracal/budget';
import { keys as keysFor } from './keys';

/**
 * KEYS: window zset, hold key, watcher marker. ARGV: limit, window ms, member suffix, lane
 * (`watch` or `other`), the watcher's reserve, the marker's lifetime ms.
 * → {0, 0, now, used}: one call counted at now (Redis's clock), `used` in the window with it;
 *   {ms, 1}: held after a 429 for ms;
 *   {ms, 0}: the window is full for this lane for ms.
 * A watcher's call renews the marker (its reserve) and fits when fewer than `limit` calls lie in
 * [now - window, now]; any other call fits when fewer than `limit - reserve` do while the marker
 * lives (src/caracal/budget.ts, forWatcher).
 */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local hold = tonumber(redis.call('GET', KEYS[2]) or '0')
if hold > now then return {hold - now, 1} end
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[1])
local cap = limit
if ARGV[4] == 'watch' then
  redis.call('SET', KEYS[3], ARGV[5], 'PX', ARGV[6])
else
  local reserve = tonumber(redis.call('GET', KEYS[3]) or '0')
  cap = limit - math.min(reserve, math.floor(limit / 2))
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. string.format('%d', now - window))
local used = redis.call('ZCARD', KEYS[1])
if used < cap then
  redis.call('ZADD', KEYS[1], now, string.format('%d', now) .. ':' .. ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window + 1000)
  return {0, 0, now, used + 1}
end
-- It fits once the (used - cap + 1) oldest calls have left the window.
local nth = redis.call('ZRANGE', KEYS[1], used - cap, used - cap, 'WITHSCORES')
return {math.max(1, tonumber(nth[2]) + window - now + 1), 0}
`;

/** KEYS: hold key. ARGV: margin ms, window ms. Holds until the next clock minute (Redis's clock) plus the margin. */
const HOLD = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[2])
local untilMs = (math.floor(now / window) + 1) * window + tonumber(ARGV[1])
local held = tonumber(redis.call('GET', KEYS[1]) or '0')
if untilMs > held then redis.call('SET', KEYS[1], string.format('%d', untilMs), 'PX', untilMs - now) end
return untilMs - now
`;

/** The watcher's slice is kept this long after its last call (longer than any watch interval a storm needs it for). */
export const WATCHER_MARKER_MS = 300_000;

interface BudgetScripts {
  ctBudgetAcquire(windowKey: string, holdKey: string, markerKey: string, limit: number, windowMs: number, member: string, lane: string, reserve: number, markerMs: number): Promise<[number, number, number?, number?]>;
  ctBudgetHold(holdKey: string, marginMs: number, windowMs: number): Promise<number>;
}

/** `windowMs`: 60 s; tests shorten it. */
export function redisBudgetStore(redis: Redis, prefix: string, deployment: string, perMinute: number, windowMs = BUDGET_WINDOW_MS): BudgetStore {
  const r = redis as Redis & Partial<BudgetScripts>;
  if (typeof r.ctBudgetAcquire !== 'function') redis.defineCommand('ctBudgetAcquire', { numberOfKeys: 3, lua: ACQUIRE });
  if (typeof r.ctBudgetHold !== 'function') redis.defineCommand('ctBudgetHold', { numberOfKeys: 1, lua: HOLD });
  const scripts = r as Redis & BudgetScripts;
  const k = keysFor(prefix);
  const me = randomBytes(6).toString('hex');
  let n = 0;
  return {
    async acquire(lane: BudgetLane = { watcher: false }): Promise<Acquired> {
      const member = `${me}:${(n = (n + 1) % 1e9)}`;
      const [waitMs, held, at, used] = await scripts.ctBudgetAcquire(k.budget(deployment), k.budgetHold(deployment), k.budgetWatcher(deployment), perMinute, windowMs, member, lane.watcher ? 'watch' : 'other', lane.watcher ? lane.reserve : 0, WATCHER_MARKER_MS);
      return { waitMs: Number(waitMs), reason: Number(held) === 1 ? 'rate_limited' : 'budget', ...(at !== undefined ? { at: Number(at), used: Number(used) } : {}) };
    },
    async holdToNextMinute() {
      await scripts.ctBudgetHold(k.budgetHold(deployment), Math.min(MINUTE_MARGIN_MS, windowMs / 10), windowMs);
    },
  };
}

/** One deployment's budget, which every process of the bot shares, over `redis` (define before anything runs on it). */
export function redisCallBudget(redis: Redis, prefix: string, o: CallBudgetOptions & { deployment: string; windowMs?: number }): CallBudget {
  return createCallBudget(redisBudgetStore(redis, prefix, o.deployment, o.perMinute, o.windowMs), o);
}
