/**
 * Caracal's Admin API rate limit as the simulator plays it: at most N `/v1` calls per clock
 * minute per client IP and per actor (here: per bearer token), counted in clock-minute
 * buckets; over it, 429 `{"error":"rate_limited"}` with no Retry-After (FACTS §1, §4).
 */
import type { RouteResult } from './http';

export interface SimRateLimit {
  /** null: the call may go on; otherwise the 429 to answer. */
  admit(ip: string, authorization: string, now: number): RouteResult | null;
  set(perMinute: number | null): void;
  /** `/v1` calls counted, and those refused. */
  readonly seen: number;
  readonly refused: number;
}

/** `bucketMs`: Caracal's clock minute (tests shorten it). */
export function createRateLimit(initial: number | null, bucketMs = 60_000): SimRateLimit {
  let perMinute = initial;
  let minute = -1;
  const counts = new Map<string, number>();
  let seen = 0;
  let refused = 0;
  return {
    admit(ip, authorization, now) {
      seen++;
      if (perMinute === null) return null;
      const m = Math.floor(now / bucketMs);
      if (m !== minute) {
        minute = m;
        counts.clear();
      }
      const buckets = [`ip:${ip}`, `actor:${authorization}`];
      const over = buckets.some((b) => (counts.get(b) ?? 0) >= perMinute!);
      // Caracal counts a refused call too (its bucket is incremented before the check).
      for (const b of buckets) counts.set(b, (counts.get(b) ?? 0) + 1);
      if (!over) return null;
      refused++;
      return { status: 429, body: { error: 'rate_limited' } };
    },
    set(n) {
      perMinute = n;
    },
    get seen() {
      return seen;
    },
    get refused() {
      return refused;
    },
  };
}
