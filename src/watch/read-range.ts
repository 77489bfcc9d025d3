/**
 * How far back one poll reads a zone's denials. Caracal's audit list filters and pages by
 * `occurred_at` only, newest first, so a row ingested after the reader passed its time is only
 * found by reading that time again. Reading the whole WATCH_OVERLAP_S back every poll did that,
 * but during a storm it read the same pages again and again (120 s of a storm is several pages
 * a zone, every poll) and those calls queued the watcher behind the triages it opened. So:
 *
 *   head    every poll reads from its cursor minus min(overlap, interval): rows ingested up to
 *           one interval after they occurred are found by the next poll
 *   sweep   every max(interval, overlap / 2) (and at a zone's first poll, or when the last
 *           read was cut short), a poll reads from the mark of the last sweep minus the overlap
 *
 * Why no row ingested within the overlap is missed: a sweep's mark is the newest occurred_at it
 * read, which Caracal had already ingested when the sweep's first page was answered; a row the
 * sweep did not return was ingested after that answer, so it occurred at most the overlap before
 * a time after the mark, i.e. at or after `mark - overlap`, where the next sweep begins. Such a
 * row is found by the next head when it was at most an interval late, else by the next sweep:
 * within max(interval, overlap / 2) plus a poll of its ingestion.
 */
import type { WatchSettings } from '../incidents/watch/config';
import type { Sweep } from './state-store';

export interface ZoneRange {
  /** Read rows that occurred at or after this (ms). */
  since: number;
  /** This read is a sweep: once complete, its mark is kept for the next. */
  sweeping: boolean;
}

/** How far before the cursor every poll reads. */
export const headMs = (s: Pick<WatchSettings, 'intervalMs' | 'overlapMs'>): number => Math.min(s.overlapMs, s.intervalMs);

/** How often the whole overlap is read back. */
export const sweepEveryMs = (s: Pick<WatchSettings, 'intervalMs' | 'overlapMs'>): number => Math.max(s.intervalMs, s.overlapMs / 2);

/**
 * The range of one zone's read at `now`. `firstSince`: where a zone without a cursor starts
 * (the 24 h of its baseline before the window).
 */
export function zoneRange(s: Pick<WatchSettings, 'intervalMs' | 'overlapMs'>, now: number, cursor: number | undefined, sweep: Sweep | undefined, firstSince: number): ZoneRange {
  if (cursor === undefined) return { since: firstSince, sweeping: true };
  const head = cursor - headMs(s);
  if (sweep && now - sweep.at < sweepEveryMs(s)) return { since: head, sweeping: false };
  return { since: Math.min(head, (sweep?.mark ?? cursor) - s.overlapMs), sweeping: true };
}

/** The sweep a complete read leaves: its newest row's time (else the cursor) as the mark. */
export function sweepAfter(read: { rows: ReadonlyArray<{ occurred_at?: string | null }> }, cursor: number | undefined, now: number): Sweep | null {
  let mark = -Infinity;
  for (const r of read.rows) {
    const at = Date.parse(r.occurred_at ?? '');
    if (!Number.isNaN(at) && at > mark) mark = at;
  }
  if (!Number.isFinite(mark)) mark = cursor ?? NaN;
  return Number.isFinite(mark) ? { mark, at: now } : null;
}
