/**
 * Connecting to what REDIS_URL names (src/store/redis-url.ts reads it): one Redis, or a Sentinel
 * group. A Sentinel group's connections use ioredis' `failoverDetector`: they follow a new master
 * as soon as the Sentinels announce it, instead of staying on a demoted one that still accepts
 * writes for a few seconds (writes that are then lost; platform-notes §11.5). Apart from the URL
 * reader so that reading settings (the terminal commands) does not load ioredis.
 */
import IORedis, { type Redis, type RedisOptions } from 'ioredis';
import { parseRedisTarget, type RedisTarget } from './redis-url';

function targetOf(url: string): RedisTarget {
  const parsed = parseRedisTarget(url);
  if (!parsed.ok) throw new Error(`REDIS_URL ${parsed.message}`);
  return parsed.target;
}

/**
 * A connection to what `url` names, with `options` (the role's: retries, offline queue…). For a
 * Sentinel group, `retryStrategy` also governs asking the Sentinels again.
 */
export function connectRedis(url: string, options: RedisOptions): Redis {
  const t = targetOf(url);
  if (t.kind === 'direct') return new IORedis(t.url, options);
  return new IORedis({
    ...options,
    sentinels: t.sentinels,
    name: t.name,
    db: t.db,
    ...(t.username ? { username: t.username } : {}),
    ...(t.password ? { password: t.password } : {}),
    ...(t.sentinelPassword ? { sentinelPassword: t.sentinelPassword } : {}),
    ...(t.tls ? { tls: {}, sentinelTLS: {}, enableTLSForSentinelMode: true } : {}),
    failoverDetector: true,
    // Subscriptions lost to a Sentinel that restarted are taken again within seconds, not
    // ioredis' default minute.
    sentinelReconnectStrategy: (times: number) => Math.min(times * 1000, 10_000),
    // releaseRedis' disconnect() after a QUIT waits this long for a socket that already closed.
    disconnectTimeout: Math.min(options.disconnectTimeout ?? 2000, 200),
    ...(options.retryStrategy ? { sentinelRetryStrategy: options.retryStrategy } : {}),
  });
}

/**
 * After QUIT: a Sentinel group's connection keeps the failover detector's subscriptions to
 * every Sentinel open (and reconnecting) until disconnect() is called, which QUIT does not do
 * (ioredis 5.11): without this a closed process would hold sockets and reconnect timers.
 */
export function releaseRedis(redis: Redis): void {
  if ((redis.options as { sentinels?: unknown[] }).sentinels?.length) redis.disconnect();
}
