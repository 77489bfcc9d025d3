/**
 * Put the running job back into the delayed set and tell BullMQ so: the processor throws
 * DelayedError after moveToDelayed, and the attempt does not count as a failure. This is how a
 * job waits (for Retry-After, the limiter, or the card to exist) without holding a worker slot.
 */
import { DelayedError, type Job } from 'bullmq';

export async function delayJob(job: Job, token: string | undefined, ms: number): Promise<never> {
  await job.moveToDelayed(Date.now() + Math.max(1, Math.ceil(ms)), token);
  throw new DelayedError();
}
