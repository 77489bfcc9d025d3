/**
 * What one deployment's deny watcher keeps in Redis (keys in src/store/keys.ts, each named by the
 * deployment, so watchers of two deployments never share a lease, cursor or pattern), on a connection of its own
 * (no auto-pipelining: its scripts and reads must not share a batch with anyone's):
 *
 *   lease         one leader across every worker: SET NX PX, renewed by its holder only
 *   cursor        per zone, the newest occurred_at read (ms); 7 days
 *   sweep         per zone, the mark and time of the last read-back of the whole overlap
 *                 (src/watch/poll.ts); 7 days
 *   seen          per zone, the event IDs read, scored by occurred_at; trimmed below the
 *                 cursor minus the overlap, and expiring a day after the last poll
 *   patterns      each pattern's state (JSON, checked with zod when read back) for 26 h after
 *                 its last change, and an index: open or unconfirmed patterns score high, the
 *                 rest by their newest denial
 *
 * Every write is one Lua script that first checks the lease is still the writer's: a leader
 * that lost its lease (paused, partitioned) cannot move a cursor or a pattern backwards.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { PatternState } from '../incidents/watch/episode';
import { keys as keysFor } from '../store/keys';

export const CURSOR_TTL_MS = 7 * 86_400_000;
export const SEEN_TTL_MS = 86_400_000;
export const PATTERN_TTL_MS = 26 * 3_600_000;
/** Index score of a pattern that needs attention whatever its age (open, or a notice unconfirmed). */
export const PINNED = 9e15;

const RENEW = `
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if not v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 2 end
return 0
`;

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * KEYS[1] lease. ARGV[1] token, ARGV[2] JSON {z:[{c,cv,cttl,sw,swv,s,ids,at,trim,sttl}], p:[{k,v,ttl,score,id}], ix, ixtrim}.
 * Numbers travel as text (Lua would print a 13-digit number in exponent form).
 */
const COMMIT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local c = cjson.decode(ARGV[2])
for _, z in ipairs(c.z) do
  if z.cv then redis.call('SET', z.c, z.cv, 'PX', z.cttl) end
  if z.swv then redis.call('SET', z.sw, z.swv, 'PX', z.cttl) end
  for i, id in ipairs(z.ids) do redis.call('ZADD', z.s, z.at[i], id) end
  if z.trim then redis.call('ZREMRANGEBYSCORE', z.s, '-inf', '(' .. z.trim) end
  redis.call('PEXPIRE', z.s, z.sttl)
end
for _, p in ipairs(c.p) do
  redis.call('SET', p.k, p.v, 'PX', p.ttl)
  redis.call('ZADD', c.ix, p.score, p.id)
end
if c.ixtrim then redis.call('ZREMRANGEBYSCORE', c.ix, '-inf', '(' .. c.ixtrim) end
return 1
`;

interface Scripts {
  ctWatchRenew(lease: string, token: string, ttlMs: number): Promise<number>;
  ctWatchRelease(lease: string, token: string): Promise<number>;
  ctWatchCommit(lease: string, token: string, payload: string): Promise<number>;
}

const Recent = z.tuple([z.number(), z.string(), z.string().nullable()]);
const EpisodeSchema = z.object({
  openedAt: z.number(),
  firstAt: z.number(),
  lastAt: z.number(),
  count: z.number(),
  requestId: z.string().nullable(),
  triageId: z.string().nullable(),
  previous: z.object({ triageId: z.string(), closedAt: z.number() }).nullable(),
  sent: z.string().nullable(),
});
const StateSchema = z.object({
  v: z.literal(1),
  key: z.object({ zoneId: z.string(), applicationId: z.string().nullable(), resource: z.string().nullable(), reason: z.string() }),
  applicationName: z.string().nullable(),
  recent: z.array(Recent),
  buckets: z.record(z.string(), z.number()),
  lastAt: z.number(),
  open: EpisodeSchema.nullable(),
  closed: z
    .object({ triageId: z.string().nullable(), firstAt: z.number(), lastAt: z.number(), count: z.number(), closedAt: z.number(), sent: z.boolean(), episode: EpisodeSchema })
    .nullable(),
});

export interface ZoneCommit {
  zoneId: string;
  /** The new cursor (ms), when it moved. */
  cursor: number | null;
  /** Event IDs read, with their occurred_at (ms). */
  seen: Array<[string, number]>;
  /** Forget seen IDs older than this (ms). */
  trimBelow: number | null;
  /** A read-back of the whole overlap that completed: its mark and when it began (ms); null when none this poll. */
  sweep?: Sweep | null;
}

/** A zone's last complete read-back of the overlap (src/watch/poll.ts). */
export interface Sweep {
  /** The next one reads from this minus the overlap. */
  mark: number;
  /** When it ran (this process's clock, ms). */
  at: number;
}

export interface PatternCommit {
  id: string;
  state: PatternState;
  /** Keep it in the index of patterns loaded every poll, whatever its age. */
  pinned: boolean;
}

export interface WatchStore {
  /** Takes the lease when free, renews it when ours: 'renewed', 'acquired' or 'held' (someone else's). */
  lease(token: string, ttlMs: number): Promise<'acquired' | 'renewed' | 'held'>;
  releaseLease(token: string): Promise<void>;
  cursors(zoneIds: readonly string[]): Promise<Map<string, number>>;
  sweeps(zoneIds: readonly string[]): Promise<Map<string, Sweep>>;
  /** Of `ids`, those not read before in the zone. */
  unseen(zoneId: string, ids: readonly string[]): Promise<Set<string>>;
  /** Patterns by ID; a missing or unreadable one is absent (logged by the caller). */
  patterns(ids: readonly string[]): Promise<{ found: Map<string, PatternState>; unreadable: string[] }>;
  /** IDs of the patterns to look at every poll: pinned ones and those with a denial since `since`. */
  activePatterns(since: number): Promise<string[]>;
  /** false when the lease is no longer `token`'s (nothing was written). */
  commit(token: string, zones: readonly ZoneCommit[], patterns: readonly PatternCommit[]): Promise<boolean>;
}

export function createWatchStore(redis: Redis, prefix: string, deployment: string): WatchStore {
  const r = redis as Redis & Partial<Scripts>;
  if (typeof r.ctWatchRenew !== 'function') redis.defineCommand('ctWatchRenew', { numberOfKeys: 1, lua: RENEW });
  if (typeof r.ctWatchRelease !== 'function') redis.defineCommand('ctWatchRelease', { numberOfKeys: 1, lua: RELEASE });
  if (typeof r.ctWatchCommit !== 'function') redis.defineCommand('ctWatchCommit', { numberOfKeys: 1, lua: COMMIT });
  const s = r as Redis & Scripts;
  const k = keysFor(prefix).watch(deployment);
  return {
    async lease(token, ttlMs) {
      const v = Number(await s.ctWatchRenew(k.lease(), token, ttlMs));
      return v === 1 ? 'renewed' : v === 2 ? 'acquired' : 'held';
    },
    async releaseLease(token) {
      await s.ctWatchRelease(k.lease(), token);
    },
    async cursors(zoneIds) {
      if (zoneIds.length === 0) return new Map();
      const values = await s.mget(...zoneIds.map((z) => k.cursor(z)));
      const out = new Map<string, number>();
      zoneIds.forEach((z, i) => {
        const n = Number(values[i]);
        if (values[i] !== null && Number.isFinite(n)) out.set(z, n);
      });
      return out;
    },
    async sweeps(zoneIds) {
      if (zoneIds.length === 0) return new Map();
      const values = await s.mget(...zoneIds.map((z) => k.sweep(z)));
      const out = new Map<string, Sweep>();
      zoneIds.forEach((z, i) => {
        const m = /^(\d+):(\d+)$/.exec(values[i] ?? '');
        if (m) out.set(z, { mark: Number(m[1]), at: Number(m[2]) });
      });
      return out;
    },
    async unseen(zoneId, ids) {
      const out = new Set<string>();
      for (let i = 0; i < ids.length; i += 1000) {
        const chunk = ids.slice(i, i + 1000);
        const scores = (await s.call('ZMSCORE', k.seen(zoneId), ...chunk)) as Array<string | null>;
        chunk.forEach((id, j) => scores[j] === null && out.add(id));
      }
      return out;
    },
    async patterns(ids) {
      const found = new Map<string, PatternState>();
      const unreadable: string[] = [];
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        const values = await s.mget(...chunk.map((id) => k.pattern(id)));
        chunk.forEach((id, j) => {
          const raw = values[j];
          if (raw === null || raw === undefined) return;
          try {
            const parsed = StateSchema.safeParse(JSON.parse(raw));
            if (parsed.success) found.set(id, parsed.data as PatternState);
            else unreadable.push(id);
          } catch {
            unreadable.push(id);
          }
        });
      }
      return { found, unreadable };
    },
    async activePatterns(since) {
      return s.zrangebyscore(k.patterns(), since, '+inf');
    },
    async commit(token, zones, patterns) {
      const payload = {
        z: zones.map((z) => ({
          c: k.cursor(z.zoneId),
          cv: z.cursor === null ? undefined : String(z.cursor),
          cttl: String(CURSOR_TTL_MS),
          sw: k.sweep(z.zoneId),
          swv: z.sweep ? `${Math.round(z.sweep.mark)}:${Math.round(z.sweep.at)}` : undefined,
          s: k.seen(z.zoneId),
          ids: z.seen.map(([id]) => id),
          at: z.seen.map(([, at]) => String(at)),
          trim: z.trimBelow === null ? undefined : String(z.trimBelow),
          sttl: String(SEEN_TTL_MS),
        })),
        p: patterns.map((p) => ({ k: k.pattern(p.id), v: JSON.stringify(p.state), ttl: String(PATTERN_TTL_MS), score: String(p.pinned ? PINNED : p.state.lastAt), id: p.id })),
        ix: k.patterns(),
        // Index entries whose pattern state has expired.
        ixtrim: String(Date.now() - PATTERN_TTL_MS),
      };
      return Number(await s.ctWatchCommit(k.lease(), token, JSON.stringify(payload))) === 1;
    },
  };
}
