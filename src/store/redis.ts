/**
 * Redis connections, with the settings BullMQ and the web process need: workers block and must
 * ride out Redis restarts and failovers (`maxRetriesPerRequest: null`); producers in web
 * processes fail fast (`enableOfflineQueue: false`) so a dead Redis turns into a quick error,
 * not a hung ack. REDIS_URL may name one Redis or a Sentinel group (redis-target.ts). A write
 * refused with READONLY (a connection still on a demoted master) reconnects, so the next
 * command reaches the new master; a worker's command is sent again there.
 */
import type { Redis, RedisOptions } from 'ioredis';
import { ConfigError } from '../config/problems';
import { connectRedis } from './redis-target';
import { safeRedisUrl } from './redis-url';

export { safeRedisUrl } from './redis-url';

const onReadOnly = (resend: boolean) => (err: Error): boolean | 1 | 2 => (/^READONLY\b/.test(err.message) ? (resend ? 2 : 1) : false);

/** For BullMQ workers and the worker's own store access. */
export function createWorkerConnection(url: string, extra: RedisOptions = {}): Redis {
  return connectRedis(url, { maxRetriesPerRequest: null, reconnectOnError: onReadOnly(true), ...extra });
}

/**
 * For producers in web processes: commands fail at once while Redis is down. Closing one then
 * (QUIT cannot be sent, so disconnect()) makes ioredis wait `disconnectTimeout` for a 'close'
 * its socket already emitted, holding the process that long (2 s by default) for nothing.
 */
export function createProducerConnection(url: string, extra: RedisOptions = {}): Redis {
  return connectRedis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 2, disconnectTimeout: 100, reconnectOnError: onReadOnly(false), ...extra });
}

/** Resolves when the connection is ready (or rejects after `timeoutMs`). */
export function waitReady(redis: Redis, timeoutMs = 5000): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis not ready within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = (): void => {
      cleanup();
      resolve();
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      redis.off('ready', onReady);
    };
    redis.on('ready', onReady);
  });
}

export type RedisProbe = { ok: true; evictionPolicy: string | null } | { ok: false; error: ConfigError };

/**
 * Checks that Redis answers PING within `timeoutMs`, and reads its `maxmemory-policy` from
 * `INFO memory` (not CONFIG, which managed Redis services often rename or forbid; null when
 * INFO is refused too). An unreachable Redis is a ConfigError naming REDIS_URL, one line.
 */
export async function probeRedis(url: string, timeoutMs = 2000): Promise<RedisProbe> {
  const redis = connectRedis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  let lastError: string | null = null;
  redis.on('error', (e: NodeJS.ErrnoException) => {
    lastError = e.code ?? e.message;
  });
  try {
    const evictionPolicy = await withTimeout(
      (async () => {
        await redis.connect();
        await redis.ping();
        const info = await redis.info('memory').catch(() => '');
        return /^maxmemory_policy:(\S+)/m.exec(info)?.[1] ?? null;
      })(),
      timeoutMs,
    );
    return { ok: true, evictionPolicy };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = lastError ?? err.code ?? err.message;
    return { ok: false, error: ConfigError.of('REDIS_URL', `cannot reach Redis at ${safeRedisUrl(url)} (${why})`) };
  } finally {
    // disconnect() on a client that already ended arms a ~2 s timer that keeps the process alive.
    if (redis.status !== 'end') redis.disconnect();
  }
}

/** Null when Redis answers PING within `timeoutMs`, else a ConfigError naming REDIS_URL. */
export async function checkRedis(url: string, timeoutMs = 2000): Promise<ConfigError | null> {
  const p = await probeRedis(url, timeoutMs);
  return p.ok ? null : p.error;
}

/**
 * A Redis that evicts keys under memory pressure drops triages, jobs and audit entries without
 * an error: refused at start-up (one line naming REDIS_URL and the policy) unless the operator
 * accepted it with REDIS_ALLOW_EVICTION=true.
 */
export function evictionProblem(url: string, policy: string | null, allowEviction: boolean): ConfigError | null {
  if (policy === null || policy === 'noeviction' || allowEviction) return null;
  return ConfigError.of(
    'REDIS_URL',
    `Redis at ${safeRedisUrl(url)} evicts keys when memory runs out (maxmemory-policy ${policy}): triages, jobs and the audit log would vanish without an error; set maxmemory-policy noeviction on it, or REDIS_ALLOW_EVICTION=true to run anyway`,
  );
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

/**
 * Start-up against a Redis that is not there yet (a pod starting before its Redis, a Redis
 * restarting): try, then retry with exponential backoff (250 ms doubling to 5 s) until
 * `timeoutMs` has passed, logging each miss, rather than exiting at once and crash-looping in
 * silence. Resolves null once Redis answers; the last ConfigError when it never did, or at
 * once when it answers with an evicting policy (evictionProblem).
 */
export interface WaitForRedisOptions {
  timeoutMs: number;
  /** REDIS_ALLOW_EVICTION: start over an evicting Redis anyway (evictionProblem). */
  allowEviction?: boolean;
  onRetry?: (why: string, nextInMs: number, attempt: number) => void;
  /** Told the eviction policy Redis reported (null: INFO refused), once it answers. */
  onPolicy?: (policy: string | null) => void;
  sleep?: (ms: number) => Promise<void>;
}

export async function waitForRedis(url: string, o: WaitForRedisOptions): Promise<ConfigError | null> {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = Date.now() + o.timeoutMs;
  let wait = 250;
  for (let attempt = 1; ; attempt++) {
    const probe = await probeRedis(url, 2000);
    if (probe.ok) {
      o.onPolicy?.(probe.evictionPolicy);
      // Not retried: the policy does not change by waiting.
      return evictionProblem(url, probe.evictionPolicy, o.allowEviction ?? false);
    }
    const err = probe.error;
    const left = deadline - Date.now();
    if (left <= 0) return err;
    const next = Math.min(wait, left);
    o.onRetry?.(err.problems[0]?.message ?? err.message, next, attempt);
    await sleep(next);
    wait = Math.min(wait * 2, 5000);
  }
}
