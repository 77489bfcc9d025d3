/**
 * Denial patterns over a time range (pure): the one place that turns denied audit rows into
 * patterns and says which crossed their thresholds. The terminal's `watch --once`, the watcher
 * (src/watch/, through the same classification and window rules) and the MCP tool
 * `recent_denials` read denials through it.
 *
 *   denials (classified rows, denial.ts)  →  one report per pattern:
 *     count          denied requests in [since, until), each once (its causal row; the
 *                    `exchange_denied` companion never counts on its own)
 *     overThreshold  some window of the pattern's thresholds ending in the range held at least
 *                    `minDenials` and more than `baselineFactor` × the pattern's rate over the
 *                    24 h before that window (denials before `since` count for the baseline)
 */
import { countedAs, patternText, type Denial, type PatternKey } from './denial';
import { baselineCount, lowerBound, overThreshold, thresholdsFor, windowCount, type ThresholdRule, type Thresholds } from './thresholds';

export interface PatternReport extends PatternKey {
  applicationName: string | null;
  /** Denied requests in the range. */
  count: number;
  /** ms; the first and last denial in the range. */
  firstAt: number;
  lastAt: number;
  /** The latest five requests, newest first. */
  requestIds: string[];
  overThreshold: boolean;
  /** End of the first window that crossed (ms), null when none did. */
  crossedAt: number | null;
  /** The most denials in one window ending in the range, when it ended, and the baseline before it. */
  peak: { count: number; at: number; baseline: number };
  thresholds: Thresholds;
}

export interface PatternRange {
  /** ms, inclusive */
  since: number;
  /** ms, exclusive */
  until: number;
  defaults: Thresholds;
  rules?: readonly ThresholdRule[];
}

interface Group {
  key: PatternKey;
  applicationName: string | null;
  /** counted-as → its earliest denial (a request denied twice for the same pattern counts once). */
  byRequest: Map<string, Denial>;
}

/** Groups denials by pattern, each request once, each event ID once. */
export function groupDenials(denials: Iterable<Denial>): Map<string, Group> {
  const groups = new Map<string, Group>();
  const events = new Set<string>();
  for (const d of denials) {
    if (events.has(d.eventId)) continue;
    events.add(d.eventId);
    const id = patternText(d);
    let g = groups.get(id);
    if (!g) {
      g = { key: { zoneId: d.zoneId, applicationId: d.applicationId, resource: d.resource, reason: d.reason }, applicationName: d.applicationName, byRequest: new Map() };
      groups.set(id, g);
    }
    const as = countedAs(d);
    const seen = g.byRequest.get(as);
    if (!seen || d.occurredAt < seen.occurredAt) g.byRequest.set(as, d);
    g.applicationName ??= d.applicationName;
  }
  return groups;
}

function report(g: Group, range: PatternRange): PatternReport | null {
  const all = [...g.byRequest.values()].sort((a, b) => a.occurredAt - b.occurredAt || a.eventId.localeCompare(b.eventId));
  const times = all.map((d) => d.occurredAt);
  const from = lowerBound(times, range.since);
  const to = lowerBound(times, range.until);
  if (to <= from) return null;
  const th = thresholdsFor(g.key, range.defaults, range.rules);
  let crossedAt: number | null = null;
  let peak = { count: 0, at: times[from]!, baseline: 0 };
  for (let i = from; i < to; i++) {
    const t = times[i]!;
    // Several denials at one instant: the window ending there is judged once, with all of them.
    if (i + 1 < to && times[i + 1] === t) continue;
    const count = windowCount(times, t, th.windowMs);
    const baseline = baselineCount(times, t, th.windowMs);
    if (count > peak.count) peak = { count, at: t, baseline };
    if (crossedAt === null && overThreshold(count, baseline, th)) crossedAt = t;
  }
  const inRange = all.slice(from, to);
  return {
    ...g.key,
    applicationName: g.applicationName,
    count: inRange.length,
    firstAt: times[from]!,
    lastAt: times[to - 1]!,
    requestIds: inRange
      .filter((d) => d.requestId !== null)
      .slice(-5)
      .reverse()
      .map((d) => d.requestId!),
    overThreshold: crossedAt !== null,
    crossedAt,
    peak,
    thresholds: th,
  };
}

/** Every pattern with a denial in the range: those that crossed first, then by count. */
export function summarizePatterns(denials: Iterable<Denial>, range: PatternRange): PatternReport[] {
  const out: PatternReport[] = [];
  for (const g of groupDenials(denials).values()) {
    const r = report(g, range);
    if (r) out.push(r);
  }
  return out.sort(
    (a, b) =>
      Number(b.overThreshold) - Number(a.overThreshold) ||
      b.count - a.count ||
      b.lastAt - a.lastAt ||
      patternText(a).localeCompare(patternText(b)),
  );
}

/** The `--json` (and `recent_denials`) shape of one report: the stable contract. */
export function reportJson(r: PatternReport) {
  return {
    zoneId: r.zoneId,
    applicationId: r.applicationId,
    resource: r.resource,
    reason: r.reason,
    count: r.count,
    firstAt: new Date(r.firstAt).toISOString(),
    lastAt: new Date(r.lastAt).toISOString(),
    requestIds: r.requestIds,
    overThreshold: r.overThreshold,
  };
}

export { classifyRow, countedAs, patternText, REPLAY_EVENT, type ClassifiedRow, type Denial, type PatternKey } from './denial';
export { DEFAULT_THRESHOLDS, thresholdsFor, type ThresholdRule, type Thresholds } from './thresholds';
