/**
 * Starts the collect and post workers over one ioredis connection (BullMQ duplicates it for
 * its blocking reads). Stalled jobs (a worker killed mid-job) are picked up by any other worker
 * after the lock expires. `close()` stops taking jobs and waits for running ones, but no longer
 * than its timeout: BullMQ's own close has none, so a hung platform call cannot block a deploy.
 */
import { hostname } from 'node:os';
import { DelayedError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import pino, { type Logger } from 'pino';
import { Registry } from 'prom-client';
import { createAuditLog } from '../audit/log';
import type { CaracalClient } from '../caracal/client-api';
import type { Platform } from '../chat/port';
import { DEFAULT_PREFIX } from '../store/keys';
import { createRedisWatch, type RedisWatch } from '../store/redis-watch';
import { settlesWithin } from '../time/race';
import { createTriageStore } from '../store/triage-store';
import { createPostStore } from '../posting/post-store';
import type { CreateTriageSession } from '../triage/session-api';
import { createCollectProcessor } from './collect-processor';
import { COLLECT_JOBS, QUEUE_NAMES } from './jobs';
import { ChatLimiter, type PlatformLimits } from '../posting/limiter';
import { triageMetrics, type TriageMetrics } from './metrics';
import type { ChatPorts } from './ports';
import { createPostProcessor } from '../posting/post-processor';
import { createQueues, type TriageQueues } from './queues';
import { sweepStale } from './sweeper';

export interface TriageWorkerOptions {
  /** ioredis connection created with `maxRetriesPerRequest: null` (createWorkerConnection). */
  connection: Redis;
  signingKey: string;
  ports: ChatPorts;
  client: CaracalClient;
  /** Client for "Fixed, re-check" collections, which must not read from a shared cache (default `client`). */
  freshClient?: CaracalClient;
  createSession: CreateTriageSession;
  prefix?: string;
  metrics?: TriageMetrics | Registry;
  logger?: Logger;
  /** Run the collect worker (default true). */
  collect?: boolean;
  /** Run the post worker (default true). */
  post?: boolean;
  collectConcurrency?: number;
  postConcurrency?: number;
  /** Job lock; a worker that stops renewing it (killed) loses the job after this long. */
  lockDurationMs?: number;
  /** How often workers look for stalled jobs. */
  stalledIntervalMs?: number;
  maxStalledCount?: number;
  /** Posting limits by platform name (src/app passes every registered platform's). */
  limits?: Partial<Record<Platform, PlatformLimits>>;
  cardDebounceMs?: number;
  leaseMs?: number;
  noCardDelayMs?: number;
  maxNoCardWaits?: number;
  /** Triages idle this long become `abandoned` (default 24 h). */
  staleAfterMs?: number;
  /** Sweep interval (default 60 s; 0 disables the scheduler). */
  sweepEveryMs?: number;
  /** Shown as the job's `processedBy` (default `<host>-<pid>-<n>`). */
  name?: string;
  /** Where Redis loss and return are reported, once each (default: one for these workers). */
  redisWatch?: RedisWatch;
}

export interface TriageWorkers {
  collectWorker: Worker | null;
  postWorker: Worker | null;
  queues: TriageQueues;
  metrics: TriageMetrics;
  /** Stop taking jobs and wait for running ones, up to `timeoutMs` (default 10 s). */
  close(timeoutMs?: number): Promise<void>;
}

let started = 0;
const SWEEP_SCHEDULER = 'sweep-idle-triages';

export function startTriageWorkers(opts: TriageWorkerOptions): TriageWorkers {
  const prefix = opts.prefix ?? DEFAULT_PREFIX;
  const logger = opts.logger ?? pino({ name: 'caracal-triage-worker' });
  const metrics = opts.metrics instanceof Registry || opts.metrics === undefined ? triageMetrics(opts.metrics) : opts.metrics;
  const connection = opts.connection;
  // Store reads and writes, limiter calls and job adds from many concurrent jobs go over a
  // second connection (ioredis already writes commands without waiting for earlier replies).
  // The Worker keeps the plain connection (BullMQ duplicates it for blocking reads).
  // No `enableAutoPipelining`: an auto-pipeline snapshots the Lua commands defined when it is
  // created, and this connection gets commands defined while others are queued (BullMQ's
  // scripts once it is ready, RateLimiterRedis's `rlflxIncr` on the first limiter call). A
  // call to such a command throws inside ioredis, its batch ends one reply short
  // ("results[i] is not iterable"), the rest of that batch never settles and the connection's
  // next auto-pipeline is never sent (redis/ioredis#1931).
  const fast = connection.duplicate();
  const storeConn = connection.duplicate({ enableAutoPipelining: true });
  const watch = opts.redisWatch ?? createRedisWatch(logger, `redis://${connection.options.host ?? '?'}:${connection.options.port ?? '?'}`);
  watch.attach(connection);
  watch.attach(fast);
  watch.attach(storeConn);
  const store = createTriageStore(storeConn, { prefix });
  const posts = createPostStore(store);
  const limiter = new ChatLimiter(storeConn, prefix, opts.limits);
  const audit = createAuditLog(storeConn, { prefix, signingKey: opts.signingKey, onFailure: () => metrics.auditFailures.inc() });
  const queues = createQueues(fast, { prefix });
  metrics.trackQueues([queues.collect, queues.post]);
  const effects = { queues, audit, cardDebounceMs: opts.cardDebounceMs ?? 1000, recentCardUpdates: new Map<string, number>() };
  const workerOpts = {
    connection,
    name: opts.name ?? `${hostname()}-${process.pid}-${++started}`,
    prefix: queues.bullPrefix,
    lockDuration: opts.lockDurationMs ?? 30_000,
    stalledInterval: opts.stalledIntervalMs ?? 30_000,
    maxStalledCount: opts.maxStalledCount ?? 2,
  };

  // Taking a third parameter makes BullMQ hand the processor an AbortSignal, aborted by
  // worker.cancelAllJobs(): close() uses it to let go of jobs that outlive its timeout.
  const timed = <T>(queue: string, fn: (job: Job, token?: string) => Promise<T>) =>
    async (job: Job, token?: string, signal?: AbortSignal): Promise<T> => {
      const end = metrics.jobDuration.startTimer({ queue, job_name: job.name });
      try {
        return await untilCancelled(fn(job, token), signal);
      } finally {
        end();
      }
    };

  const observe = (w: Worker, queue: string): Worker => {
    w.on('completed', (job) => metrics.jobs.inc({ queue, job_name: job.name, outcome: 'completed' }));
    w.on('failed', (job, err) => {
      if (!job) return;
      if (err.name === 'DelayedError') return;
      const final = err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
      metrics.jobs.inc({ queue, job_name: job.name, outcome: final ? 'failed' : 'retry' });
      const log = { queue, job: job.name, jobId: job.id, attempt: job.attemptsMade, err: err.message };
      if (final) logger.error(log, 'job failed for good');
      else logger.warn(log, 'job failed; will retry');
    });
    w.on('stalled', (jobId) => logger.warn({ queue, jobId }, 'job stalled (worker died or blocked); another worker will take it'));
    w.on('error', (err) => {
      // BullMQ's words for a running job whose keys are gone: Redis lost its data under it.
      if (/^Missing key for job/.test(err.message)) logger.warn({ queue, err: err.message }, 'a running job vanished from Redis (did Redis lose its data?); its work is lost');
      else watch.error(err, `${queue} worker error`);
    });
    return w;
  };

  let collectWorker: Worker | null = null;
  if (opts.collect ?? true) {
    const collect = createCollectProcessor({ ...effects, store, client: opts.client, freshClient: opts.freshClient, createSession: opts.createSession, metrics, logger });
    const staleAfterMs = opts.staleAfterMs ?? 24 * 3600 * 1000;
    collectWorker = observe(
      new Worker(
        QUEUE_NAMES.collect,
        timed(QUEUE_NAMES.collect, async (job) => (job.name === COLLECT_JOBS.sweep ? sweepStale({ ...effects, store, posts, metrics, logger, staleAfterMs }) : collect(job))),
        { ...workerOpts, concurrency: opts.collectConcurrency ?? 8 },
      ),
      QUEUE_NAMES.collect,
    );
    const every = opts.sweepEveryMs ?? 60_000;
    if (every > 0) {
      const schedule = (): Promise<unknown> =>
        queues.collect.upsertJobScheduler(SWEEP_SCHEDULER, { every }, { name: COLLECT_JOBS.sweep, data: {}, opts: { removeOnComplete: true, removeOnFail: 100 } });
      void schedule().catch((e: Error) => logger.error({ err: e.message }, 'could not schedule the idle-triage sweeper'));
      // A Redis that restarts without persistence comes back empty: the sweeper's schedule is
      // gone with everything else. Its absence is how the loss shows; say so once and put the
      // schedule back, or idle triages would never be abandoned again.
      watch.onBack(() => {
        void (async () => {
          if (await queues.collect.getJobScheduler(SWEEP_SCHEDULER)) return;
          logger.warn({}, 'Redis came back without its data (restarted without persistence?): triages, threads and jobs from before the outage are gone; rescheduled the idle-triage sweeper');
          await schedule();
        })().catch((e: Error) => logger.error({ err: e.message }, 'could not reschedule the idle-triage sweeper after Redis came back'));
      });
    }
  }

  let postWorker: Worker | null = null;
  if (opts.post ?? true) {
    const post = createPostProcessor({
      store,
      posts,
      queues,
      cardDebounceMs: effects.cardDebounceMs,
      ports: opts.ports,
      limiter,
      metrics,
      logger,
      leaseMs: opts.leaseMs ?? 30_000,
      noCardDelayMs: opts.noCardDelayMs ?? 250,
      maxNoCardWaits: opts.maxNoCardWaits ?? 40,
    });
    postWorker = observe(new Worker(QUEUE_NAMES.post, timed(QUEUE_NAMES.post, post), { ...workerOpts, concurrency: opts.postConcurrency ?? 16 }), QUEUE_NAMES.post);
  }

  let closing: Promise<void> | null = null;
  return {
    collectWorker,
    postWorker,
    queues,
    metrics,
    close(timeoutMs = 10_000) {
      closing ??= (async () => {
        // The whole close fits in `timeoutMs`: most of it for running jobs to finish, the rest
        // for letting go of them and closing connections (which hang while Redis is down).
        const graceMs = Math.round(timeoutMs * 0.6);
        const forceMs = Math.round(timeoutMs * 0.25);
        const workers = [collectWorker, postWorker].filter((w): w is Worker => w !== null);
        const graceful = Promise.all(workers.map((w) => w.close()));
        graceful.catch(() => undefined);
        if (!(await settlesWithin(graceful, graceMs))) {
          // worker.close(true) after close() returns the same pending promise, so there is no
          // forcing it. Leave the stuck jobs behind instead: their processors stop being
          // waited for (untilCancelled), so each worker finishes closing (lock renewal
          // stops, its blocking connection closes) while the jobs stay active; their locks
          // lapse and another worker picks them up as stalled jobs. Without this the workers
          // stay open, renewing locks, and keep the process alive.
          logger.warn({ timeoutMs: graceMs }, 'jobs still running at shutdown; leaving them to be picked up again as stalled jobs');
          for (const w of workers) w.cancelAllJobs('shutdown timeout');
          if (!(await settlesWithin(graceful, forceMs))) logger.warn({ timeoutMs: forceMs }, 'workers did not finish closing after letting go of their jobs');
        }
        const rest = Math.max(200, Math.round(timeoutMs * 0.15));
        await settlesWithin(queues.close(), rest / 2);
        if (!(await settlesWithin(Promise.all([fast.quit(), storeConn.quit()]), rest / 2))) {
          fast.disconnect();
          storeConn.disconnect();
        }
      })();
      return closing;
    },
  };
}

/**
 * `work`, or once `signal` aborts (worker.cancelAllJobs during close) a DelayedError: BullMQ
 * leaves the job of a closing worker that throws it untouched (still active, with a lock it
 * no longer renews), exactly as if the worker had died. `work` itself keeps running; nothing
 * waits for it any more.
 */
function untilCancelled<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      work.catch(() => undefined);
      reject(new DelayedError('worker closed with the job still running; left to be picked up as a stalled job'));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
