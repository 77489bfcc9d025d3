/**
 * How long a failed job waits before its next attempt: doubling from `baseMs`, capped at
 * `capMs`, with ±20 % jitter (so jobs that failed together during an outage do not all come
 * back in the same instant). BullMQ's own exponential backoff has no cap: 12 attempts from 1 s
 * would wait over an hour for the last one, and 5 from 1 s gave up after 15 s, inside a Redis
 * or Caracal outage of minutes. With the defaults, 12 attempts span about 10 minutes.
 *
 * BullMQ calls a worker's `settings.backoffStrategy` for a job whose `backoff.type` is not one
 * of its built-in ones; the job options name `capped`, the worker supplies the numbers.
 */
import type { BackoffOptions } from 'bullmq';

export const CAPPED_BACKOFF: BackoffOptions = { type: 'capped' };

export interface RetryPolicy {
  /** Wait before the second attempt (ms); doubles for each further one. */
  baseMs: number;
  /** The longest wait between two attempts (ms). */
  capMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseMs: 1000, capMs: 120_000 };

/** The wait before attempt `attemptsMade + 1`, without jitter. */
export function cappedDelay(policy: RetryPolicy, attemptsMade: number): number {
  return Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attemptsMade - 1));
}

/** For Worker `settings.backoffStrategy`. */
export function cappedBackoff(policy: RetryPolicy, random: () => number = Math.random): (attemptsMade: number) => number {
  return (attemptsMade) => Math.round(cappedDelay(policy, attemptsMade) * (0.8 + 0.4 * random()));
}

/** The whole time a job with `attempts` attempts keeps trying (without jitter), for docs and tests. */
export function retrySpanMs(policy: RetryPolicy, attempts: number): number {
  let total = 0;
  for (let n = 1; n < attempts; n++) total += cappedDelay(policy, n);
  return total;
}
