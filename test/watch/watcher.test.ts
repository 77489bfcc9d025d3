/**
 * The deny watcher against the simulator and real Redis, with the real incident desk and triage
 * service: a pattern over its thresholds opens one triage (its latest request triaged), more
 * denials update that card and never post another, a quiet pattern closes and one that comes
 * back opens a new triage linking the old, a pattern below its baseline opens nothing, a replay
 * opens at its first event, late rows, and leader failover mid-burst posting each pattern once.
 */
import { denialRows, watchZoneId, type AuditRowData, type DenialSpec } from '../../sim';
import type { IncidentDesk } from '../../src/incidents/desk';
import { jobIds } from '../../src/queue/jobs';
import { SECRET, createWatchHarness, waitFor, type WatchHarness } from './support';

const Z0 = watchZoneId(0);
const Z1 = watchZoneId(1);
const MIN = 60_000;
const payments: Omit<DenialSpec, 'requestId' | 'occurredAt'> = { zoneId: Z0, applicationId: 'app-anton', applicationName: 'Anton', resource: 'resource://payments', reason: 'role_scope_mismatch', kind: 'policy' };
const ledger: Omit<DenialSpec, 'requestId' | 'occurredAt'> = { zoneId: Z1, applicationId: 'app-berta', resource: 'resource://ledger', reason: 'scope_mismatch', kind: 'pre_policy' };

/** n denied requests from `from`, `stepMs` apart, each visible as soon as it occurred. */
function burst(p: Omit<DenialSpec, 'requestId' | 'occurredAt'>, tag: string, n: number, from: number, stepMs = 5000): AuditRowData[] {
  return Array.from({ length: n }, (_, i) => denialRows({ ...p, requestId: `req-${tag}-${i}`, occurredAt: from + i * stepMs, ingestedAt: from + i * stepMs })).flat();
}

let h: WatchHarness;
afterEach(async () => {
  await h?.close();
});

test('replay_detected opens a triage at its first event, of the replayed request, on a card that says so', async () => {
  h = await createWatchHarness('replay');
  h.startWorkers();
  h.sim.streamAudit(denialRows({ zoneId: Z1, applicationId: 'app-dora', resource: 'resource://mail', reason: 'replay_detected', kind: 'replay', requestId: 'req-replay-1', occurredAt: Date.now() - 20_000 }));
  const w = h.watcher();
  const poll = await w.tick(true);
  expect(poll).toMatchObject({ committed: true, denials: 1, notices: { sent: 1, failed: 0 } });
  const [t] = await h.triages();
  expect(t).toMatchObject({ input: { requestId: 'req-replay-1', zoneId: Z1 }, incident: { source: 'watch', status: 'firing', surface: 'resource_verifier' } });
  expect(t!.incident!.watch).toMatchObject({ reason: 'replay_detected', applicationId: 'app-dora', resource: 'resource://mail', windowCount: 1, total: 1, thresholds: { minDenials: 1, baselineFactor: 0 } });
  await waitFor('its card', async () => h.port.delivered(t!.id).some((c) => c.method === 'postCard'));
  expect(await h.metric('caracal_triage_watch_denials_total')).toBe(1);
});

test("a pattern's card is queued with its triage, not when a collection slot frees up (a storm's collections wait for the budget)", async () => {
  h = await createWatchHarness('card-first');
  h.sim.streamAudit(denialRows({ zoneId: Z1, applicationId: 'app-dora', resource: 'resource://mail', reason: 'replay_detected', kind: 'replay', requestId: 'req-replay-2', occurredAt: Date.now() - 5000 }));
  await h.watcher().tick(true);
  const [t] = await h.triages();
  // No worker has taken the collection: no step collected, and the card's job already waits.
  expect(t!.steps).toEqual([]);
  expect((await h.service.queues.post.getJob(jobIds.card(t!.id)))?.name).toBe('post_card');
});

test('a burst opens one triage; more denials update its card and never post another', async () => {
  h = await createWatchHarness('burst');
  h.startWorkers();
  const start = Date.now() - 4 * MIN;
  h.sim.streamAudit([...burst(payments, 'a', 6, start), ...burst(ledger, 'l', 2, start)]);
  const w = h.watcher();
  expect(await w.tick(true)).toMatchObject({ denials: 8, notices: { sent: 1 } });
  const [first] = await h.triages();
  // The latest denied request is the one triaged; the companion rows did not count.
  expect(first).toMatchObject({ input: { requestId: 'req-a-5' }, incident: { watch: { total: 6, windowCount: 6, applications: 1 } } });
  h.sim.streamAudit(burst(payments, 'b', 4, start + 60_000));
  await w.tick(true);
  const all = await h.triages();
  expect(all.map((t) => t.id)).toEqual([first!.id]);
  expect(all[0]!.incident!.watch).toMatchObject({ total: 10, windowCount: 10 });
  expect(all[0]!.history.some((e) => e.action === 'watch updated the incident')).toBe(true);
  await waitFor('the card', async () => h.port.delivered(first!.id).some((c) => c.method === 'postCard'));
  await w.tick(true);
  expect(h.port.delivered().filter((c) => c.method === 'postCard' && c.triageId === first!.id)).toHaveLength(1);
  expect(h.port.delivered().filter((c) => c.method === 'postCard')).toHaveLength(1);
});

test('what the pattern carries from Caracal is redacted before the desk stores it', async () => {
  h = await createWatchHarness('redact');
  h.sim.streamAudit(burst({ ...payments, applicationName: `Anton ${SECRET}` }, 'r', 5, Date.now() - 60_000, 1000));
  await h.watcher().tick(true);
  const [t] = await h.triages();
  expect(t!.incident!.watch!.applicationName).toBe('Anton [redacted]');
  expect(JSON.stringify(await h.service.store.view(t!.id))).not.toContain(SECRET);
});

test('a pattern below its own baseline opens nothing; the first poll reads the 24 h before for it', async () => {
  h = await createWatchHarness('baseline');
  const now = Date.now();
  // ~7 per 5 min all day (2000), then 8 in the last 5 min: at least 5, but not above 3 × 7.
  const day = Array.from({ length: 2000 }, (_, i) => denialRows({ ...payments, requestId: `req-day-${i}`, occurredAt: now - 6 * MIN - i * 43_000 })).flat();
  h.sim.streamAudit([...day, ...burst(payments, 'now', 8, now - 4 * MIN, 20_000)]);
  // A long interval: this poll (its lease) outlasts a short one's, and nothing renews it here.
  const w = h.watcher({ settings: { intervalMs: 20_000 } });
  expect(await w.tick(true)).toMatchObject({ denials: 2008, notices: { sent: 0 } });
  expect(await h.triages()).toEqual([]);
  // Against no history, the same 8 open one.
  const fresh = await createWatchHarness('baseline-none');
  try {
    fresh.sim.streamAudit(burst(payments, 'now', 8, now - 4 * MIN, 20_000));
    expect(await fresh.watcher().tick(true)).toMatchObject({ notices: { sent: 1 } });
  } finally {
    await fresh.close();
  }
});

test('a quiet pattern is closed on its card; when it comes back, a new triage links the old one', async () => {
  h = await createWatchHarness('quiet');
  const w = h.watcher({ settings: { quietMs: 1500 } });
  h.sim.streamAudit(burst(payments, 'a', 5, Date.now() - 500, 100));
  await w.tick(true);
  const [first] = await h.triages();
  expect(first!.state).not.toBe('resolved');
  await new Promise((r) => setTimeout(r, 1700));
  expect(await w.tick(true)).toMatchObject({ notices: { sent: 1 } });
  const closed = await h.service.get(first!.id);
  expect(closed).toMatchObject({ state: 'resolved', incident: { status: 'resolved', watch: { quietSince: expect.any(String) } } });
  h.sim.streamAudit(burst(payments, 'b', 5, Date.now() - 100, 20));
  await w.tick(true);
  const [, second] = await h.triages();
  expect(second!.id).not.toBe(first!.id);
  expect(second).toMatchObject({ input: { requestId: 'req-b-4' }, incident: { status: 'firing', watch: { total: 5, previous: { triageId: first!.id } } } });
});

test('late rows: one ingested within the overlap is read after all; one later than it is missed, as the README says', async () => {
  h = await createWatchHarness('late');
  const now = Date.now();
  const w = h.watcher({ settings: { overlapMs: 3000 } });
  h.sim.streamAudit([
    ...denialRows({ ...ledger, requestId: 'req-on-time', occurredAt: now - 1000, ingestedAt: now - 1000 }),
    // Occurred 2 s ago, visible in 1 s: within the 3 s overlap of the next poll.
    ...denialRows({ ...ledger, requestId: 'req-late', occurredAt: now - 2000, ingestedAt: now + 1000 }),
    // Occurred 20 s ago, visible in 1 s: far behind the cursor by then.
    ...denialRows({ ...ledger, requestId: 'req-too-late', occurredAt: now - 20_000, ingestedAt: now + 1000 }),
    // Ingested a minute after it occurred, but seen by the first poll (no cursor yet): counted as late.
    ...denialRows({ ...ledger, requestId: 'req-old', occurredAt: now - 65_000, ingestedAt: now - 4000 }),
  ]);
  expect(await w.tick(true)).toMatchObject({ denials: 2 });
  expect(await h.metric('caracal_triage_watch_late_rows_total')).toBe(1);
  await waitFor('the late rows to be ingested', async () => h.sim.pendingAudit === 0);
  expect(await w.tick(true)).toMatchObject({ denials: 1 });
  const seen = await h.redis.zrange(`${h.prefix}watch:default:seen:${Z1}`, 0, -1);
  expect(seen).toContain('evt-req-late');
  expect(seen).not.toContain('evt-req-too-late');
});

test('a row later than an interval but within the overlap: polls between sweeps read one interval back and pass it, the next sweep finds it', async () => {
  h = await createWatchHarness('sweep');
  let clock = Date.now();
  const w = h.watcher({ settings: { intervalMs: 1000, overlapMs: 60_000 }, now: () => clock });
  const t = Date.now();
  h.sim.streamAudit(denialRows({ ...ledger, requestId: 'req-first', occurredAt: t - 1000, ingestedAt: t - 1000 }));
  expect(await w.tick(true)).toMatchObject({ denials: 1 });
  // Occurred 20 s before the cursor, visible only now: behind one interval, within the overlap.
  h.sim.streamAudit(denialRows({ ...ledger, requestId: 'req-late-sweep', occurredAt: t - 21_000, ingestedAt: Date.now() }));
  await waitFor('the late row to be ingested', async () => h.sim.pendingAudit === 0);
  clock += 1000;
  expect(await w.tick(true)).toMatchObject({ denials: 0 });
  // A sweep is due every max(interval, overlap / 2) = 30 s.
  clock += 30_000;
  expect(await w.tick(true)).toMatchObject({ denials: 1 });
  expect(await h.redis.zrange(`${h.prefix}watch:default:seen:${Z1}`, 0, -1)).toContain('evt-req-late-sweep');
  expect(await h.redis.get(`${h.prefix}watch:default:sweep:${Z1}`)).toMatch(new RegExp(`^\\d+:${clock}$`));
  // Read once: the next sweep finds nothing new.
  clock += 30_000;
  expect(await w.tick(true)).toMatchObject({ denials: 0 });
});

test('a leader killed mid-burst, with a notice not yet confirmed, is replaced within two intervals and every pattern is posted once', async () => {
  h = await createWatchHarness('failover');
  const start = Date.now() - 3 * MIN;
  h.sim.streamAudit([...burst(payments, 'a', 6, start), ...burst(ledger, 'l', 6, start)]);
  // The first leader commits what it read, then dies before the desk confirms one of the notices.
  let dying = false;
  const failing: IncidentDesk = {
    receive: async () => {
      dying = true;
      throw new Error('killed');
    },
  };
  const fast = { intervalMs: 1000 };
  const a = h.watcher({ name: 'a', desk: failing, settings: fast });
  expect(await a.tick(true)).toMatchObject({ committed: true, denials: 12, notices: { sent: 0, failed: 2 } });
  expect(dying).toBe(true);
  // A is gone: it never ticks again and never gives the lease up. B waits for the lease…
  const killedAt = Date.now();
  const b = h.watcher({ name: 'b', settings: fast });
  expect(await b.tick(true)).toBeNull();
  // …the burst goes on meanwhile…
  h.sim.streamAudit([...burst(payments, 'c', 3, start + 60_000), ...burst(ledger, 'm', 3, start + 60_000)]);
  const took = await waitFor('B to lead', async () => (await b.tick(true)) ?? null, 5000, 100);
  expect(Date.now() - killedAt).toBeLessThan(2 * 1000 + 500);
  // B re-read the overlap: only the new rows are new; both patterns posted once, with every denial.
  expect(took).toMatchObject({ denials: 6, notices: { sent: 2, failed: 0 } });
  const triages = await h.triages();
  expect(triages).toHaveLength(2);
  expect(triages.map((t) => t.incident!.watch!.total).sort()).toEqual([9, 9]);
  await b.tick(true);
  expect(await h.triages()).toHaveLength(2);
});

test('two watchers: one leader at a time', async () => {
  h = await createWatchHarness('election');
  const [a, b] = [h.watcher({ name: 'a' }), h.watcher({ name: 'b' })];
  await Promise.all([a.tick(true), b.tick(true)]);
  expect([a.leader, b.leader].filter(Boolean)).toHaveLength(1);
  for (let i = 0; i < 3; i++) {
    await Promise.all([a.tick(true), b.tick(true)]);
    expect([a.leader, b.leader].filter(Boolean)).toHaveLength(1);
  }
  const leader = a.leader ? a : b;
  const other = a.leader ? b : a;
  await leader.stop();
  expect(await other.tick(true)).not.toBeNull();
  expect(other.leader).toBe(true);
  expect(await h.metric('caracal_triage_watch_leader_changes_total')).toBe(2);
});
