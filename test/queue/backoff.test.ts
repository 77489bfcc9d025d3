/**
 * A collect or post job keeps trying through an outage of minutes (Redis refusing writes,
 * restarting or failing over; a chat platform down), waiting longer each time but never more
 * than the cap: measured with BullMQ's own backoff calculation over the jobs' options and the
 * strategy the workers hand it.
 */
import { Backoffs } from 'bullmq';
import { cappedBackoff, DEFAULT_RETRY_POLICY } from '../../src/queue/backoff';
import { COLLECT_JOB_OPTIONS, POST_JOB_OPTIONS } from '../../src/queue/queues';

/** The waits BullMQ schedules between the attempts of a job with these options. */
function waits(opts: typeof COLLECT_JOB_OPTIONS, random = () => 0.5): number[] {
  const strategy = cappedBackoff(DEFAULT_RETRY_POLICY, random);
  const out: number[] = [];
  for (let made = 1; made < (opts.attempts ?? 1); made++) {
    out.push(Backoffs.calculate(Backoffs.normalize(opts.backoff!)!, made, new Error('OOM'), {} as never, strategy) as number);
  }
  return out;
}

test.each([
  ['collect', COLLECT_JOB_OPTIONS],
  ['post', POST_JOB_OPTIONS],
])('%s jobs keep trying for several minutes, no wait longer than two', (_name, opts) => {
  const w = waits(opts);
  const total = w.reduce((a, b) => a + b, 0);
  expect(total).toBeGreaterThanOrEqual(5 * 60_000);
  expect(total).toBeLessThanOrEqual(20 * 60_000);
  expect(Math.max(...w)).toBeLessThanOrEqual(2 * 60_000);
  // The first retries come quickly: a blip costs a second, not minutes.
  expect(w[0]).toBeLessThanOrEqual(1500);
});

test('jitter spreads jobs that failed together by ±20 %, never past the bounds', () => {
  const low = waits(COLLECT_JOB_OPTIONS, () => 0);
  const high = waits(COLLECT_JOB_OPTIONS, () => 0.999999);
  const mid = waits(COLLECT_JOB_OPTIONS);
  for (let i = 0; i < mid.length; i++) {
    expect(low[i]).toBeCloseTo(mid[i] * 0.8, -1);
    expect(high[i]).toBeLessThanOrEqual(Math.ceil(mid[i] * 1.2));
  }
});
