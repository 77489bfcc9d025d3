/**
 * The bot's own health in /metrics: how many jobs wait in each queue (read from BullMQ when
 * scraped, what the chart's backlog alert watches) and audit entries that could not be written.
 */
import { Registry } from 'prom-client';
import IORedis from 'ioredis';
import { createAuditLog } from '../../src/audit/log';
import { triageMetrics } from '../../src/queue/metrics';
import { createQueues } from '../../src/queue/queues';
import { deleteByPrefix, uniquePrefix } from './harness';

test('queue depth by state is read at scrape time, and a failed audit append is counted', async () => {
  const prefix = uniquePrefix('metrics');
  const redis = new IORedis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
  const queues = createQueues(redis, { prefix });
  try {
    const registry = new Registry();
    const m = triageMetrics(registry);
    m.trackQueues([queues.collect, queues.post]);
    m.trackQueues([queues.collect]);
    await queues.post.add('post_card', { triageId: 'tri-x' }, { delay: 60_000 });
    await queues.collect.add('collect', { triageId: 'tri-y' });
    await queues.collect.add('collect', { triageId: 'tri-z' });
    const text = await registry.metrics();
    expect(text).toContain('caracal_triage_queue_jobs{queue="collect",state="waiting"} 2');
    expect(text).toContain('caracal_triage_queue_jobs{queue="post",state="delayed"} 1');

    const broken = new IORedis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    broken.on('error', () => undefined);
    const audit = createAuditLog(broken, { prefix, signingKey: 'k'.repeat(40), maxAttempts: 1, onFailure: () => m.auditFailures.inc() });
    await expect(audit.append({ actor: { kind: 'system', id: 'x' }, action: 'a', source: 's', triageId: null, requestId: null, from: null, to: null })).rejects.toThrow();
    expect(await registry.metrics()).toContain('caracal_triage_audit_append_failures_total 1');
    broken.disconnect();
  } finally {
    await queues.close();
    await deleteByPrefix(redis, prefix);
    await redis.quit();
  }
});
