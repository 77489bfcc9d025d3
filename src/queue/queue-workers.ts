/**
 * The BullMQ workers of the queues, given what processes each queue's jobs: job metrics,
 * logs of failures and stalls, and a close that is bounded. Stalled jobs (a worker killed
 * mid-job) are picked up by any other worker after the lock expires. `close()` stops taking
 * jobs and waits for running ones, but no longer than its timeout: BullMQ's own close has
 * none, so a hung platform call cannot block a deploy. Failed attempts wait as backoff.ts says
 * (capped, so retries span minutes); a job that fails for good is handed to `onFailedForGood`
 * (the triage it served stops visibly: reconciler.ts).
 */
import { hostname } from 'node:os';
import { DelayedError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { isWriteRefusal } from '../store/redis-refusals';
import { isRedisConnectionError, type RedisWatch } from '../store/redis-watch';
import { settlesWithin } from '../time/race';
import { cappedBackoff, DEFAULT_RETRY_POLICY, type RetryPolicy } from './backoff';
import { QUEUE_NAMES, type QueueName } from './jobs';
import type { TriageMetrics } from './metrics';
import type { TriageQueues } from './queues';

/** What a queue's jobs are handed to (BullMQ passes the job's lock token). */
export type JobProcessor = (job: Job, token?: string) => Promise<unknown>;

export interface QueueWorkersOptions {
  /** Created with `maxRetriesPerRequest: null` (TriageRedis `bull`); BullMQ duplicates it for blocking reads. */
  connection: Redis;
  queues: TriageQueues;
  /** The queues this process works on: a queue without a processor gets no worker. */
  processors: Partial<Record<QueueName, { process: JobProcessor; concurrency: number }>>;
  metrics: TriageMetrics;
  logger: Logger;
  watch: RedisWatch;
  /** Job lock; a worker that stops renewing it (killed) loses the job after this long (default 30 s). */
  lockDurationMs?: number;
  /** How often workers look for stalled jobs (default 30 s). */
  stalledIntervalMs?: number;
  maxStalledCount?: number;
  /** Shown as the job's `processedBy` (default `<host>-<pid>-<n>`). */
  name?: string;
  /** Waits between attempts (default DEFAULT_RETRY_POLICY: 1 s doubling to 2 min). */
  retry?: RetryPolicy;
  /** A job failed for good (attempts used up, or refused outright); errors it throws are logged. */
  onFailedForGood?: (queue: QueueName, job: Job, err: Error) => Promise<void>;
}

export interface QueueWorkers {
  collectWorker: Worker | null;
  postWorker: Worker | null;
  actWorker: Worker | null;
  /** Stop taking jobs and wait for running ones, up to 85% of `timeoutMs` (default 10 s). */
  close(timeoutMs?: number): Promise<void>;
}

let started = 0;

/** The first wait after a refused fetch, and the longest while refusals go on (ms). */
export const REFUSAL_BRAKE_MS = { first: 250, most: 2000 } as const;

/**
 * BullMQ 6.7's worker asks for its next job again at once when Redis refuses the fetch with
 * anything but a lost connection (its retry delay is for connection errors only): while Redis
 * refuses writes (maxmemory reached, a replica, a failed save), each worker spun a core and
 * raised some 4,000 errors a second, each one a log line. Its own rate-limit wait is the one
 * brake that leaves running jobs, lock renewal and the stalled-job checker alone (`pause()`
 * stops the checker, so jobs of a worker that died meanwhile would stay active): after each
 * refusal the worker waits 250 ms before it asks again, doubling to 2 s while refusals go on;
 * the first fetch after writes are back takes jobs as before. `limitUntil` is BullMQ's internal
 * field (read by its isRateLimited and waitForRateLimit); test/queue/refusal-brake.test.ts fails
 * by name if an upgrade drops it. Says whether `err` was such a refusal, and whether the first
 * of a run of them.
 */
function refusalBrake(w: Worker): (err: Error) => 'first' | 'again' | false {
  const internals = w as unknown as { limitUntil: number };
  let wait = 0;
  let last = 0;
  return (err) => {
    if (!isWriteRefusal(err)) return false;
    const now = Date.now();
    const goingOn = now - last < REFUSAL_BRAKE_MS.most * 2;
    wait = goingOn ? Math.min(REFUSAL_BRAKE_MS.most, Math.max(REFUSAL_BRAKE_MS.first, wait * 2)) : REFUSAL_BRAKE_MS.first;
    last = now;
    internals.limitUntil = Math.max(internals.limitUntil || 0, now + wait);
    return goingOn ? 'again' : 'first';
  };
}

/**
 * BullMQ's "Missing key for job …": the job's keys were gone when its worker came to record its
 * end. Either Redis lost its data under the job, or the end was recorded just before the
 * connection dropped and ioredis, which resends unanswered commands once it reconnects, sent it
 * again, to find a job removed on completion (the idle-triage sweep is): nothing was lost then.
 * The queue's meta hash tells the two apart: BullMQ writes it when a Queue is made and only
 * obliterating the queue deletes it.
 */
async function reportMissingJob(w: Worker, redis: Redis, queue: QueueName, err: Error, logger: Logger): Promise<void> {
  let kept: boolean | null = null;
  try {
    kept = (await redis.exists(w.keys.meta)) === 1;
  } catch {
    // Redis is gone again: the line below says the cause is unknown.
  }
  if (kept) logger.info({ queue, err: err.message }, "a job's keys were gone when its worker recorded its end, while its queue's are there: most likely the end was recorded just before the connection dropped and the command sent again found the job done and removed, so nothing is lost");
  else if (kept === false) logger.warn({ queue, err: err.message }, 'a running job vanished from Redis, with its queue: Redis lost its data under it, and its work is lost');
  else logger.warn({ queue, err: err.message }, "a running job's keys were gone from Redis, and Redis did not answer whether its queue's were too: its work may be lost");
}

export function startQueueWorkers(opts: QueueWorkersOptions): QueueWorkers {
  const { metrics, logger, watch } = opts;
  const workerOpts = {
    connection: opts.connection,
    name: opts.name ?? `${hostname()}-${process.pid}-${++started}`,
    prefix: opts.queues.bullPrefix,
    lockDuration: opts.lockDurationMs ?? 30_000,
    stalledInterval: opts.stalledIntervalMs ?? 30_000,
    maxStalledCount: opts.maxStalledCount ?? 2,
    settings: { backoffStrategy: cappedBackoff(opts.retry ?? DEFAULT_RETRY_POLICY) },
  };

  // Taking a third parameter makes BullMQ hand the processor an AbortSignal, aborted by
  // worker.cancelAllJobs(): close() uses it to let go of jobs that outlive its timeout.
  const timed = (queue: string, fn: JobProcessor) =>
    async (job: Job, token?: string, signal?: AbortSignal): Promise<unknown> => {
      const end = metrics.jobDuration.startTimer({ queue, job_name: job.name });
      try {
        return await untilCancelled(fn(job, token), signal);
      } finally {
        end();
      }
    };

  const observe = (w: Worker, queue: QueueName): Worker => {
    w.on('completed', (job) => metrics.jobs.inc({ queue, job_name: job.name, outcome: 'completed' }));
    w.on('failed', (job, err) => {
      if (!job) return;
      if (err.name === 'DelayedError') return;
      const final = err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
      metrics.jobs.inc({ queue, job_name: job.name, outcome: final ? 'failed' : 'retry' });
      const log = { queue, job: job.name, jobId: job.id, attempt: job.attemptsMade, err: err.message };
      if (final) logger.error(log, 'job failed for good');
      else logger.warn(log, 'job failed; will retry');
      if (final && opts.onFailedForGood) {
        opts.onFailedForGood(queue, job, err).catch((e: Error) => logger.warn({ queue, jobId: job.id, err: e.message }, 'could not record a job that failed for good; the reconciler will'));
      }
    });
    w.on('stalled', (jobId) => logger.warn({ queue, jobId }, 'job stalled (worker died or blocked); another worker will take it'));
    const braked = refusalBrake(w);
    // BullMQ raises a missing job once for each command it tries on it (its end, then its retry): one line per job.
    const missing = new Set<string>();
    w.on('error', (err) => {
      const gone = /^Missing key for job (.+)\. \w+$/.exec(err.message);
      if (gone) {
        if (missing.size >= 100) missing.clear();
        if (!missing.has(gone[1])) void reportMissingJob(w, opts.connection, queue, err, logger);
        missing.add(gone[1]);
        return;
      }
      const refused = braked(err);
      if (refused) metrics.refusedFetches.inc({ queue });
      // A replica's READONLY is the watch's (it logs "lost" once, and "back"); any other
      // refusal is one line per run of them, not one per fetch.
      if (!refused || isRedisConnectionError(err)) watch.error(err, `${queue} worker error`);
      else if (refused === 'first') logger.error({ queue, err: err.message }, `Redis refuses writes; the ${queue} worker asks for jobs again every few seconds until it takes them (caracal_triage_worker_refused_fetches_total)`);
    });
    return w;
  };

  const start = (queue: QueueName): Worker | null => {
    const p = opts.processors[queue];
    return p ? observe(new Worker(queue, timed(queue, p.process), { ...workerOpts, concurrency: p.concurrency }), queue) : null;
  };
  const collectWorker = start(QUEUE_NAMES.collect);
  const postWorker = start(QUEUE_NAMES.post);
  const actWorker = start(QUEUE_NAMES.act);

  let closing: Promise<void> | null = null;
  return {
    collectWorker,
    postWorker,
    actWorker,
    close(timeoutMs = 10_000) {
      closing ??= (async () => {
        // Most of the time for running jobs to finish, the rest for letting go of them; what is
        // left of `timeoutMs` is for closing the queues and connections (TriageRedis.close).
        const graceMs = Math.round(timeoutMs * 0.6);
        const forceMs = Math.round(timeoutMs * 0.25);
        const workers = [collectWorker, postWorker, actWorker].filter((w): w is Worker => w !== null);
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
