/**
 * Escalation to PagerDuty through the real service, queues and worker, against a fake PagerDuty
 * on loopback: one trigger per triage's dedup key carrying the triage's summary and its card
 * link; a re-escalation to the same key; the resolve when the triage is resolved; 429 and 5xx
 * retried with backoff, 400 never; a job run again changes nothing; what leaves is redacted; a
 * note on the PagerDuty incident the triage was opened for, added once even when PagerDuty
 * stored it and answered 500. Each step is in the bot's audit chain, which still verifies.
 */
import { verifyAuditChain } from '../../src/audit/verify';
import { jobIds } from '../../src/queue/jobs';
import { createRedactor } from '../../src/redact/redact';
import type { EscalationTargets, IncidentView, TriageRecord } from '../../src/triage/record';
import { readAuditEntries } from '../support/audit';
import { startFakePagerDuty, type FakePagerDuty } from '../support/fake-pagerduty';
import { SIGNING_KEY, createHarness, waitFor, type Harness } from '../queue/harness';

const ROUTING_KEY = 'R0UTINGKEY0123456789abcdefABCDEF';
const ONCALL: EscalationTargets = { mentions: [{ platform: 'slack', id: 'S0ONCALL1' }], pagerduty: true };
const alice = { kind: 'user' as const, id: 'U0ALICE01', name: 'alice' };

let h: Harness;
let pd: FakePagerDuty;

beforeAll(async () => {
  pd = await startFakePagerDuty();
  h = await createHarness('pagerduty', { scenario: 'grant_missing' });
  h.startWorkers({
    pagerduty: { routingKey: ROUTING_KEY, eventsUrl: pd.eventsUrl },
    notes: { apiUrl: pd.url, token: 'u+pd-rest-token-of-the-test', from: 'triage-bot@example.com' },
    redactor: createRedactor(['hunter2-secret-of-the-test']),
    escalationTiming: { retryDelayMs: 50, maxTries: 4, cardWaitMs: 50 },
  });
});
afterAll(async () => {
  await h.close();
  await pd.close();
});

const events = (triageId: string) => pd.accepted().filter((c) => c.body.dedup_key === `caracal-triage/${triageId}`);
const callsFor = (triageId: string) => pd.calls.filter((c) => c.path === '/v2/enqueue' && c.body?.dedup_key === `caracal-triage/${triageId}`);

async function settled(over: Parameters<Harness['startTriage']>[0] = {}): Promise<TriageRecord> {
  const id = await h.startTriage(over);
  return h.waitSettled(id);
}

async function escalate(id: string, defaults: EscalationTargets | null = ONCALL, actor = alice): Promise<void> {
  const r = await h.service.apply(id, { type: 'escalate', actor, defaults }, 'test_button');
  if (!r.ok) throw new Error(r.message);
}

const recordOf = async (id: string): Promise<TriageRecord> => (await h.service.get(id))!;
const delivered = (id: string, n = 1) => waitFor(`escalation ${n} delivered`, async () => {
  const e = (await recordOf(id)).escalations?.find((x) => x.n === n);
  return e?.pagerduty && e.pagerduty.status !== 'pending' ? e.pagerduty : null;
});

test('Escalate triggers one PagerDuty alert with the summary and the card link, mentions the group in the thread, and audits each step', async () => {
  const r = await settled();
  await escalate(r.id);
  expect(await delivered(r.id)).toMatchObject({ status: 'sent', detail: `dedup key caracal-triage/${r.id}` });
  const [e] = events(r.id);
  expect(e!.body).toMatchObject({
    routing_key: ROUTING_KEY,
    event_action: 'trigger',
    dedup_key: `caracal-triage/${r.id}`,
    payload: { source: 'caracal-triage', severity: 'error', component: 'sts_policy', class: 'scope_not_granted' },
  });
  expect(e!.body.payload.summary).toMatch(new RegExp(`^Caracal triage ${h.sim.scenario.input.requestId}: sts_policy at step .*scope_not_granted.*\\(escalated by alice\\)$`));
  const link = (await h.service.store.view(r.id))!.cardLink!;
  expect(e!.body.links).toEqual([{ href: link, text: 'Caracal triage card' }]);

  const notice = await waitFor('the mention', async () => h.port.delivered(r.id).find((c) => c.method === 'postNotice'));
  expect(notice.text).toBe('Escalation 1 by alice: @S0ONCALL1 + PagerDuty');
  expect(notice.key).toBe('escalate.1');

  const audit = (await readAuditEntries(h.redis, h.prefix)).filter((a) => a.triageId === r.id).map((a) => [a.action, a.actor.id]);
  expect(audit).toEqual(
    expect.arrayContaining([
      ['escalate', 'U0ALICE01'],
      ['escalation 1 to slack S0ONCALL1, PagerDuty', 'U0ALICE01'],
      ['escalation 1: PagerDuty trigger sent', 'caracal-triage'],
    ]),
  );
  expect((await verifyAuditChain(h.redis, { prefix: h.prefix, signingKey: SIGNING_KEY })).ok).toBe(true);

  // The job run again (same triage and escalation version) calls PagerDuty no more and records nothing new.
  const before = (await readAuditEntries(h.redis, h.prefix)).length;
  await (await h.queues.collect.getJob(jobIds.escalate(r.id, 1)))?.remove();
  await h.queues.collect.add('escalate', { triageId: r.id, n: 1 }, { jobId: jobIds.escalate(r.id, 1) });
  await waitFor('the job run again', async () => (await h.queues.collect.getJob(jobIds.escalate(r.id, 1)))?.finishedOn);
  expect(callsFor(r.id)).toHaveLength(1);
  expect((await readAuditEntries(h.redis, h.prefix)).length).toBe(before);
});

test('a re-escalation goes to the same alert; resolving the triage resolves it, after the triggers', async () => {
  const r = await settled();
  await escalate(r.id);
  await delivered(r.id, 1);
  expect((await h.service.apply(r.id, { type: 'next', actor: alice }, 'test_button')).ok).toBe(true);
  await escalate(r.id);
  await delivered(r.id, 2);
  expect((await h.service.apply(r.id, { type: 'resolve', actor: alice }, 'test_button')).ok).toBe(true);
  const resolved = await waitFor('the resolve', async () => (await recordOf(r.id)).pagerdutyResolve);
  expect(resolved).toMatchObject({ status: 'sent' });
  expect(callsFor(r.id).map((c) => [c.body.event_action, c.body.dedup_key])).toEqual([
    ['trigger', `caracal-triage/${r.id}`],
    ['trigger', `caracal-triage/${r.id}`],
    ['resolve', `caracal-triage/${r.id}`],
  ]);
});

test('429 and 5xx are retried with backoff until PagerDuty takes the event; a 400 is never retried', async () => {
  const a = await settled();
  pd.failNext('events', { status: 503 });
  pd.failNext('events', { status: 429, retryAfter: 0 });
  await escalate(a.id);
  expect(await delivered(a.id)).toMatchObject({ status: 'sent' });
  expect(callsFor(a.id).map((c) => c.status)).toEqual([503, 429, 202]);

  const b = await settled();
  pd.failNext('events', { status: 400 });
  await escalate(b.id);
  const d = await delivered(b.id);
  expect(d).toMatchObject({ status: 'failed' });
  expect(d.status === 'failed' && d.reason).toBe("the trigger event: PagerDuty answered 400 (Event object is invalid; 'payload.summary' is missing or blank)");
  await new Promise((res) => setTimeout(res, 400));
  expect(callsFor(b.id).map((c) => c.status)).toEqual([400]);

  const c = await settled();
  pd.failNext('events', { status: 502 }, 4);
  await escalate(c.id);
  expect(await delivered(c.id)).toMatchObject({ status: 'failed', reason: expect.stringMatching(/answered 502.*; gave up after 4 tries$/) });
  expect(callsFor(c.id)).toHaveLength(4);
});

test('what goes to PagerDuty is redacted', async () => {
  const r = await settled();
  await escalate(r.id, ONCALL, { kind: 'user', id: 'U0MALLORY', name: 'mallory hunter2-secret-of-the-test' });
  await delivered(r.id);
  const sent = JSON.stringify(events(r.id)[0]!.body);
  expect(sent).not.toContain('hunter2-secret-of-the-test');
  expect(sent).toContain('mallory [redacted]');
});

test('no PagerDuty asked, no PagerDuty called: the mention alone', async () => {
  const r = await settled();
  await escalate(r.id, { mentions: [{ platform: 'slack', id: 'U0BOB0001' }], pagerduty: false });
  const notice = await waitFor('the mention', async () => h.port.delivered(r.id).find((c) => c.method === 'postNotice'));
  expect(notice.text).toBe('Escalation 1 by alice: @U0BOB0001');
  expect((await recordOf(r.id)).escalations![0]!.pagerduty).toBeNull();
  expect(callsFor(r.id)).toEqual([]);
});

describe('a triage opened from a PagerDuty incident', () => {
  const incident = (id: string): IncidentView => ({
    source: 'pagerduty',
    ref: `PagerDuty #7 (${id})`,
    title: 'Caracal STS denials',
    status: 'firing',
    surface: 'unknown',
    firstAction: 'Open the triage.',
    runbookUrl: null,
    link: null,
    alerts: [{ name: null, status: 'firing', severity: 'critical', summary: null }],
    moreAlerts: 0,
    sourceId: id,
  });

  test('gets one note on that incident, written as the configured user, even when PagerDuty stored it and answered 500', async () => {
    const r = await settled({ incident: incident('PINC0001') });
    pd.failNext('notes', { status: 'stored-then-500' });
    await escalate(r.id);
    const note = await waitFor('the note', async () => {
      const e = (await recordOf(r.id)).escalations?.[0];
      return e?.note && e.note.status !== 'pending' ? e.note : null;
    });
    expect(note).toMatchObject({ status: 'sent', detail: 'note PNOTE1' });
    const notes = pd.notes('PINC0001');
    expect(notes).toHaveLength(1);
    expect(notes[0]!.content).toContain(`[caracal-triage ${r.id} escalation 1]`);
    expect(notes[0]!.content).toMatch(/^Escalated from Caracal triage by alice at /);
    const post = pd.calls.find((c) => c.method === 'POST' && c.path === '/incidents/PINC0001/notes')!;
    expect(post.headers).toMatchObject({ authorization: 'Token token=u+pd-rest-token-of-the-test', from: 'triage-bot@example.com', accept: 'application/vnd.pagerduty+json;version=2' });
    // The trigger of a critical incident's triage is critical.
    expect(events(r.id)[0]!.body.payload.severity).toBe('critical');
  });
});
