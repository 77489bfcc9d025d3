/**
 * One read of the bot's store from a process that keeps no Redis connection of its own: the
 * terminal's `list` and `show`, and `caracal-triage mcp` (stdio) answering `list_triages` and
 * `get_triage`. PING first, so an unreachable Redis is one sentence naming REDIS_URL within
 * two seconds rather than a wait; then a connection that gives up after one retry, closed once
 * the read is done (the stdio server may sit idle for hours between calls: it holds nothing).
 */
import type { Redis } from 'ioredis';
import type { ConfigError } from '../config/problems';
import type { TriageFinder } from '../report/find-json';
import { checkRedis, createWorkerConnection } from './redis';
import { createTriageIndex, type TriageIndex } from './triage-index';
import { createTriageStore } from './triage-store';

/** The index as `list` and `show` read it. */
export function finderOf(index: TriageIndex): TriageFinder {
  return { list: (q) => index.query(q), find: (id) => index.get(id) };
}

export interface StoreRead {
  redis: Redis;
  finder: TriageFinder;
}

/** Runs `read` over a fresh connection; the ConfigError (REDIS_URL: cannot reach …) when Redis does not answer. */
export async function readStoreOnce<T>(redisUrl: string, read: (store: StoreRead) => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: ConfigError }> {
  const unreachable = await checkRedis(redisUrl, 2000);
  if (unreachable) return { ok: false, error: unreachable };
  // A one-off read: a command that cannot be answered fails after one retry instead of waiting.
  const redis = createWorkerConnection(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    return { ok: true, value: await read({ redis, finder: finderOf(createTriageIndex(createTriageStore(redis))) }) };
  } finally {
    redis.disconnect();
  }
}
