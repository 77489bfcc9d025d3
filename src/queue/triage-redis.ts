/**
 * What a process keeps in Redis, opened once per process and shared by its halves (the web and
 * the worker half of `caracal-triage start` use the same one): the triage store, the audit log
 * and the two job queues, over connections fit for the process's role, with the one Redis
 * readiness check and the one watch that reports Redis lost and back.
 *
 *   web     one producer connection for everything: commands fail at once while Redis is down,
 *           so a dead Redis is a quick error, not a hung acknowledgement.
 *   worker  `bull`, for BullMQ's workers (waits out restarts, `maxRetriesPerRequest: null`;
 *           BullMQ duplicates it for its blocking reads); `jobs`, a duplicate the queues add
 *           jobs over; `data`, an auto-pipelined duplicate for the store and the audit log (and
 *           the posting limiter): reads and writes from many concurrent jobs go out together.
 *
 * Only `data` auto-pipelines. An auto-pipeline copies the Lua commands its connection has when
 * it is created; a call to one defined after that throws inside ioredis, its batch ends one
 * reply short ("results[i] is not iterable"), the rest of the batch never settles and the
 * connection's next auto-pipeline is never sent (redis/ioredis#1931). BullMQ defines its
 * scripts on `bull` and `jobs` once they are ready, while commands may already wait, so those
 * two do not. On `data` every script is defined before its first command: the store's and
 * the audit log's here, the limiter's when the worker half is composed (src/app/worker.ts),
 * before anything runs. Whatever defines scripts on `data` must do the same.
 */
import type { Redis } from 'ioredis';
import pino, { type Logger } from 'pino';
import { createAuditLog, type AuditLog } from '../audit/log';
import type { ReadinessCheck } from '../ingress/readiness';
import { DEFAULT_PREFIX } from '../store/keys';
import { createProducerConnection, createWorkerConnection, safeRedisUrl, waitReady } from '../store/redis';
import { releaseRedis } from '../store/redis-target';
import { describeWriteRefusal } from '../store/redis-refusals';
import { createRedisWatch, type RedisWatch } from '../store/redis-watch';
import { createTriageStore, type TriageStore } from '../store/triage-store';
import { settlesWithin, within } from '../time/race';
import { triageMetrics, type TriageMetrics } from './metrics';
import { createQueues, type TriageQueues } from './queues';

/** `worker` in any process that runs the worker half (`worker`, `start`); `web` for `serve`. */
export type RedisRole = 'web' | 'worker';

export interface TriageRedisOptions {
  url: string;
  role: RedisRole;
  signingKey: string;
  prefix?: string;
  /** The process's metrics (audit-log failures, queue backlog); default a fresh registry's. */
  metrics?: TriageMetrics;
  logger?: Logger;
  /** Where Redis loss and return are reported, once each (default: one for this process). */
  watch?: RedisWatch;
  /** How long an incident's record outlives its closed triage (ms; INCIDENT_RETENTION). */
  incidentRetentionMs?: number;
  now?: () => Date;
}

export interface TriageRedis {
  readonly prefix: string;
  readonly store: TriageStore;
  readonly audit: AuditLog;
  readonly queues: TriageQueues;
  readonly metrics: TriageMetrics;
  readonly watch: RedisWatch;
  /** The store's and audit log's connection (see above before defining scripts on it). */
  readonly data: Redis;
  /** For BullMQ's workers; null in a web process. */
  readonly bull: Redis | null;
  /**
   * `redis` for /readyz: a write (`SET <prefix>readyz … PX`), answered within a second. A PING
   * is answered by a Redis that refuses every write (out of memory, a read-only replica, a
   * failed disk save, too few replicas), while the bot can then start nothing.
   */
  readonly readiness: ReadinessCheck;
  /** Every connection is up. */
  readonly connected: boolean;
  /** Resolves once every connection is up (rejects after `timeoutMs`). */
  whenReady(timeoutMs: number): Promise<void>;
  /** Closes the queues and connections, within `timeoutMs` (default 1 s) whatever Redis does. */
  close(timeoutMs?: number): Promise<void>;
}

const READINESS_TIMEOUT_MS = 1000;
/** The readiness key lives a little longer than a probe interval; it is never read. */
const READINESS_KEY_TTL_MS = 30_000;

export function openTriageRedis(o: TriageRedisOptions): TriageRedis {
  const prefix = o.prefix ?? DEFAULT_PREFIX;
  const metrics = o.metrics ?? triageMetrics();
  const watch = o.watch ?? createRedisWatch(o.logger ?? pino({ name: 'caracal-triage' }), o.url);
  let bull: Redis | null = null;
  let jobs: Redis;
  let data: Redis;
  if (o.role === 'worker') {
    bull = createWorkerConnection(o.url);
    jobs = bull.duplicate();
    data = bull.duplicate({ enableAutoPipelining: true });
  } else {
    jobs = data = createProducerConnection(o.url);
  }
  const connections = [...new Set([bull, jobs, data].filter((c): c is Redis => c !== null))];
  for (const c of connections) watch.attach(c);

  const store = createTriageStore(data, { prefix, now: o.now, incidentRetentionMs: o.incidentRetentionMs });
  const audit = createAuditLog(data, { prefix, signingKey: o.signingKey, now: o.now, onFailure: () => metrics.auditFailures.inc() });
  const queues = createQueues(jobs, { prefix });
  metrics.trackQueues([queues.collect, queues.post, queues.act]);
  const where = safeRedisUrl(o.url);

  let closing: Promise<void> | null = null;
  return {
    prefix,
    store,
    audit,
    queues,
    metrics,
    watch,
    data,
    bull,
    readiness: {
      name: 'redis',
      check: async () => {
        // A plain sentence, shown in /readyz and in chat's status: a Redis or system error code
        // at most, never ioredis's own wording ("Stream isn't writeable and enableOfflineQueue
        // options is false").
        const wrote = await within(data.set(`${prefix}readyz`, String(Date.now()), 'PX', READINESS_KEY_TTL_MS), READINESS_TIMEOUT_MS).catch(
          (e: NodeJS.ErrnoException) =>
            describeWriteRefusal(e, where) ?? `cannot reach Redis at ${where}${e.code && /^E[A-Z]+$/.test(e.code) ? ` (${e.code})` : ': the connection is down and the bot is reconnecting'}`,
        );
        return wrote === 'OK' ? undefined : (wrote ?? `no answer from Redis at ${where} within ${READINESS_TIMEOUT_MS} ms`);
      },
    },
    get connected() {
      return connections.every((c) => c.status === 'ready');
    },
    async whenReady(timeoutMs) {
      await Promise.all(connections.map((c) => waitReady(c, timeoutMs)));
    },
    close(timeoutMs = 1000) {
      closing ??= (async () => {
        await settlesWithin(queues.close(), timeoutMs / 2);
        // QUIT cannot be sent while Redis is down (a producer refuses it at once, a worker
        // connection would wait): whatever did not quit in time is disconnected.
        await Promise.all(
          connections.map(async (c) => {
            const quit = c.quit().then(
              () => true,
              () => false,
            );
            if (!((await within(quit, timeoutMs / 2)) ?? false)) c.disconnect();
            else releaseRedis(c);
          }),
        );
      })();
      return closing;
    },
  };
}
