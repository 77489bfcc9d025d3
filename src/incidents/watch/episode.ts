/**
 * One denial pattern as the watcher keeps it between polls, and what new denials do to it
 * (pure; src/watch/ stores it in Redis and sends the notices it asks for).
 *
 *   recent    the pattern's denials of the last hour (or window, when longer), each request
 *             once: exact window counts, the latest requests, the card's sparkline
 *   buckets   denials per five minutes over the last 24 h and a window: the baseline
 *   open      the episode a triage is open for: it opened when a window ending at a new denial
 *             crossed the thresholds (thresholds.ts), and closes once no denial came for
 *             `quietMs`; `sent` is the last state the desk confirmed, so a notice lost to a crash
 *             or a failover is sent again, and one already applied is recognised as such
 *   closed    the last episode, until it is replaced: its triage is linked when the pattern
 *             comes back, and its close is sent until the desk confirms it
 *
 * An episode opens only on a denial newer than the last close and not already quiet (so 24 h
 * of history read at start-up, or a late row, never opens a card for a burst long over).
 */
import { createHash } from 'node:crypto';
import { countedAs, type Denial, type PatternKey } from './denial';
import { BASELINE_MS, overThreshold, type Thresholds } from './thresholds';

export const BUCKET_MS = 300_000;
export const HOUR_MS = 3_600_000;

/** [occurredAt ms, counted-as (request or event), request ID or null] */
export type RecentDenial = [number, string, string | null];

export interface Episode {
  /** End of the window that crossed (ms). */
  openedAt: number;
  /** Its first denial (ms): the oldest in the window that crossed. */
  firstAt: number;
  lastAt: number;
  /** Denied requests since firstAt. */
  count: number;
  /** The request triaged in full: the latest denied one when the episode opened. */
  requestId: string | null;
  /** The triage the desk opened for it, once known. */
  triageId: string | null;
  previous: { triageId: string; closedAt: number } | null;
  /** The state digest the desk last confirmed (null: the open notice is not confirmed yet). */
  sent: string | null;
}

export interface ClosedEpisode {
  triageId: string | null;
  firstAt: number;
  lastAt: number;
  count: number;
  closedAt: number;
  /** The close notice was confirmed by the desk. */
  sent: boolean;
  /** The open episode's view data, kept for the close notice. */
  episode: Episode;
}

export interface PatternState {
  v: 1;
  key: PatternKey;
  applicationName: string | null;
  recent: RecentDenial[];
  /** Bucket start (ms, as text) → denials. */
  buckets: Record<string, number>;
  lastAt: number;
  open: Episode | null;
  closed: ClosedEpisode | null;
}

export interface EpisodeOptions {
  thresholds: Thresholds;
  quietMs: number;
  now: number;
}

/** A hex ID for a pattern, safe in Redis keys (src/store/keys.ts). */
export function patternId(k: PatternKey): string {
  return createHash('sha256').update([k.zoneId, k.applicationId ?? '', k.resource ?? '', k.reason].join('\0')).digest('hex').slice(0, 40);
}

export function emptyState(key: PatternKey, applicationName: string | null): PatternState {
  return { v: 1, key, applicationName, recent: [], buckets: {}, lastAt: 0, open: null, closed: null };
}

const bucketOf = (t: number): number => Math.floor(t / BUCKET_MS) * BUCKET_MS;

/** Index of the first of the (ascending) recent denials at or after t. */
function firstAtOrAfter(recent: readonly RecentDenial[], t: number): number {
  let lo = 0;
  let hi = recent.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (recent[mid]![0] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Denials in (t - window, t], from `recent`. */
export function recentWindow(s: PatternState, t: number, windowMs: number): RecentDenial[] {
  return s.recent.slice(firstAtOrAfter(s.recent, t - windowMs + 1), firstAtOrAfter(s.recent, t + 1));
}

/** The baseline for the window ending at t: buckets wholly inside the 24 h before the window. */
export function bucketBaseline(s: PatternState, t: number, windowMs: number): number {
  const from = t - windowMs - BASELINE_MS;
  const to = t - windowMs;
  let n = 0;
  for (const [start, c] of Object.entries(s.buckets)) {
    const b = Number(start);
    if (b >= from && b + BUCKET_MS <= to) n += c;
  }
  return n;
}

function insert(s: PatternState, d: Denial, counted: Set<string>): boolean {
  const as = countedAs(d);
  if (counted.has(as)) return false;
  counted.add(as);
  // Denials come in time order, so this is almost always an append.
  s.recent.splice(firstAtOrAfter(s.recent, d.occurredAt + 1), 0, [d.occurredAt, as, d.requestId]);
  const b = String(bucketOf(d.occurredAt));
  s.buckets[b] = (s.buckets[b] ?? 0) + 1;
  s.lastAt = Math.max(s.lastAt, d.occurredAt);
  return true;
}

function close(s: PatternState, at: number): void {
  const e = s.open!;
  s.closed = { triageId: e.triageId, firstAt: e.firstAt, lastAt: e.lastAt, count: e.count, closedAt: at, sent: false, episode: e };
  s.open = null;
}

function latestRequest(s: PatternState, from: number): string | null {
  for (let i = s.recent.length - 1; i >= 0; i--) {
    const [at, , rid] = s.recent[i]!;
    if (at < from) break;
    if (rid) return rid;
  }
  return null;
}

function prune(s: PatternState, now: number, windowMs: number): void {
  const keep = now - Math.max(HOUR_MS, windowMs) - BUCKET_MS;
  s.recent = s.recent.filter(([at]) => at >= keep);
  const oldest = now - BASELINE_MS - windowMs - BUCKET_MS;
  for (const b of Object.keys(s.buckets)) if (Number(b) < oldest) delete s.buckets[b];
}

/**
 * The pattern after `denials` (new ones, already known to be unseen), and whether an episode
 * opened or closed. Denials are applied in time order; an open episode whose next denial comes
 * `quietMs` or more after its last closes first.
 */
export function applyDenials(prev: PatternState, denials: readonly Denial[], o: EpisodeOptions): { state: PatternState; opened: boolean; closed: boolean } {
  const s: PatternState = structuredClone(prev);
  const th = o.thresholds;
  let opened = false;
  let closed = false;
  const counted = new Set(s.recent.map(([, as]) => as));
  for (const d of [...denials].sort((a, b) => a.occurredAt - b.occurredAt)) {
    if (s.open && d.occurredAt - s.open.lastAt >= o.quietMs) {
      close(s, s.open.lastAt + o.quietMs);
      closed = true;
    }
    if (!insert(s, d, counted)) continue;
    s.applicationName ??= d.applicationName;
    if (s.open) {
      if (d.occurredAt >= s.open.firstAt) s.open.count++;
      s.open.lastAt = Math.max(s.open.lastAt, d.occurredAt);
      continue;
    }
    const t = d.occurredAt;
    const closedAt = s.closed?.closedAt ?? -Infinity;
    if (t <= closedAt || t <= o.now - o.quietMs) continue;
    // A comeback counts only what came after the last episode closed.
    const inWindow = recentWindow(s, t, th.windowMs).filter(([at]) => at > closedAt);
    if (!overThreshold(inWindow.length, bucketBaseline(s, t, th.windowMs), th)) continue;
    const firstAt = inWindow[0]![0];
    s.open = {
      openedAt: t,
      firstAt,
      lastAt: t,
      count: s.recent.length - firstAtOrAfter(s.recent, firstAt),
      requestId: null,
      triageId: null,
      previous: s.closed?.triageId ? { triageId: s.closed.triageId, closedAt: s.closed.closedAt } : null,
      sent: null,
    };
    opened = true;
  }
  if (s.open) {
    s.open.lastAt = Math.max(s.open.lastAt, s.recent.at(-1)?.[0] ?? 0);
    if (opened) s.open.requestId = latestRequest(s, s.open.firstAt);
    if (o.now - s.open.lastAt >= o.quietMs) {
      close(s, s.open.lastAt + o.quietMs);
      closed = true;
    }
  }
  prune(s, o.now, th.windowMs);
  return { state: s, opened, closed };
}

/** What the card shows changes with this: an open episode's count and latest denial. */
export function openDigest(e: Episode): string {
  return `open:${e.openedAt}:${e.count}:${e.lastAt}`;
}

/** A closed episode's notice. */
export function closeDigest(c: ClosedEpisode): string {
  return `closed:${c.closedAt}:${c.count}:${c.lastAt}`;
}

export type NoticeKind = 'open' | 'update' | 'close';

/**
 * The notices the desk has not confirmed yet, in the order they must go: the close of the last
 * episode before the open of the next (the desk keeps one incident per pattern: it must be
 * resolved before it re-opens as a new triage).
 */
export function pendingNotices(s: PatternState): NoticeKind[] {
  const out: NoticeKind[] = [];
  if (s.closed && !s.closed.sent) out.push('close');
  if (s.open && s.open.sent !== openDigest(s.open)) out.push(s.open.sent === null ? 'open' : 'update');
  return out;
}

const MINUTE_MS = 60_000;

/** Denials per `stepMs` over the hour before `now` (the step holding `now` last), oldest first. */
function hourIn(s: PatternState, now: number, stepMs: number): number[] {
  const end = Math.floor(now / stepMs) * stepMs + stepMs;
  const counts = new Array<number>(HOUR_MS / stepMs).fill(0);
  for (const [at] of s.recent) {
    const i = Math.floor((at - (end - HOUR_MS)) / stepMs);
    if (i >= 0 && i < counts.length) counts[i]!++;
  }
  return counts;
}

/** Denials per minute over the hour before `now`, oldest first (60): the card's chart. */
export const lastHourByMinute = (s: PatternState, now: number): number[] => hourIn(s, now, MINUTE_MS);

/** Denials per bucket over the hour before `now`, oldest first (12 buckets). */
export const lastHour = (s: PatternState, now: number): number[] => hourIn(s, now, BUCKET_MS);
