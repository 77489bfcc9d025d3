/**
 * Reading denials from Caracal, the same way for the watcher and `watch --once`: every page of
 * `GET /v1/zones/{z}/audit?decision=deny&since=…` (newest first, 1000 rows a page), in the zones
 * CARACAL_ZONE_IDS names or else every zone the token sees. Caracal filters and pages by
 * `occurred_at` only, so a row ingested after the reader has passed its time is never returned:
 * the watcher reads back an overlap to catch late rows, and counts those that arrive later than
 * it (src/watch/). Failures come back as data, never as throws.
 */
import type { CaracalClient } from '../../caracal/client-api';
import { describeError } from '../../caracal/errors';
import type { AuditRow } from '../../caracal/schemas';

export const DENIAL_PAGE_LIMIT = 1000;

export type ReadError = ReturnType<typeof describeError>;

export interface ZoneDenials {
  zoneId: string;
  rows: AuditRow[];
  /** Admin API calls made. */
  calls: number;
  /** false when the read stopped at `maxPages` with rows left (the oldest ones were not read). */
  complete: boolean;
  error: ReadError | null;
}

export interface ReadWindow {
  /** ms, inclusive */
  since: number;
  /** ms, exclusive; absent: up to now */
  until?: number;
  /** Pages per zone at most (default 100: 100 000 rows). */
  maxPages?: number;
}

export async function readZoneDenials(client: CaracalClient, zoneId: string, w: ReadWindow): Promise<ZoneDenials> {
  const rows: AuditRow[] = [];
  const maxPages = w.maxPages ?? 100;
  let calls = 0;
  let cursor: string | undefined;
  try {
    for (;;) {
      calls++;
      const page = await client.listAudit(zoneId, {
        decision: 'deny',
        since: new Date(w.since).toISOString(),
        ...(w.until !== undefined ? { until: new Date(w.until).toISOString() } : {}),
        limit: DENIAL_PAGE_LIMIT,
        ...(cursor ? { cursor } : {}),
      });
      rows.push(...page.items);
      const next = page.next_cursor || undefined;
      if (!next || next === cursor || page.items.length === 0) return { zoneId, rows, calls, complete: true, error: null };
      if (calls >= maxPages) return { zoneId, rows, calls, complete: false, error: null };
      cursor = next;
    }
  } catch (e) {
    return { zoneId, rows, calls, complete: false, error: describeError(e) };
  }
}

export interface WatchedZones {
  zoneIds: string[];
  /** Admin API calls made (0 with CARACAL_ZONE_IDS). */
  calls: number;
  error: ReadError | null;
}

/** CARACAL_ZONE_IDS, or every zone the token can list. */
export async function watchedZones(client: CaracalClient): Promise<WatchedZones> {
  if (client.configuredZoneIds.length > 0) return { zoneIds: [...client.configuredZoneIds], calls: 0, error: null };
  try {
    const zones = await client.listZones();
    return { zoneIds: zones.map((z) => z.id), calls: 1, error: null };
  } catch (e) {
    return { zoneIds: [], calls: 1, error: describeError(e) };
  }
}

/** Runs `work` over `items`, at most `limit` at once, in order of results. */
export async function eachLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]!);
    }
  });
  await Promise.all(lanes);
  return out;
}
