/**
 * When a denial pattern is a problem (pure): it reaches `minDenials` within `windowMs` and is
 * above `baselineFactor` times its own rate over the 24 h before that window. A pattern without
 * history has a baseline of zero, so `minDenials` alone decides. The Gateway's
 * `replay_detected` opens at its first event: a replayed mandate is a possible stolen token.
 *
 * Thresholds come from WATCH_MIN_DENIALS, WATCH_WINDOW_S and WATCH_BASELINE_FACTOR, overridden
 * per zone, application, resource or reason by the `thresholds:` rules of the routes file
 * (src/incidents/routes/format.ts; the first rule whose match holds wins). A rule applies to
 * `replay_detected` only when its match names that reason.
 */
import { REPLAY_EVENT, type PatternKey } from './denial';

export interface Thresholds {
  minDenials: number;
  windowMs: number;
  baselineFactor: number;
}

export const THRESHOLD_MATCH_KEYS = ['zone', 'application', 'resource', 'reason'] as const;
export type ThresholdMatchKey = (typeof THRESHOLD_MATCH_KEYS)[number];

export interface ThresholdRule {
  /** 0-based position in `thresholds`. */
  index: number;
  name: string | null;
  /** Every key given must hold (any of its values). */
  match: Partial<Record<ThresholdMatchKey, string[]>>;
  /** What the rule changes; the rest stays the default. */
  set: Partial<Thresholds>;
}

export const BASELINE_MS = 24 * 3_600_000;
export const DEFAULT_THRESHOLDS: Thresholds = { minDenials: 5, windowMs: 300_000, baselineFactor: 3 };

const valueOf = (k: PatternKey, key: ThresholdMatchKey): string | null =>
  key === 'zone' ? k.zoneId : key === 'application' ? k.applicationId : key === 'resource' ? k.resource : k.reason;

export function ruleMatches(rule: Pick<ThresholdRule, 'match'>, k: PatternKey): boolean {
  return (Object.entries(rule.match) as Array<[ThresholdMatchKey, string[] | undefined]>).every(([key, wanted]) => {
    if (!wanted) return true;
    const have = valueOf(k, key);
    return have !== null && wanted.includes(have);
  });
}

/** The thresholds of one pattern: the defaults, a replay's own, then the first matching rule. */
export function thresholdsFor(k: PatternKey, defaults: Thresholds, rules: readonly ThresholdRule[] = []): Thresholds {
  const replay = k.reason === REPLAY_EVENT;
  const base = replay ? { ...defaults, minDenials: 1, baselineFactor: 0 } : defaults;
  const rule = rules.find((r) => ruleMatches(r, k) && (!replay || (r.match.reason ?? []).includes(REPLAY_EVENT)));
  return rule ? { ...base, ...rule.set } : base;
}

/**
 * Whether `count` denials in one window are over the thresholds, given `baseline` denials of the
 * same pattern in the 24 h before that window.
 */
export function overThreshold(count: number, baseline: number, t: Thresholds): boolean {
  return count >= t.minDenials && count > (t.baselineFactor * baseline * t.windowMs) / BASELINE_MS;
}

/** How many denials one window needs to cross, given the baseline (for sentences: "needs 12"). */
export function neededToCross(baseline: number, t: Thresholds): number {
  return Math.max(t.minDenials, Math.floor((t.baselineFactor * baseline * t.windowMs) / BASELINE_MS) + 1);
}

/** Index of the first element of the ascending `times` that is >= t. */
export function lowerBound(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Denials (ascending times) in the window ending at `t`: (t - window, t]. */
export function windowCount(times: readonly number[], t: number, windowMs: number): number {
  return lowerBound(times, t + 1) - lowerBound(times, t - windowMs + 1);
}

/** Denials (ascending times) in the 24 h before the window ending at `t`: [t - window - 24 h, t - window]. */
export function baselineCount(times: readonly number[], t: number, windowMs: number): number {
  return lowerBound(times, t - windowMs + 1) - lowerBound(times, t - windowMs - BASELINE_MS);
}
