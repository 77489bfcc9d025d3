import IORedis, { type Redis } from 'ioredis';
import { createAuditLog } from '../../src/audit/log';
import { verifyAuditChain } from '../../src/audit/verify';
import { runAuditVerify } from '../../src/app/audit';
import type { AuditInput } from '../../src/audit/entry';

const KEY = 'k'.repeat(40);
const prefix = `ct-test-audit-${process.pid}:`;
let redis: Redis;

const input = (i: number): AuditInput => ({
  actor: { kind: 'user', id: `U${i}`, name: `user ${i}` },
  action: 'next',
  source: 'button',
  triageId: `tri-${i}`,
  requestId: `req-${i}`,
  from: 'routed',
  to: 'walking',
});

async function clean(p: string): Promise<void> {
  const ks = await redis.keys(`${p}*`);
  if (ks.length) await redis.del(...ks);
}

beforeAll(() => {
  redis = new IORedis(process.env.REDIS_URL!);
});
afterAll(async () => {
  await clean(prefix);
  redis.disconnect();
});

describe('audit chain', () => {
  const p = (name: string) => `${prefix}${name}:`;

  test('concurrent writers keep one chain, and verify passes', async () => {
    const writers = [0, 1, 2, 3].map(() => createAuditLog(redis.duplicate(), { prefix: p('ok'), signingKey: KEY }));
    await Promise.all(writers.flatMap((w, wi) => Array.from({ length: 25 }, (_, i) => w.append(input(wi * 100 + i)))));
    const res = await verifyAuditChain(redis, { prefix: p('ok'), signingKey: KEY });
    expect(res).toMatchObject({ ok: true, entries: 100, lastSeq: 100, problems: [] });
    for (const w of writers) (w as unknown as { redis: Redis }).redis.disconnect();
  });

  test('concurrent appends in one process go to Redis together, chained in call order', async () => {
    const conn = redis.duplicate();
    const log = createAuditLog(conn, { prefix: p('batch'), signingKey: KEY });
    const calls = jest.spyOn(conn as unknown as { ctAuditAppendBatch: (...a: unknown[]) => Promise<unknown> }, 'ctAuditAppendBatch');
    const entries = await Promise.all(Array.from({ length: 50 }, (_, i) => log.append(input(i))));
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(entries.map((e) => e.triageId)).toEqual(Array.from({ length: 50 }, (_, i) => `tri-${i}`));
    expect(calls).toHaveBeenCalledTimes(1);
    // Appends made while a write is in flight share the next call.
    const first = log.append(input(50));
    const more = Array.from({ length: 10 }, (_, i) => log.append(input(51 + i)));
    await Promise.all([first, ...more]);
    expect(calls).toHaveBeenCalledTimes(2);
    const res = await verifyAuditChain(redis, { prefix: p('batch'), signingKey: KEY });
    expect(res).toMatchObject({ ok: true, entries: 61, lastSeq: 61, problems: [] });
    const rows = await redis.xrange(`${p('batch')}audit`, '-', '+');
    expect(rows.map(([, f]) => JSON.parse(f[f.indexOf('e') + 1]).triageId)).toEqual(Array.from({ length: 61 }, (_, i) => `tri-${i}`));
    conn.disconnect();
  });

  test('a batch whose write fails rejects its appends only; the chain goes on intact', async () => {
    const conn = redis.duplicate();
    const log = createAuditLog(conn, { prefix: p('fail'), signingKey: KEY });
    await log.append(input(0));
    const script = conn as unknown as { ctAuditAppendBatch: (...a: unknown[]) => Promise<unknown> };
    jest.spyOn(script, 'ctAuditAppendBatch').mockRejectedValueOnce(new Error('connection lost'));
    const failed = await Promise.allSettled([log.append(input(1)), log.append(input(2))]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    const after = await Promise.all([log.append(input(3)), log.append(input(4))]);
    expect(after.map((e) => e.seq)).toEqual([2, 3]);
    expect(await verifyAuditChain(redis, { prefix: p('fail'), signingKey: KEY })).toMatchObject({ ok: true, entries: 3, lastSeq: 3 });
    conn.disconnect();
  });

  test('an altered entry is caught by its hmac, at that entry', async () => {
    const log = createAuditLog(redis, { prefix: p('alter2'), signingKey: KEY });
    for (let i = 0; i < 4; i++) await log.append(input(i));
    const stream = `${p('alter2')}audit`;
    const rows = await redis.xrange(stream, '-', '+');
    await redis.del(stream);
    for (const [id, fields] of rows) {
      const f = [...fields];
      const e = JSON.parse(f[f.indexOf('e') + 1]);
      if (e.seq === 2) {
        e.to = 'resolved';
        f[f.indexOf('e') + 1] = JSON.stringify(e);
      }
      await redis.xadd(stream, id, ...f);
    }
    const res = await verifyAuditChain(redis, { prefix: p('alter2'), signingKey: KEY });
    expect(res).toMatchObject({ ok: false, breakAt: 2 });
    expect(res.problems).toHaveLength(1);
  });

  test('a deleted entry is reported as a gap', async () => {
    const log = createAuditLog(redis, { prefix: p('del'), signingKey: KEY });
    for (let i = 0; i < 5; i++) await log.append(input(i));
    const rows = await redis.xrange(`${p('del')}audit`, '-', '+');
    await redis.xdel(`${p('del')}audit`, rows[3][0]);
    const res = await verifyAuditChain(redis, { prefix: p('del'), signingKey: KEY });
    expect(res).toMatchObject({ ok: false, breakAt: 4 });
    expect(res.reason).toMatch(/seq 4 missing: 1 entry was deleted/);
  });

  test('removing the oldest or the newest entries is detected', async () => {
    const log = createAuditLog(redis, { prefix: p('trunc'), signingKey: KEY });
    for (let i = 0; i < 5; i++) await log.append(input(i));
    const stream = `${p('trunc')}audit`;
    const rows = await redis.xrange(stream, '-', '+');
    await redis.xdel(stream, rows[0][0], rows[4][0]);
    const res = await verifyAuditChain(redis, { prefix: p('trunc'), signingKey: KEY });
    expect(res.ok).toBe(false);
    expect(res.problems.map((x) => x.reason).join('\n')).toMatch(/does not start at seq 1[\s\S]*newest entries were removed/);
  });

  test('a different signing key fails every entry', async () => {
    const log = createAuditLog(redis, { prefix: p('key'), signingKey: KEY });
    await log.append(input(1));
    const res = await verifyAuditChain(redis, { prefix: p('key'), signingKey: 'x'.repeat(40) });
    expect(res).toMatchObject({ ok: false, breakAt: 1 });
  });

  test('runAuditVerify: exit 0 ok, 1 broken, 2 when Redis is unreachable or the key is missing', async () => {
    const env = { REDIS_URL: process.env.REDIS_URL, TRIAGE_SIGNING_KEY: KEY };
    const lines: string[] = [];
    const out = (l: string) => lines.push(l);
    const log = createAuditLog(redis, { prefix: p('cli'), signingKey: KEY });
    for (let i = 0; i < 3; i++) await log.append(input(i));
    expect(await runAuditVerify(env, { prefix: p('cli'), out, err: out })).toBe(0);
    expect(lines.pop()).toBe('audit chain ok: 3 entries, last seq 3');
    const rows = await redis.xrange(`${p('cli')}audit`, '-', '+');
    await redis.xdel(`${p('cli')}audit`, rows[1][0]);
    lines.length = 0;
    expect(await runAuditVerify(env, { prefix: p('cli'), out, err: out })).toBe(1);
    expect(lines).toEqual(['seq 2 (' + rows[2][0] + '): seq 2 missing: 1 entry was deleted', 'audit chain BROKEN: 1 problem(s) in 2 entries; first at seq 2']);
    lines.length = 0;
    expect(await runAuditVerify({ ...env, REDIS_URL: 'redis://127.0.0.1:1' }, { out, err: out, redisTimeoutMs: 500 })).toBe(2);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^REDIS_URL: cannot reach Redis at redis:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\)/);
    lines.length = 0;
    expect(await runAuditVerify({ REDIS_URL: env.REDIS_URL }, { out, err: out })).toBe(2);
    expect(lines[0]).toMatch(/^TRIAGE_SIGNING_KEY:/);
  });
});
