/**
 * One log line when Redis is lost and one when it is back, for a whole process. During an
 * outage every connection (the worker's, its duplicates, BullMQ's blocking ones) reports an
 * error on each reconnect attempt; logging each would bury the two lines that matter under dozens
 * a second. Connections keep reconnecting with ioredis' own backoff; this only watches.
 *
 * When a connection comes back to a different server than the one it had (a Sentinel group
 * promoted a replica, or a managed Redis moved its endpoint), the "back" line says so instead:
 * "Redis failed over", once per new master for the whole process, however many connections
 * follow it.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { safeRedisUrl } from './redis';

export interface RedisWatch {
  /** Watch a connection: its errors mark Redis lost, its `ready` marks it back. */
  attach(redis: Redis): void;
  /**
   * Report an error seen elsewhere (a BullMQ worker's `error` event). Connection errors go into
   * the one "lost" line; anything else is logged as `what`. Returns true when it was a
   * connection error.
   */
  error(e: Error, what: string): boolean;
  /** Call `listener` each time Redis is back after an outage (once per outage, not per connection). */
  onBack(listener: () => void): void;
  readonly down: boolean;
}

const CONNECTION_ERRORS = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EPIPE|Connection is closed|connect ETIMEDOUT|Stream isn't writeable|READONLY|LOADING/;

export function isRedisConnectionError(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return CONNECTION_ERRORS.test(`${err?.code ?? ''} ${err?.message ?? ''}`);
}

/** The server a connection is talking to, `host:port` (null before it is connected). */
function serverOf(redis: Redis): string | null {
  const s = (redis as unknown as { stream?: { remoteAddress?: string; remotePort?: number } }).stream;
  return s?.remoteAddress && s.remotePort ? `${s.remoteAddress}:${s.remotePort}` : null;
}

export function createRedisWatch(logger: Logger, url: string): RedisWatch {
  let downSince: number | null = null;
  let master: string | null = null;
  const backListeners: Array<() => void> = [];
  /** A connection is ready on `server`: true when that is a new master (logged once). */
  const failedOver = (server: string | null): string | null => {
    if (!server) return null;
    const was = master;
    master = server;
    return was !== null && was !== server ? was : null;
  };
  const lost = (reason: string): void => {
    if (downSince !== null) return;
    downSince = Date.now();
    logger.error({ redis: safeRedisUrl(url), reason }, 'lost the connection to Redis; reconnecting with backoff (triages wait, nothing is dropped)');
  };
  const back = (server: string | null): void => {
    const was = failedOver(server);
    if (was !== null) logger.warn({ redis: safeRedisUrl(url), master: server, was }, `Redis failed over: the master is now ${server} (was ${was}); writes the old master acknowledged in its last moments may be lost (see README, Operations)`);
    if (downSince === null) return;
    const seconds = Math.round((Date.now() - downSince) / 100) / 10;
    downSince = null;
    if (was === null) logger.info({ redis: safeRedisUrl(url), downSeconds: seconds }, 'Redis is back');
    for (const listener of backListeners) listener();
  };
  return {
    attach(redis) {
      redis.on('error', (e: Error) => lost((e as NodeJS.ErrnoException).code ?? e.message));
      redis.on('close', () => {
        if (redis.status !== 'end') lost('connection closed');
      });
      redis.on('ready', () => back(serverOf(redis)));
    },
    error(e, what) {
      if (isRedisConnectionError(e)) {
        lost((e as NodeJS.ErrnoException).code ?? e.message);
        return true;
      }
      logger.error({ err: e.message }, what);
      return false;
    },
    onBack(listener) {
      backListeners.push(listener);
    },
    get down() {
      return downSince !== null;
    },
  };
}
