/**
 * A job whose keys are gone when its worker records its end ("Missing key for job …" from
 * BullMQ) says what happened, and warns only when something was lost
 * (src/queue/queue-workers.ts, reportMissingJob):
 * - the job alone is gone, its queue kept: what a resent end leaves behind (the end was recorded
 *   just before the connection dropped; ioredis sent it again once reconnected, and the job,
 *   removed on completion, was not there). `start` met this under load when Redis stopped as
 *   the first idle-triage sweep finished (test/app/redis-outage.test.ts). An info line.
 * - the queue is gone too: Redis lost its data. A warning.
 * Each state is built here through the real Redis, by the processor itself, as the job ends.
 */
import pino from 'pino';
import type { Job } from 'bullmq';
import { createQueues, type TriageQueues } from '../../src/queue/queues';
import { startQueueWorkers, type QueueWorkers } from '../../src/queue/queue-workers';
import { triageMetrics } from '../../src/queue/metrics';
import { createRedisWatch } from '../../src/store/redis-watch';
import { createWorkerConnection } from '../../src/store/redis';
import { deleteByPrefix, uniquePrefix, waitFor } from './harness';

interface Line {
  level: number;
  msg: string;
  err?: string;
}

const url = process.env.REDIS_URL!;
const connection = createWorkerConnection(url);
connection.on('error', () => undefined);
let queues: TriageQueues;
let workers: QueueWorkers | undefined;
let prefix: string;

beforeEach(() => {
  prefix = uniquePrefix('missing-job');
  queues = createQueues(connection, { prefix });
});
afterEach(async () => {
  await workers?.close(5000);
  workers = undefined;
  await queues.close();
  await deleteByPrefix(connection, prefix);
});
afterAll(() => connection.disconnect());

/** Runs one collect job whose processor `vanish`es something as it ends; the lines logged. */
async function endWithKeysGone(vanish: (job: Job) => Promise<unknown>): Promise<Line[]> {
  const lines: Line[] = [];
  const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l) as Line) });
  await queues.collect.waitUntilReady();
  workers = startQueueWorkers({
    connection,
    queues,
    processors: { collect: { concurrency: 1, process: async (job) => vanish(job) } },
    metrics: triageMetrics(),
    logger,
    watch: createRedisWatch(logger, url),
  });
  await queues.collect.add('probe', {}, { jobId: 'probe-1', removeOnComplete: true, attempts: 1 });
  await waitFor('the line about the missing job', async () => lines.some((l) => l.err?.startsWith('Missing key for job')));
  // BullMQ raises the missing job again, within milliseconds, for each command it tries on it.
  await new Promise((r) => setTimeout(r, 300));
  return lines.filter((l) => l.err?.startsWith('Missing key for job'));
}

test('the job gone and its queue kept (a resent end): one info line saying that most likely nothing is lost, no warning', async () => {
  const lines = await endWithKeysGone((job) => connection.del(queues.collect.toKey(job.id!)));
  expect(lines).toHaveLength(1);
  expect(lines[0].level).toBe(30);
  expect(lines[0].msg).toMatch(/most likely the end was recorded just before the connection dropped .* so nothing is lost$/);
});

test('the queue gone with the job (Redis lost its data): a warning that the work is lost', async () => {
  const lines = await endWithKeysGone(() => deleteByPrefix(connection, prefix));
  expect(lines).toHaveLength(1);
  expect(lines[0].level).toBe(40);
  expect(lines[0].msg).toMatch(/Redis lost its data under it, and its work is lost$/);
});
