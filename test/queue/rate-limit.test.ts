import { QueueEvents } from 'bullmq';
import IORedis from 'ioredis';
import { ChatPermanentError } from '../../src/chat/port';
import { countBy, createHarness, waitFor, type Harness } from './harness';

describe('a chat platform answering 429 with Retry-After', () => {
  let h: Harness;
  let events: QueueEvents;
  const delayed: Array<{ jobId: string; delay: number; seenAt: number }> = [];

  beforeAll(async () => {
    h = await createHarness('ratelimit', { scenario: 'grant_missing' });
    events = new QueueEvents('post', { connection: new IORedis(process.env.REDIS_URL!, { maxRetriesPerRequest: null }), prefix: h.queues.bullPrefix });
    events.on('delayed', ({ jobId, delay }) => delayed.push({ jobId, delay: Number(delay), seenAt: Date.now() }));
    await events.waitUntilReady();
  });
  afterAll(async () => {
    const conn = (events as unknown as { opts: { connection: IORedis } }).opts.connection;
    await events.close();
    await conn.quit();
    await h.close();
  });

  test('posts are delayed by Retry-After and delivered, none dropped', async () => {
    h.startWorkers();
    const retryAfterMs = 300;
    h.port.rateLimitNext(3, retryAfterMs);
    const id = await h.startTriage();
    await h.waitSettled(id, 25_000);

    const all = h.port.calls.filter((c) => c.triageId === id);
    const limited = all.filter((c) => c.outcome === 'rate_limited');
    expect(limited).toHaveLength(3);
    expect(countBy(h.port, id)).toMatchObject({ postCard: 1, postStep: 8 });

    // Each 429'd call: the job went to the delayed set until at least Retry-After later…
    const cardJob = `card-${id}`;
    for (const l of limited) {
      const d = delayed.find((e) => e.jobId === cardJob && e.delay >= l.at + retryAfterMs && e.seenAt >= l.at);
      expect(d).toBeDefined();
      // …and the next call to the channel came no earlier.
      const next = all.find((c) => c.seq > l.seq)!;
      expect(next.at).toBeGreaterThanOrEqual(l.at + retryAfterMs);
    }
    const job = await h.queues.post.getJob(cardJob);
    // Delays are not failed attempts: the card job completed on its first counted attempt.
    expect(job?.attemptsMade).toBe(1);
    expect(job?.stacktrace ?? []).toEqual([]);
    const metric = await h.registry.getSingleMetricAsString('caracal_triage_chat_calls_total');
    expect(metric).toMatch(/caracal_triage_chat_calls_total\{platform="slack",method="postCard",outcome="rate_limited"\} 3/);
  });

});

describe('the shared limiter', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('limiter', { scenario: 'grant_missing' });
  });
  afterAll(async () => {
    await h.close();
  });

  test('spaces posts to one channel (about one per second) by delaying jobs, across worker sets', async () => {
    const limits = { slack: { post: { points: 1, durationSec: 1 }, update: { points: 5, durationSec: 1 } } };
    h.startWorkers({ limits });
    h.startWorkers({ limits });
    const id = await h.startTriage();
    await waitFor('four posts', async () => h.port.delivered(id).filter((c) => c.method !== 'updateCard').length >= 4, 15_000);
    const posts = h.port.delivered(id).filter((c) => c.method !== 'updateCard');
    for (let i = 1; i < posts.length; i++) expect(posts[i].at - posts[i - 1].at).toBeGreaterThanOrEqual(900);
    const delays = await h.registry.getSingleMetricAsString('caracal_triage_chat_delays_total');
    expect(delays).toMatch(/reason="limiter"\} [1-9]/);
  });
});

describe('a permanent refusal', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('permanent', { scenario: 'grant_missing' });
  });
  afterAll(async () => {
    await h.close();
  });

  test('fails the post job at once (no retries) and is counted', async () => {
    h.startWorkers();
    h.port.failNext(1, new ChatPermanentError('channel_not_found', 'channel not found'));
    const id = await h.startTriage();
    await waitFor('card job to fail', async () => (await h.queues.post.getJobState(`card-${id}`)) === 'failed');
    const job = (await h.queues.post.getJob(`card-${id}`))!;
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/channel_not_found/);
    const metric = await h.registry.getSingleMetricAsString('caracal_triage_chat_calls_total');
    expect(metric).toMatch(/method="postCard",outcome="permanent"\} 1/);
    // The step replies waiting for that card give up instead of waiting forever.
    await waitFor('step posts to stop waiting', async () => {
      const steps = (await h.queues.post.getJobs(['completed'])).filter((j) => j.name === 'post_step' && j.data.triageId === id);
      return steps.length === 8 && steps.every((j) => /could not be posted/.test(String(j.returnvalue?.skipped)));
    });
    expect(h.port.delivered(id)).toEqual([]);
  });
});
