/**
 * The BullMQ queues: `collect` (evidence, one job per collection round, plus the sweeper),
 * `post` (the return path to chat: cards, card updates, the step and bundle jobs that hand
 * their replies to a conversation's pump, and the pumps that post them in order) and `act`
 * (src/act: approval cards, decisions, fix proposals and their application). Producers
 * share one ioredis connection; default job options carry retries with a capped backoff
 * (backoff.ts: about 10 minutes of attempts, so an outage of minutes is ridden out) and bounded
 * retention (removal re-opens a job ID, which the store's markers make harmless). A job that
 * fails for good stops its triage visibly (reconciler.ts).
 */
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { DEFAULT_PREFIX, keys } from '../store/keys';
import { CAPPED_BACKOFF } from './backoff';
import { QUEUE_NAMES } from './jobs';

export interface TriageQueues {
  collect: Queue;
  post: Queue;
  act: Queue;
  /** BullMQ key prefix in use (`<store prefix>q`). */
  bullPrefix: string;
  close(): Promise<void>;
}

/** Attempts of a collect or post job; with the default retry policy they span about 10 minutes. */
export const JOB_ATTEMPTS = 12;

export const COLLECT_JOB_OPTIONS: JobsOptions = {
  attempts: JOB_ATTEMPTS,
  backoff: CAPPED_BACKOFF,
  removeOnComplete: { age: 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

export const POST_JOB_OPTIONS: JobsOptions = {
  attempts: JOB_ATTEMPTS,
  backoff: CAPPED_BACKOFF,
  removeOnComplete: { age: 3600, count: 5000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/** An act calls Caracal at most once per attempt and settles what happened by reading it again. */
export const ACT_JOB_OPTIONS: JobsOptions = {
  attempts: 6,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 24 * 3600, count: 5000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

export function createQueues(connection: Redis, opts: { prefix?: string } = {}): TriageQueues {
  const bullPrefix = keys(opts.prefix ?? DEFAULT_PREFIX).bullPrefix();
  const collect = new Queue(QUEUE_NAMES.collect, { connection, prefix: bullPrefix, defaultJobOptions: COLLECT_JOB_OPTIONS });
  const post = new Queue(QUEUE_NAMES.post, { connection, prefix: bullPrefix, defaultJobOptions: POST_JOB_OPTIONS });
  const act = new Queue(QUEUE_NAMES.act, { connection, prefix: bullPrefix, defaultJobOptions: ACT_JOB_OPTIONS });
  // Errors surface on the calls that fail; this listener only keeps them from being unhandled.
  collect.on('error', () => undefined);
  post.on('error', () => undefined);
  act.on('error', () => undefined);
  return {
    collect,
    post,
    act,
    bullPrefix,
    close: async () => {
      await Promise.allSettled([collect.close(), post.close(), act.close()]);
    },
  };
}
