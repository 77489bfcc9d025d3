/**
 * Redis connections, with the settings BullMQ and the web process need: workers block and must
 * ride out Redis restarts
 * (`maxRetriesPerRequest: null`); producers in web processes fail fast
 * (`enableOfflineQueue: false`) so a dead Redis turns into a quick error, not a hung ack.
 */
import IORedis, { type Redis, type RedisOptions } from 'ioredis';
import { ConfigError } from '../config/problems';

/** For BullMQ workers and the worker's own store access. */
export function createWorkerConnection(url: string, extra: RedisOptions = {}): Redis {
  return new IORedis(url, { maxRetriesPerRequest: null, ...extra });
}

/**
 * For producers in web processes: commands fail at once while Redis is down. Closing one then
 * (QUIT cannot be sent, so disconnect()) makes ioredis wait `disconnectTimeout` for a 'close'
 * its socket already emitted, holding the process that long (2 s by default) for nothing.
 */
export function createProducerConnection(url: string, extra: RedisOptions = {}): Redis {
  return new IORedis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 2, disconnectTimeout: 100, ...extra });
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

/** The URL without its password, for messages. */
export function safeRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return 'REDIS_URL';
  }
}

/**
 * Checks that Redis answers PING within `timeoutMs`. Returns null when it does, else a
 * ConfigError naming REDIS_URL with one line the CLI prints before exiting 2.
 */
export async function checkRedis(url: string, timeoutMs = 2000): Promise<ConfigError | null> {
  const redis = new IORedis(url, {
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
    await withTimeout(
      (async () => {
        await redis.connect();
        await redis.ping();
      })(),
      timeoutMs,
    );
    return null;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = lastError ?? err.code ?? err.message;
    return ConfigError.of('REDIS_URL', `cannot reach Redis at ${safeRedisUrl(url)} (${why})`);
  } finally {
    // disconnect() on a client that already ended arms a ~2 s timer that keeps the process alive.
    if (redis.status !== 'end') redis.disconnect();
  }
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
 * silence. Resolves null once Redis answers; the last ConfigError when it never did.
 */
export async function waitForRedis(url: string, o: { timeoutMs: number; onRetry?: (why: string, nextInMs: number, attempt: number) => void; sleep?: (ms: number) => Promise<void> }): Promise<ConfigError | null> {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = Date.now() + o.timeoutMs;
  let wait = 250;
  for (let attempt = 1; ; attempt++) {
    const err = await checkRedis(url, 2000);
    if (!err) return null;
    const left = deadline - Date.now();
    if (left <= 0) return err;
    const next = Math.min(wait, left);
    o.onRetry?.(err.problems[0]?.message ?? err.message, next, attempt);
    await sleep(next);
    wait = Math.min(wait * 2, 5000);
  }
}
