/**
 * One poll of the deny watcher, as the leader runs it: read every zone's denials since its
 * cursor minus an interval, and the whole overlap back from time to time (read-range.ts; a
 * first poll reads the 24 h before the window, so patterns start with their baseline), drop
 * the event IDs read before, apply the new denials to their patterns
 * (src/incidents/watch/episode.ts: opens, updates, closes), and commit cursors, seen IDs and
 * patterns in one fenced write. Nothing is committed for a zone that could not be read: its
 * next poll reads the same range again.
 */
import type { Logger } from 'pino';
import type { CaracalClient } from '../caracal/client-api';
import type { AuditRow } from '../caracal/schemas';
import type { WatchSettings } from '../incidents/watch/config';
import { classifyRow, type Denial } from '../incidents/watch/denial';
import { applyDenials, emptyState, HOUR_MS, patternId, pendingNotices, type PatternState } from '../incidents/watch/episode';
import { eachLimited, readZoneDenials, watchedZones } from '../incidents/watch/read';
import { BASELINE_MS, thresholdsFor, type ThresholdRule } from '../incidents/watch/thresholds';
import { sweepAfter, zoneRange } from './read-range';
import type { WatchMetrics } from './metrics';
import type { PatternCommit, WatchStore, ZoneCommit } from './state-store';

export interface PollDeps {
  client: CaracalClient;
  store: WatchStore;
  settings: WatchSettings;
  rules: readonly ThresholdRule[];
  metrics: WatchMetrics;
  logger: Logger;
  /** Zones read at once (default 4). */
  concurrency?: number;
  /** Pages per zone and poll at most (default 100). */
  maxPages?: number;
}

export interface PollResult {
  /** false: the lease was lost before the commit; nothing was written. */
  committed: boolean;
  zones: number;
  /** Admin API calls this poll made. */
  calls: number;
  rows: number;
  /** Zones whose read this poll went back over the whole overlap (read-range.ts). */
  swept: number;
  denials: number;
  /** Every pattern loaded this poll, after it (by ID). */
  states: Map<string, PatternState>;
  /** Patterns with notices the desk has not confirmed. */
  pending: string[];
}

/** Zones the token sees, kept for a few minutes so a poll costs one call per zone. */
export interface ZoneCache {
  zoneIds: string[];
  at: number;
}
const ZONES_TTL_MS = 300_000;

export async function pollOnce(d: PollDeps, token: string, now: number, zones: { cache: ZoneCache | null }): Promise<PollResult> {
  const { settings, metrics } = d;
  let calls = 0;
  if (!zones.cache || now - zones.cache.at > ZONES_TTL_MS) {
    const z = await watchedZones(d.client);
    calls += z.calls;
    if (z.error) {
      metrics.pollErrors.inc({ zone: '*' });
      d.logger.warn({ err: z.error }, 'the deny watcher could not list zones');
      if (!zones.cache) return { committed: false, zones: 0, calls, rows: 0, swept: 0, denials: 0, states: new Map(), pending: [] };
    } else zones.cache = { zoneIds: z.zoneIds, at: now };
  }
  const zoneIds = zones.cache!.zoneIds;
  const [cursors, sweeps] = await Promise.all([d.store.cursors(zoneIds), d.store.sweeps(zoneIds)]);
  const window = settings.thresholds.windowMs;

  const reads = await eachLimited(zoneIds, d.concurrency ?? 4, async (zoneId) => {
    const cursor = cursors.get(zoneId);
    const range = zoneRange(settings, now, cursor, sweeps.get(zoneId), now - BASELINE_MS - window);
    const read = await readZoneDenials(d.client, zoneId, { since: range.since, maxPages: d.maxPages });
    return { zoneId, cursor, range, read };
  });

  const zoneCommits: ZoneCommit[] = [];
  const fresh: Denial[] = [];
  let rows = 0;
  for (const { zoneId, cursor, range, read } of reads) {
    calls += read.calls;
    if (read.error) {
      metrics.pollErrors.inc({ zone: zoneId });
      d.logger.warn({ zone: zoneId, err: read.error }, 'the deny watcher could not read a zone; it reads the same range next poll');
      continue;
    }
    const unseen = await d.store.unseen(zoneId, read.rows.map((r) => r.id));
    const newRows: AuditRow[] = read.rows.filter((r) => unseen.has(r.id));
    rows += newRows.length;
    const seen: Array<[string, number]> = [];
    let newest = cursor ?? null;
    let oldest: number | null = null;
    for (const row of newRows) {
      const c = classifyRow(row, zoneId);
      const at = Date.parse(row.occurred_at ?? '');
      seen.push([row.id, Number.isNaN(at) ? now : at]);
      if (!Number.isNaN(at)) {
        newest = newest === null ? at : Math.max(newest, at);
        oldest = oldest === null ? at : Math.min(oldest, at);
      }
      if (c.kind !== 'denial') continue;
      fresh.push(c.denial);
      metrics.denials.inc({ zone: zoneId, reason: c.denial.reason });
      if (c.denial.ingestedAt !== null && c.denial.ingestedAt - c.denial.occurredAt > settings.overlapMs) metrics.lateRows.inc({ zone: zoneId });
    }
    // A read cut short at maxPages did not reach its oldest rows: the cursor stays where they begin.
    const next = read.complete ? newest : oldest !== null ? Math.min(oldest, newest ?? oldest) : (cursor ?? null);
    if (!read.complete) d.logger.warn({ zone: zoneId, pages: read.calls }, 'the deny watcher read its most pages in one zone; the rest is read next poll');
    // A read cut short makes the next poll a sweep (from the last sweep's mark), whatever it read.
    const before = sweeps.get(zoneId);
    const sweep = !read.complete ? (before ? { mark: before.mark, at: 0 } : null) : range.sweeping ? sweepAfter(read, cursor, now) : null;
    // Seen IDs are kept as far back as the next sweep reads (its mark minus the overlap), and a margin.
    const mark = sweep?.mark ?? before?.mark ?? next;
    const trimBelow = next === null ? null : Math.min(next, mark ?? next) - settings.overlapMs - settings.intervalMs - 60_000;
    zoneCommits.push({ zoneId, cursor: next, seen, trimBelow, sweep });
  }

  // Patterns with new denials, and those to look at anyway (open, unconfirmed, or recent).
  const byPattern = new Map<string, Denial[]>();
  for (const den of fresh) {
    const id = patternId(den);
    const list = byPattern.get(id);
    if (list) list.push(den);
    else byPattern.set(id, [den]);
  }
  const active = await d.store.activePatterns(now - settings.quietMs - window - HOUR_MS);
  const ids = [...new Set([...byPattern.keys(), ...active])];
  const loaded = await d.store.patterns(ids);
  for (const id of loaded.unreadable) d.logger.warn({ pattern: id }, 'a stored denial pattern could not be read; it starts again from its next denial');

  const states = new Map<string, PatternState>();
  const changed: PatternCommit[] = [];
  for (const id of ids) {
    const denials = byPattern.get(id) ?? [];
    const prev = loaded.found.get(id) ?? (denials[0] ? emptyState(denials[0], denials[0].applicationName) : null);
    if (!prev) continue;
    const r = applyDenials(prev, denials, { thresholds: thresholdsFor(prev.key, settings.thresholds, d.rules), quietMs: settings.quietMs, now });
    states.set(id, r.state);
    if (denials.length > 0 || r.opened || r.closed || JSON.stringify(prev) !== JSON.stringify(r.state)) {
      changed.push({ id, state: r.state, pinned: r.state.open !== null || pendingNotices(r.state).length > 0 });
    }
  }

  const committed = await d.store.commit(token, zoneCommits, changed);
  if (committed) {
    const newestSeen = Math.max(...zoneCommits.map((z) => z.cursor ?? -Infinity), ...[...cursors.values()]);
    if (Number.isFinite(newestSeen)) metrics.lag.set(Math.max(0, (now - newestSeen) / 1000));
    metrics.patternsOpen.set([...states.values()].filter((s) => s.open !== null).length);
  }
  return {
    committed,
    zones: zoneIds.length,
    calls,
    rows,
    swept: reads.filter((r) => r.range.sweeping).length,
    denials: fresh.length,
    states,
    pending: [...states].filter(([, s]) => pendingNotices(s).length > 0).map(([id]) => id),
  };
}
