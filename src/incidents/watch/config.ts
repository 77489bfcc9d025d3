/**
 * The deny watcher's settings. The worker (and `start`) runs the watcher when WATCH_ENABLED is
 * true; `watch --once` reads the thresholds too.
 *
 *   WATCH_ENABLED          run the watcher in this worker (default false)
 *   WATCH_INTERVAL_S       seconds between polls (default 30); the leader's lease lasts 1.5 of them
 *   WATCH_OVERLAP_S        each poll reads back this far before its cursor, for rows ingested late (120)
 *   WATCH_WINDOW_S         the window a pattern's denials are counted in (300)
 *   WATCH_MIN_DENIALS      denials in one window that open a triage (5)
 *   WATCH_BASELINE_FACTOR  … when also above this many times the pattern's rate over the 24 h before (3)
 *   WATCH_QUIET_S          a pattern without a denial this long is closed on its card (900)
 *   WATCH_BUDGET_RESERVE_PER_MIN  Admin API calls a minute of CARACAL_API_BUDGET_PER_MIN kept for
 *                          the watcher alone while it runs (100; at most half the budget): triages
 *                          take the rest, the watcher also what they leave (src/caracal/budget.ts)
 */
import { z } from 'zod';
import { bool, type Env, int, parseEnvGroup, short } from '../../config/fields';
import type { Parsed } from '../../config/problems';
import type { Thresholds } from './thresholds';

export interface WatchSettings {
  enabled: boolean;
  intervalMs: number;
  overlapMs: number;
  quietMs: number;
  thresholds: Thresholds;
  /** Calls a minute of the Caracal budget kept for the watcher (absent: DEFAULT_WATCH_RESERVE_PER_MIN). */
  budgetReservePerMin?: number;
}

export const DEFAULT_WATCH_RESERVE_PER_MIN = 100;

/** A decimal number in [min, max] (the baseline factor may be 2.5). */
function decimal(o: { min: number; max: number; default: number; example: string }) {
  return z.string().optional().transform((raw, ctx): number => {
    const v = raw?.trim();
    if (!v) return o.default;
    const n = /^\d+(\.\d+)?$/.test(v) ? Number(v) : NaN;
    if (!(n >= o.min && n <= o.max)) {
      ctx.addIssue({ code: 'custom', message: `must be a number from ${o.min} to ${o.max}, e.g. ${o.example} (got ${JSON.stringify(short(v))})` });
      return z.NEVER;
    }
    return n;
  });
}

const seconds = (dflt: number, min: number, max: number, note?: string) => int({ min, max, default: dflt, what: 'a whole number of seconds', example: dflt, note });

const shape = {
  WATCH_ENABLED: bool({ default: false }),
  WATCH_INTERVAL_S: seconds(30, 1, 3600),
  WATCH_OVERLAP_S: seconds(120, 0, 86_400, 'rows ingested later than this after they occurred are missed'),
  WATCH_WINDOW_S: seconds(300, 1, 86_400),
  WATCH_MIN_DENIALS: int({ min: 1, max: 100_000, default: 5, what: 'a whole number of denials', example: 5 }),
  WATCH_BASELINE_FACTOR: decimal({ min: 0, max: 1000, default: 3, example: '3' }),
  WATCH_QUIET_S: seconds(900, 1, 7 * 86_400),
  WATCH_BUDGET_RESERVE_PER_MIN: int({ min: 0, max: 50_000, default: DEFAULT_WATCH_RESERVE_PER_MIN, what: 'a whole number of calls', example: DEFAULT_WATCH_RESERVE_PER_MIN, note: 'at most half of CARACAL_API_BUDGET_PER_MIN is kept' }),
};

export function parseWatchSettings(env: Env): Parsed<WatchSettings> {
  const r = parseEnvGroup(shape, env);
  if (!r.ok) return r;
  const v = r.value;
  return {
    ok: true,
    value: {
      enabled: v.WATCH_ENABLED,
      intervalMs: v.WATCH_INTERVAL_S! * 1000,
      overlapMs: v.WATCH_OVERLAP_S! * 1000,
      quietMs: v.WATCH_QUIET_S! * 1000,
      thresholds: { minDenials: v.WATCH_MIN_DENIALS!, windowMs: v.WATCH_WINDOW_S! * 1000, baselineFactor: v.WATCH_BASELINE_FACTOR },
      budgetReservePerMin: v.WATCH_BUDGET_RESERVE_PER_MIN!,
    },
  };
}
