/**
 * Finding triages again (`list`, `show`, the Slack Home tab): sorted sets kept beside the
 * records (layout in keys.ts), written when a triage starts and when a person acts on it:
 *
 *   find:recent          every triage, by start time
 *   find:place:<sha256>  the triages whose card went to one conversation, by start time; a place
 *                        is the conversation as settings write it (`slack:C0123`, `teams:19:…`),
 *                        so a triage an incident route opened and one typed in the channel meet
 *   find:actor:<sha256>  the triages one person started or clicked on, by their latest touch
 *
 * and the `active` set the store already keeps (non-final triages by activity) for "open". The
 * sets are trimmed by age and size when written; a member whose triage has expired is skipped
 * when read and removed then, so the index never shows what the store no longer has.
 */
import { z } from 'zod';
import { parseAddress } from '../chat/address';
import type { FoundTriage } from '../report/found';
import { FINAL_STATES, type Actor } from '../triage/record';
import { parseRecord, type TriageStore } from './triage-store';

export type IndexedTriage = FoundTriage;

export interface IndexQuery {
  /** Only triages of this place (`slack:C0123`). */
  place?: string;
  /** Only triages this person started or acted on (a platform user ID); ignored with `place`. */
  actor?: string;
  /** Only open triages (neither resolved nor abandoned). */
  open?: boolean;
  /** Most to return (default 20, at most 200). */
  limit?: number;
}

export interface IndexPage {
  triages: IndexedTriage[];
  /** More matched than `limit` (or more were left unread: the scan is bounded). */
  more: boolean;
}

/** Index entries older than this are dropped when the index is written (finished triages are kept 7 days). */
export const INDEX_MAX_AGE_MS = 35 * 24 * 3600 * 1000;
const CAPS = { recent: 5000, place: 1000, actor: 200 } as const;
/** Most index entries one query reads past (open-only queries skip finished ones). */
const MAX_SCAN = 1000;
const BATCH = 50;

const MetaShape = z.looseObject({
  source: z.string(),
  actor: z.object({ kind: z.enum(['user', 'webhook', 'system']), id: z.string(), name: z.string().optional() }),
});

export class TriageIndex {
  constructor(private readonly store: TriageStore) {}

  private get redis() {
    return this.store.redis;
  }

  private get keys() {
    return this.store.keys;
  }

  /** Index a triage that was just created: recent, its place (also kept on its hash), its starter. */
  async started(id: string, startedMs: number, place: string | null, actor: Actor): Promise<void> {
    const m = this.redis.multi();
    const cutoff = startedMs - INDEX_MAX_AGE_MS;
    m.zadd(this.keys.recent(), startedMs, id);
    m.zremrangebyscore(this.keys.recent(), '-inf', cutoff);
    m.zremrangebyrank(this.keys.recent(), 0, -CAPS.recent - 1);
    if (place) {
      m.zadd(this.keys.place(place), startedMs, id);
      m.zremrangebyscore(this.keys.place(place), '-inf', cutoff);
      m.zremrangebyrank(this.keys.place(place), 0, -CAPS.place - 1);
      m.hset(this.keys.triage(id), 'place', place);
    }
    await m.exec();
    if (actor.kind === 'user') await this.touched(id, actor.id, startedMs);
  }

  /** A person acted on a triage (a click that changed it): it is among their recent ones. */
  async touched(id: string, actorId: string, atMs: number): Promise<void> {
    const key = this.keys.actor(actorId);
    await this.redis.multi().zadd(key, atMs, id).zremrangebyscore(key, '-inf', atMs - INDEX_MAX_AGE_MS).zremrangebyrank(key, 0, -CAPS.actor - 1).exec();
  }

  /** One triage with where its card is; null when it does not exist (or has expired). */
  async get(id: string): Promise<IndexedTriage | null> {
    return (await this.read([id]))[0] ?? null;
  }

  /**
   * Newest first: by start time, except open-only workspace-wide (by latest activity) and a
   * person's (by their latest touch). A conversation's open triages are the members its place
   * shares with the active set (one ZINTER: a channel's finished triages are never read).
   */
  async query(q: IndexQuery): Promise<IndexPage> {
    const limit = Math.max(1, Math.min(q.limit ?? 20, 200));
    if (q.open && q.place) {
      const pairs = (await this.redis.zinter(2, this.keys.place(q.place), this.keys.active(), 'WEIGHTS', 1, 0, 'WITHSCORES')) as string[];
      const ids: string[] = [];
      // ZINTER gives ascending scores (start times): newest first is the reverse.
      for (let i = pairs.length - 2; i >= 0; i -= 2) ids.push(pairs[i]!);
      return this.collect(this.keys.place(q.place), (offset, count) => Promise.resolve(ids.slice(offset, offset + count)), limit, true);
    }
    const key = q.place ? this.keys.place(q.place) : q.actor ? this.keys.actor(q.actor) : q.open ? this.keys.active() : this.keys.recent();
    return this.collect(key, (offset, count) => this.redis.zrevrange(key, offset, offset + count - 1), limit, !!q.open);
  }

  /** Reads `page`d IDs until `limit` triages that exist (and are open, with `openOnly`) are found. */
  private async collect(key: string, page: (offset: number, count: number) => Promise<string[]>, limit: number, openOnly: boolean): Promise<IndexPage> {
    const found: IndexedTriage[] = [];
    let offset = 0;
    let more = false;
    while (offset < MAX_SCAN) {
      const ids = await page(offset, BATCH);
      if (ids.length === 0) break;
      offset += ids.length;
      const views = await this.read(ids);
      const gone = ids.filter((id) => !views.some((v) => v.record.id === id));
      if (gone.length) await this.redis.zrem(key, ...gone);
      for (const v of views) {
        if (openOnly && FINAL_STATES.includes(v.record.state)) continue;
        if (found.length === limit) {
          more = true;
          break;
        }
        found.push(v);
      }
      if (more || ids.length < BATCH) break;
    }
    if (!more && offset >= MAX_SCAN) more = (await this.redis.zcard(key)) > offset;
    return { triages: found, more };
  }

  /** The triages of `ids` that still exist, in the order given. */
  private async read(ids: string[]): Promise<IndexedTriage[]> {
    const p = this.redis.pipeline();
    for (const id of ids) p.hmget(this.keys.triage(id), 'record', 'dest', 'meta', 'ref', 'cardlink', 'place');
    const rows = (await p.exec()) ?? [];
    const out: IndexedTriage[] = [];
    for (const [err, value] of rows) {
      if (err) throw err;
      const [record, dest, meta, ref, cardlink, place] = value as Array<string | null>;
      const r = parseRecord(record ?? null);
      const m = meta ? MetaShape.safeParse(JSON.parse(meta)) : null;
      if (!r || !dest || !m?.success) continue;
      out.push({ record: r, destination: parseAddress(dest)!, place: place ?? null, card: parseAddress(ref), cardLink: cardlink ?? null, startedBy: m.data.actor, source: m.data.source });
    }
    return out;
  }
}

export function createTriageIndex(store: TriageStore): TriageIndex {
  return new TriageIndex(store);
}
