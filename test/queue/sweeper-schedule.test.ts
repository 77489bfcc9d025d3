import { verifyAuditChain } from '../../src/audit/verify';
import { SIGNING_KEY, createHarness, waitFor, type Harness } from './harness';

describe('idle triages', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('sweep', { scenario: 'healthy_allow' });
  });
  afterAll(async () => {
    await h.close();
  });

  test('are abandoned by the scheduled sweep after the idle TTL, and the card says so', async () => {
    h.startWorkers({ sweepEveryMs: 300, staleAfterMs: 1500 });
    const id = await h.startTriage();
    await h.waitSettled(id);
    const rec = await waitFor('abandoned', async () => {
      const r = await h.service.get(id);
      return r?.state === 'abandoned' ? r : null;
    }, 15_000);
    expect(rec.history.at(-1)!.action).toBe('abandoned: no one acted for 2 s');
    expect(rec.abandonedAfterMs).toBe(1500);
    await waitFor('card update', async () => h.port.delivered(id).some((c) => c.method === 'updateCard' && c.state === 'abandoned'));
    const audit = await h.redis.xrange(h.service.store.keys.audit(), '-', '+');
    const entries = audit.map(([, f]) => JSON.parse(f[f.indexOf('e') + 1]));
    expect(entries.filter((e) => e.triageId === id).map((e) => [e.action, e.source, e.to])).toEqual([
      ['start', 'command', 'locating'],
      ['expire', 'sweeper', 'abandoned'],
    ]);
    expect((await verifyAuditChain(h.redis, { prefix: h.prefix, signingKey: SIGNING_KEY })).ok).toBe(true);
  });
});
