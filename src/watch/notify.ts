/**
 * The deny watcher's notices to the incident desk (src/incidents/desk.ts), the same path the
 * webhooks take: one incident per pattern (source `watch`), opened by the first notice of an
 * episode, updated by later ones (the card, never a new card), resolved by the close. What the
 * desk confirms is written back to the pattern (fenced by the lease), so a notice lost to a
 * crash or failover is sent again next poll, and the desk recognises one it already applied by
 * its delivery key.
 */
import type { Logger } from 'pino';
import type { Destination } from '../chat/port';
import type { IncidentDesk } from '../incidents/desk';
import { triageForWatch, watchIncidentView, type WatchNotice } from '../incidents/from-watch';
import type { IncidentTriage } from '../incidents/incident';
import { BUCKET_MS, closeDigest, lastHour, lastHourByMinute, openDigest, pendingNotices, recentWindow, type Episode, type PatternState } from '../incidents/watch/episode';
import { samePattern } from '../incidents/watch/denial';
import { thresholdsFor, type ThresholdRule, type Thresholds } from '../incidents/watch/thresholds';
import { collectionOrder } from '../incidents/view';
import { eachLimited } from '../incidents/watch/read';
import type { Redactor } from '../redact/redact';
import type { WatchPatternView } from '../triage/record';
import type { WatchMetrics } from './metrics';
import type { PatternCommit, WatchStore } from './state-store';

export interface NotifyDeps {
  desk: IncidentDesk;
  store: WatchStore;
  /** Where the routes file (`source: watch`) or TRIAGE_DEFAULT_CHANNEL sends this pattern; null when nowhere (logged by the caller). */
  route(t: IncidentTriage): Destination | null;
  /** A triage's card link, for the card of a pattern that came back. */
  cardLink(triageId: string): Promise<string | null>;
  defaults: Thresholds;
  rules: readonly ThresholdRule[];
  quietMs: number;
  /** Everything a notice carries from Caracal (names, resources, request IDs) is redacted before the desk stores or posts it. */
  redactor: Redactor;
  metrics: WatchMetrics;
  logger: Logger;
  /** The deployment this watcher reads, carried into each notice so its triage reads the same one; null/absent with only `default`. */
  deployment?: string | null;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Applications denied on the same resource for the same reason in the window ending at `at`, across the patterns loaded. */
function applications(all: Iterable<PatternState>, s: PatternState, at: number, windowMs: number): number {
  const apps = new Set<string>();
  for (const o of all) {
    if (!samePattern({ ...o.key, applicationId: null }, { ...s.key, applicationId: null })) continue;
    if (recentWindow(o, at, windowMs).length > 0) apps.add(o.key.applicationId ?? '');
  }
  return Math.max(1, apps.size);
}

async function view(d: NotifyDeps, s: PatternState, e: Episode, all: Iterable<PatternState>, now: number, closedAt: number | null): Promise<WatchPatternView> {
  const th = thresholdsFor(s.key, d.defaults, d.rules);
  const link = e.previous ? await d.cardLink(e.previous.triageId).catch(() => null) : null;
  return {
    zoneId: s.key.zoneId,
    applicationId: s.key.applicationId,
    applicationName: s.applicationName,
    resource: s.key.resource,
    reason: s.key.reason,
    windowCount: recentWindow(s, e.lastAt, th.windowMs).length,
    windowMs: th.windowMs,
    total: e.count,
    firstAt: iso(e.firstAt),
    latestAt: iso(e.lastAt),
    applications: applications(all, s, e.lastAt, th.windowMs),
    lastHour: lastHour(s, closedAt ?? now),
    perMinute: lastHourByMinute(s, closedAt ?? now),
    bucketMs: BUCKET_MS,
    thresholds: th,
    previous: e.previous ? { triageId: e.previous.triageId, closedAt: iso(e.previous.closedAt), link } : null,
    quietSince: closedAt === null ? null : iso(closedAt),
    quietMs: d.quietMs,
  };
}

/** Sends what the desk has not confirmed for one pattern, in order; returns the pattern as confirmed. */
async function notifyOne(d: NotifyDeps, id: string, s0: PatternState, all: Map<string, PatternState>, now: number): Promise<PatternState> {
  let s = structuredClone(s0);
  for (const kind of pendingNotices(s)) {
    const closing = kind === 'close';
    const e = closing ? s.closed!.episode : s.open!;
    const closed = closing ? s.closed! : null;
    const episode: Episode = closed ? { ...e, count: closed.count, lastAt: closed.lastAt, triageId: closed.triageId ?? e.triageId } : e;
    const raw: WatchNotice = {
      patternId: id,
      key: s.key,
      signal: closing ? 'resolved' : 'firing',
      requestId: episode.requestId,
      stateDigest: closed ? closeDigest(closed) : openDigest(s.open!),
      occurredAt: iso(closed ? closed.closedAt : episode.lastAt),
      deployment: d.deployment ?? null,
      view: await view(d, s, episode, all.values(), now, closed?.closedAt ?? null),
    };
    const notice = d.redactor.redact(raw).value;
    const t = triageForWatch(notice);
    const destination = closing ? null : d.route(t);
    if (!closing && !destination) {
      // Nowhere to post it (logged by route): give this state up rather than retry every poll.
      d.metrics.notices.inc({ kind, outcome: 'unroutable' });
      s = confirm(s, kind, null);
      continue;
    }
    const outcome = await d.desk.receive({ incident: t, destination, view: watchIncidentView(t, notice), steps: collectionOrder(t) });
    d.metrics.notices.inc({ kind, outcome: outcome.action });
    d.logger.info({ pattern: t.incidentRef, kind, action: outcome.action, triageId: outcome.triageId }, 'deny pattern notice');
    s = confirm(s, kind, outcome.triageId);
  }
  return s;
}

function confirm(s: PatternState, kind: 'open' | 'update' | 'close', triageId: string | null): PatternState {
  if (kind === 'close') return { ...s, closed: { ...s.closed!, sent: true } };
  const open = s.open!;
  return { ...s, open: { ...open, sent: openDigest(open), triageId: open.triageId ?? triageId } };
}

/** Notices to the desk at once: a storm's opens are not queued one behind another. */
const NOTICE_CONCURRENCY = 8;

/**
 * Notices for every pattern in `pending`, opens first (a new card before the redraw of one
 * already posted), a few at once; each confirmed pattern is written back. A desk that fails
 * (Redis down) leaves its pattern pending for the next poll.
 */
export async function sendNotices(d: NotifyDeps, token: string, pending: readonly string[], all: Map<string, PatternState>, now: number): Promise<{ sent: number; failed: number; lostLease: boolean }> {
  let sent = 0;
  let failed = 0;
  let lostLease = false;
  const opensFirst = [...pending].sort((a, b) => Number(!opens(all.get(a))) - Number(!opens(all.get(b))));
  await eachLimited(opensFirst, NOTICE_CONCURRENCY, async (id) => {
    const s = all.get(id);
    if (!s || lostLease) return;
    let next: PatternState;
    try {
      next = await notifyOne(d, id, s, all, now);
    } catch (e) {
      failed++;
      d.metrics.notices.inc({ kind: 'any', outcome: 'error' });
      d.logger.warn({ err: e instanceof Error ? e.message : String(e), pattern: id }, 'the incident desk did not take a deny pattern notice; it is sent again next poll');
      return;
    }
    const commit: PatternCommit = { id, state: next, pinned: next.open !== null || pendingNotices(next).length > 0 };
    if (!(await d.store.commit(token, [], [commit]))) {
      lostLease = true;
      return;
    }
    all.set(id, next);
    sent++;
  });
  return { sent, failed, lostLease };
}

const opens = (s: PatternState | undefined): boolean => !!s && pendingNotices(s).includes('open');
