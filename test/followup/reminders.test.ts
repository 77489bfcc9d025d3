/**
 * The sweep's reminders over real Redis and the real store, with the clock moved instead of
 * waited for: every idle triage gets its one reminder even when many are idle at once (the scan
 * pages past those already reminded), a second sweep adds none, a triage idle past the abandon
 * time is abandoned without a reminder first, and the abandon records for how long no one acted.
 */
import { remindIdle } from '../../src/followup/reminders';
import { triageMetrics } from '../../src/queue/metrics';
import { sweepStale } from '../../src/queue/sweeper';
import { createHarness, silent, waitFor, type Harness } from '../queue/harness';

const HOUR = 3_600_000;
let h: Harness;

beforeAll(async () => {
  h = await createHarness('reminders', { scenario: 'grant_missing' });
  h.startWorkers();
});
afterAll(() => h.close());

const deps = (later: number) => ({
  queues: h.queues,
  audit: h.service.audit,
  cardDebounceMs: 50,
  store: h.service.store,
  logger: silent,
  remindAfterMs: 2 * HOUR,
  abandonAfterMs: 24 * HOUR,
  now: () => Date.now() + later,
});

test('each idle triage is reminded once, however many are idle; the reminders reach their threads', async () => {
  const ids = [await h.startTriage(), await h.startTriage(), await h.startTriage()];
  for (const id of ids) await h.waitSettled(id);
  const first = await remindIdle(deps(3 * HOUR), 1);
  expect(first.reminded.filter((id) => ids.includes(id)).sort()).toEqual([...ids].sort());
  expect((await remindIdle(deps(4 * HOUR), 1)).reminded.filter((id) => ids.includes(id))).toEqual([]);
  for (const id of ids) {
    const posted = await waitFor(`the reminder of ${id}`, async () => h.port.delivered(id).find((c) => c.method === 'postNotice'));
    expect(posted.text).toMatch(/^Reminder: no one acted for \d+ ms; waiting on grant_policy$/);
    expect(h.port.delivered(id).filter((c) => c.method === 'postNotice')).toHaveLength(1);
  }
});

test('a triage idle past the abandon time is abandoned, not reminded first, and says for how long no one acted', async () => {
  const id = await h.startTriage();
  await h.waitSettled(id);
  expect((await remindIdle(deps(25 * HOUR))).reminded).not.toContain(id);
  const swept = await sweepStale({ ...deps(25 * HOUR), metrics: triageMetrics(), staleAfterMs: 24 * HOUR });
  expect(swept.abandoned).toContain(id);
  const r = (await h.service.get(id))!;
  expect(r.state).toBe('abandoned');
  expect(r.abandonedAfterMs).toBe(24 * HOUR);
  expect(r.notices ?? []).toEqual([]);
});
