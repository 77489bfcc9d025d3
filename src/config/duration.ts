/**
 * Durations in settings, written the way people say them: a whole number and a unit, `90m`,
 * `24h`, `7d` (`s`, `m`, `h`, `d`). Parsed as an environment field (fields.ts style: a message
 * that names what is wrong and shows a right value) and formatted back for sentences.
 *
 * Hand-written rather than `ms`: that package reads a bare number as milliseconds (`90` would be
 * 90 ms where a person meant minutes), accepts fractions, weeks and years, and returns
 * undefined instead of saying why; the grammar here is one regular expression.
 */
import { z } from 'zod';
import { short } from './fields';

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d{1,7})\s*([smhd])$/;

/** Milliseconds of `90m`, `24h`, `7d`, `30s`; null for anything else. */
export function parseDuration(text: string): number | null {
  const m = DURATION.exec(text.trim().toLowerCase());
  if (!m) return null;
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

/** `24 h`, `90 min`, `3 d 6 h`, `45 s`: the two largest units (hours up to two days, as people count them). */
export function formatDuration(ms: number): string {
  const parts: string[] = [];
  let rest = Math.max(0, Math.round(ms / 1000));
  const units = [['d', 86_400], ['h', 3600], ['min', 60], ['s', 1]] as const;
  for (const [unit, seconds] of rest < 2 * 86_400 ? units.slice(1) : units) {
    const n = Math.floor(rest / seconds);
    if (n > 0 && parts.length < 2) parts.push(`${n} ${unit}`);
    rest -= n * seconds;
  }
  return parts.length > 0 ? parts.join(' ') : '0 s';
}

/** An environment field holding a duration within [min, max] (ms), `dflt` when unset or empty. */
export function duration(o: { dflt: string; min: number; max: number; example: string }) {
  return z.string().optional().transform((raw, ctx): number => {
    const v = raw?.trim() || o.dflt;
    const ms = parseDuration(v);
    const range = `from ${formatDuration(o.min)} to ${formatDuration(o.max)}`;
    if (ms === null) {
      ctx.addIssue({ code: 'custom', message: `must be a duration such as 90m or 24h (a whole number and s, m, h or d), ${range}, e.g. ${o.example} (got ${JSON.stringify(short(v))})` });
      return z.NEVER;
    }
    if (ms < o.min || ms > o.max) {
      ctx.addIssue({ code: 'custom', message: `must be ${range}, e.g. ${o.example} (got ${JSON.stringify(short(v))})` });
      return z.NEVER;
    }
    return ms;
  });
}
