import type { Redis } from 'ioredis';
import { createAuditLog } from '../../src/audit/log';
import { verifyAuditChain } from '../../src/audit/verify';
import type { TriageQueues } from '../../src/queue/queues';
import { openTriageRedis, type TriageRedis } from '../../src/queue/triage-redis';
import { createTriageService, type RedisTriageService } from '../../src/service/triage-service';
import { sweepStale } from '../../src/queue/sweeper';
import { triageMetrics } from '../../src/queue/metrics';
import { TRIAGE_ID_PATTERN, newTriageId } from '../../src/store/ids';
import type { TriageRecord } from '../../src/triage/record';
import type { StartTriageRequest } from '../../src/ingress/service-api';
import { SIGNING_KEY, deleteByPrefix, silent, uniquePrefix } from '../queue/harness';

let triageRedis: TriageRedis;
let redis: Redis;
let queues: TriageQueues;
let service: RedisTriageService;
const prefix = uniquePrefix('store');

// Each delivery its own zone: the same command twice while open would answer with the first
// triage (one card per open triage, tested below); these tests want a triage each.
const request = (dedupeKey: string): StartTriageRequest => ({
  input: { requestId: 'req-1', zoneId: `zone-${dedupeKey}`, symptom: 'token_exchange_denied', error: null },
  destination: { platform: 'slack', channel: 'C1' },
  actor: { kind: 'user', id: 'U1', name: 'ada' },
  dedupeKey,
  source: 'command',
});

/** A triage whose evidence is in (state routed), as the worker would leave it. */
async function routedTriage(): Promise<TriageRecord> {
  const { triageId } = await service.start(request(`routed-${Math.random()}`));
  const r = await service.store.apply(triageId, { type: 'collection_finished', zoneId: 'z1', symptom: null, surface: null, diagnosis: null, bundle: null });
  if (!r.ok) throw new Error(r.message);
  return r.record;
}

beforeAll(async () => {
  triageRedis = openTriageRedis({ url: process.env.REDIS_URL!, role: 'worker', signingKey: SIGNING_KEY, prefix, logger: silent });
  await triageRedis.whenReady(5000);
  redis = triageRedis.data;
  queues = triageRedis.queues;
  service = createTriageService({ redis: triageRedis, logger: silent });
});
afterAll(async () => {
  await deleteByPrefix(redis, prefix);
  await triageRedis.close();
});

describe('triage IDs', () => {
  test('are safe BullMQ job IDs and sort by time', () => {
    const a = newTriageId(1_700_000_000_000);
    const b = newTriageId(1_700_000_000_001);
    expect(a).toMatch(TRIAGE_ID_PATTERN);
    expect(a).not.toContain(':');
    expect(a < b).toBe(true);
  });
});

describe('dedupe', () => {
  test('the same dedupe key twice, even at the same moment, starts one triage', async () => {
    const results = await Promise.all([service.start(request('slack:T1:C1:trigger-1')), service.start(request('slack:T1:C1:trigger-1'))]);
    expect(results[0].triageId).toBe(results[1].triageId);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const again = await service.start(request('slack:T1:C1:trigger-1'));
    expect(again).toEqual({ triageId: results[0].triageId, created: false });
    // One collect job, not two (the collection queues the card; the end-to-end tests count cards).
    const jobs = await queues.collect.getJobs(['waiting', 'delayed', 'active']);
    expect(jobs.filter((j) => j.data.triageId === results[0].triageId)).toHaveLength(1);
    const posts = await queues.post.getJobs(['waiting', 'delayed', 'active']);
    expect(posts.filter((j) => j.data.triageId === results[0].triageId)).toHaveLength(0);
  });

  test('the dedupe key outlives Slack redelivery (an hour)', async () => {
    await service.start(request('slack:T1:C1:trigger-ttl'));
    const ttl = await redis.ttl(service.store.keys.dedupe('slack:T1:C1:trigger-ttl'));
    expect(ttl).toBeGreaterThan(3000);
    expect(ttl).toBeLessThanOrEqual(3600);
  });
});

describe('racing transitions', () => {
  test('two clicks on the same card version: exactly one applies, the other is told it already advanced', async () => {
    const rec = await routedTriage();
    const click = (who: string) =>
      service.apply(rec.id, { type: 'next', actor: { kind: 'user', id: who }, expectedVersion: rec.version }, 'button');
    const results = await Promise.all([click('U1'), click('U2'), click('U3')]);
    const won = results.filter((r) => r.ok);
    const lost = results.filter((r) => !r.ok);
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(2);
    for (const l of lost) expect(l).toMatchObject({ ok: false, reason: 'stale', message: expect.stringMatching(/already advanced/) });
    const after = await service.get(rec.id);
    expect(after!.version).toBe(rec.version + 1);
    expect(after!.history.filter((e) => e.action === 'next step')).toHaveLength(1);
  });

  test('two workers applying a system event race: both land, one after the other, never lost', async () => {
    const { triageId } = await service.start(request(`sys-${Math.random()}`));
    const result = (id: 'readiness' | 'configuration') => ({ id, verdict: 'pass' as const, summary: 'ok', evidence: {} });
    const [a, b] = await Promise.all([
      service.store.apply(triageId, { type: 'step_collected', result: result('readiness') }),
      service.store.apply(triageId, { type: 'step_collected', result: result('configuration') }),
    ]);
    expect(a.ok && b.ok).toBe(true);
    const rec = await service.get(triageId);
    expect(rec!.version).toBe(3);
    expect(rec!.steps.map((s) => s.id)).toEqual(['readiness', 'configuration']);
  });

  test('a change already applied by a retried job (same mark) is not applied again', async () => {
    const { triageId } = await service.start(request(`mark-${Math.random()}`));
    const ev = { type: 'step_collected' as const, result: { id: 'readiness' as const, verdict: 'pass' as const, summary: 'ok', evidence: {} } };
    const first = await service.store.apply(triageId, ev, { mark: 'done:job-1:readiness' });
    const second = await service.store.apply(triageId, ev, { mark: 'done:job-1:readiness' });
    expect(first).toMatchObject({ ok: true, duplicate: false });
    expect(second).toMatchObject({ ok: true, duplicate: true, effects: [] });
    expect((await service.get(triageId))!.version).toBe(2);
  });

  test('a click on a finished triage is refused', async () => {
    const rec = await routedTriage();
    expect((await service.apply(rec.id, { type: 'resolve', actor: { kind: 'user', id: 'U1' } }, 'button')).ok).toBe(true);
    expect(await service.apply(rec.id, { type: 'next', actor: { kind: 'user', id: 'U2' } }, 'button')).toMatchObject({ ok: false, reason: 'finished' });
    expect(await service.apply('tri-0000000000nonexistent0000', { type: 'next', actor: { kind: 'user', id: 'U2' } }, 'button')).toMatchObject({ ok: false, reason: 'not_found' });
  });

  test('every start and click is in the audit chain with actor, source, triage, request and states', async () => {
    const rec = await routedTriage();
    await service.apply(rec.id, { type: 'escalate', actor: { kind: 'user', id: 'U9', name: 'grace' } }, 'button');
    const rows = await redis.xrange(service.store.keys.audit(), '-', '+');
    const entries = rows.map(([, f]) => JSON.parse(f[f.indexOf('e') + 1]));
    const mine = entries.filter((e) => e.triageId === rec.id);
    expect(mine.map((e) => [e.action, e.source, e.from, e.to])).toEqual([
      ['start', 'command', null, 'locating'],
      ['escalate', 'button', 'routed', 'escalated'],
    ]);
    expect(mine[1]).toMatchObject({ actor: { kind: 'user', id: 'U9', name: 'grace' }, requestId: 'req-1' });
    expect((await verifyAuditChain(redis, { prefix, signingKey: SIGNING_KEY })).ok).toBe(true);
  });
});

describe('message references', () => {
  test('the first stored reference wins and any process can read it back', async () => {
    const { triageId } = await service.start(request(`ref-${Math.random()}`));
    const ref = { platform: 'slack' as const, channel: 'C1', ts: '1700000000.000100' };
    expect(await service.store.setMessageRef(triageId, ref, 1)).toEqual(ref);
    expect(await service.store.setMessageRef(triageId, { ...ref, ts: '1700000000.000200' }, 1)).toEqual(ref);
    expect(await service.messageRef(triageId)).toEqual(ref);
    expect(await service.store.destination(triageId)).toEqual({ platform: 'slack', channel: 'C1' });
  });
});

describe('sweeper', () => {
  test('triages idle past the TTL become abandoned (card updated, audited); active ones are left alone', async () => {
    const idle = await routedTriage();
    const busy = await routedTriage();
    const audit = createAuditLog(redis, { prefix, signingKey: SIGNING_KEY });
    const later = Date.parse(busy.updatedAt) + 24 * 3600 * 1000 + 1;
    // Activity on `busy` just before the sweep.
    await service.store.apply(busy.id, { type: 'next', actor: { kind: 'user', id: 'U1' } }, { now: new Date(later - 1000) });
    const res = await sweepStale({ store: service.store, queues, audit, cardDebounceMs: 0, metrics: triageMetrics(), logger: silent, staleAfterMs: 24 * 3600 * 1000, now: () => later });
    expect(res.abandoned).toContain(idle.id);
    expect(res.abandoned).not.toContain(busy.id);
    expect((await service.get(idle.id))!.state).toBe('abandoned');
    expect((await service.get(busy.id))!.state).toBe('walking');
    expect(await redis.zscore(service.store.keys.active(), idle.id)).toBeNull();
    expect(await redis.ttl(service.store.keys.triage(idle.id))).toBeGreaterThan(0);
  });
});

describe('one card per open triage', () => {
  const same = (dedupeKey: string, channel = 'C-open'): StartTriageRequest => ({
    input: { requestId: 'req-open-1', zoneId: 'zone-a', symptom: 'token_exchange_denied', error: null },
    destination: { platform: 'slack', channel, teamId: 'T1' },
    actor: { kind: 'user', id: 'U1' },
    dedupeKey,
    source: 'command',
  });
  const resolve = async (id: string, how: 'resolve' | 'escalate') => {
    const r = await service.store.apply(id, { type: 'collection_finished', zoneId: 'zone-a', symptom: null, surface: null, diagnosis: null, bundle: null });
    expect(r.ok).toBe(true);
    expect((await service.apply(id, { type: how, actor: { kind: 'user', id: 'U1' } }, 'button')).ok).toBe(true);
  };

  test('the same command while the triage is open starts nothing and answers with its card; a redelivery is still a redelivery', async () => {
    const first = await service.start(same('open-1'));
    expect(first.created).toBe(true);
    const again = await service.start(same('open-2'));
    expect(again).toEqual({ triageId: first.triageId, created: false, open: { card: null, link: null } });

    const ref = { platform: 'slack' as const, channel: 'C-open', ts: '1796000000.000100' };
    await service.store.setMessageRef(first.triageId, ref, 1);
    await redis.hset(service.store.keys.triage(first.triageId), 'cardlink', 'https://test.slack.com/archives/C-open/p1796000000000100');
    expect((await service.start(same('open-3'))).open).toEqual({ card: ref, link: 'https://test.slack.com/archives/C-open/p1796000000000100' });
    // Redeliveries of the first delivery and of an answered repeat: "already started", no card to point at.
    expect(await service.start(same('open-1'))).toEqual({ triageId: first.triageId, created: false });
    expect(await service.start(same('open-2'))).toEqual({ triageId: first.triageId, created: false });
    // Another channel, or another zone, is another command.
    expect((await service.start(same('open-4', 'C-elsewhere'))).created).toBe(true);
    expect((await service.start({ ...same('open-5'), input: { ...same('x').input, zoneId: 'zone-b' } })).created).toBe(true);
  });

  test('two identical commands at the same moment make one triage', async () => {
    const rs = await Promise.all([service.start(same('race-1', 'C-race')), service.start(same('race-2', 'C-race'))]);
    expect(rs.filter((r) => r.created)).toHaveLength(1);
    expect(rs[0]!.triageId).toBe(rs[1]!.triageId);
  });

  test('once resolved, escalated or abandoned, the same command starts a new triage', async () => {
    const a = await service.start(same('cl-1', 'C-close'));
    await resolve(a.triageId, 'resolve');
    const b = await service.start(same('cl-2', 'C-close'));
    expect(b.created).toBe(true);
    await resolve(b.triageId, 'escalate');
    const c = await service.start(same('cl-3', 'C-close'));
    expect(c.created).toBe(true);
    const later = Date.parse((await service.get(c.triageId))!.updatedAt) + 24 * 3600 * 1000 + 1;
    const audit = createAuditLog(redis, { prefix, signingKey: SIGNING_KEY });
    await sweepStale({ store: service.store, queues, audit, cardDebounceMs: 0, metrics: triageMetrics(), logger: silent, staleAfterMs: 24 * 3600 * 1000, now: () => later });
    expect((await service.get(c.triageId))!.state).toBe('abandoned');
    const d = await service.start(same('cl-4', 'C-close'));
    expect(d.created).toBe(true);
    expect(new Set([a, b, c, d].map((x) => x.triageId)).size).toBe(4);
  });

  test('an index entry left pointing at a triage that is gone does not block the command', async () => {
    const a = await service.start(same('gone-1', 'C-gone'));
    await redis.del(service.store.keys.triage(a.triageId));
    const b = await service.start(same('gone-2', 'C-gone'));
    expect(b.created).toBe(true);
    expect(b.triageId).not.toBe(a.triageId);
    expect((await service.start(same('gone-3', 'C-gone'))).triageId).toBe(b.triageId);
  });
});
