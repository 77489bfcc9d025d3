/**
 * Incidents apply in order, once, end to end (the incident routes on the web host, the real
 * service and workers, the fake Slack): a notice older than the last one applied is answered
 * `stale` and changes nothing; a PagerDuty event older than its window is refused as a replay;
 * a resolved incident opens again only for a notice newer than its resolution (a new triage
 * whose card links the old one); an incident closed in chat frees its key, so the next notice
 * (even a repeat) opens a new triage; incident records expire once their triage closes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signGenericHook } from '../../src/incidents/auth/generic';
import { signPagerDuty } from '../../src/incidents/auth/pagerduty';
import { type SlackStack, startSlackStack } from '../adapters/slack/stack';
import { readThreads } from '../adapters/slack/threads';

const AM_TOKEN = 'am-token-0123456789abcdef';
const PD_SECRET = 'pd-signing-secret-0123456789';
const HOOK_SECRET = 'hook-secret-0123456789abcdef0123';
const FIX = join(__dirname, '..', 'fixtures', 'incidents');
const CHANNEL = 'C0ORDER';
const HOUR = 3_600_000;

let stack: SlackStack;
beforeAll(async () => {
  stack = await startSlackStack({
    scenario: 'revocation_stale',
    incidentEnv: { ALERTMANAGER_TOKEN: AM_TOKEN, PAGERDUTY_WEBHOOK_SECRET: PD_SECRET, INCIDENT_WEBHOOK_SECRET: HOOK_SECRET, TRIAGE_DEFAULT_CHANNEL: `slack:${CHANNEL}`, INCIDENT_RETENTION: '1h' },
  });
}, 30_000);
afterAll(() => stack.close());

type Answer = { status: number; body: { action?: string; triageId?: string; why?: string; error?: string; message?: string } };
const post = (path: string, body: string, headers: Record<string, string>): Promise<Answer> =>
  fetch(`${stack.base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }).then(async (r) => ({ status: r.status, body: (await r.json()) as Answer['body'] }));
const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();
const cardsOf = (id: string) => readThreads(stack.slack, CHANNEL).filter((t) => t.triageId === id);
const incidentCards = () => readThreads(stack.slack, CHANNEL);
const settle = () => new Promise((r) => setTimeout(r, 300));

/** An Alertmanager group notice: the fixture's group, with these alerts. */
function group(key: string, status: 'firing' | 'resolved', alerts: Array<{ fp: string; status: 'firing' | 'resolved'; startsAt: string; endsAt?: string }>): string {
  const base = JSON.parse(readFileSync(join(FIX, 'alertmanager-0.25', 'firing.json'), 'utf8')) as { alerts: Array<Record<string, unknown>>; groupKey: string; status: string };
  const template = base.alerts[0];
  return JSON.stringify({
    ...base,
    status,
    groupKey: `{}:{alertname="${key}"}`,
    alerts: alerts.map((a) => ({ ...template, status: a.status, fingerprint: a.fp, labels: { ...(template.labels as object), pod: a.fp }, startsAt: a.startsAt, endsAt: a.endsAt ?? '0001-01-01T00:00:00Z' })),
  });
}
const am = (body: string) => post('/hooks/alertmanager', body, { authorization: `Bearer ${AM_TOKEN}` });

/** A PagerDuty V3 event for incident `incident`, with its own event id and time. */
function pdEvent(type: 'incident.triggered' | 'incident.resolved' | 'incident.reopened', eventId: string, incident: string, occurredAt: string): string {
  const file = type === 'incident.resolved' ? 'incident.resolved.json' : 'incident.triggered.json';
  const body = JSON.parse(readFileSync(join(FIX, 'pagerduty-v3', file), 'utf8')) as { event: { id: string; event_type: string; occurred_at: string; data: { id: string } } };
  body.event.id = eventId;
  body.event.event_type = type;
  body.event.occurred_at = occurredAt;
  body.event.data.id = incident;
  return JSON.stringify(body);
}
const pd = (body: string) => post('/hooks/pagerduty', body, { 'x-pagerduty-signature': signPagerDuty(body, [PD_SECRET]) });

describe('PagerDuty', () => {
  it('a replayed or late incident.triggered after incident.resolved is stale: the incident stays resolved, no second card', async () => {
    const triggered = pdEvent('incident.triggered', 'EVT-T1', 'PINC0001', iso(20 * 60_000));
    const opened = await pd(triggered);
    expect(opened.body.action).toBe('opened');
    await stack.slack.waitFor(() => cardsOf(opened.body.triageId!).length === 1, 20_000);
    expect((await pd(pdEvent('incident.resolved', 'EVT-R1', 'PINC0001', iso(5 * 60_000)))).body).toMatchObject({ action: 'resolved', triageId: opened.body.triageId });
    for (let i = 0; i < 3; i++) {
      const replay = await pd(triggered);
      expect(replay).toMatchObject({ status: 200, body: { action: 'stale', triageId: opened.body.triageId } });
    }
    const incident = await stack.service.store.redis.hgetall(stack.service.store.keys.incident('pd-PINC0001'));
    expect(incident.status).toBe('resolved');
    expect((await stack.service.get(opened.body.triageId!))?.state).toBe('resolved');
    await settle();
    expect(incidentCards().filter((c) => c.triageId === opened.body.triageId)).toHaveLength(1);
  }, 40_000);

  it('refuses an event older than the replay window (1 h by default), however well signed, and opens nothing', async () => {
    const before = incidentCards().length;
    const old = await pd(pdEvent('incident.triggered', 'EVT-OLD', 'PINC2019', '2019-03-01T10:00:00Z'));
    expect(old).toEqual({ status: 401, body: { error: 'replayed', message: 'the event occurred at 2019-03-01T10:00:00.000Z, more than 1 h ago: refused as a replay (PAGERDUTY_REPLAY_WINDOW)' } });
    expect((await pd(pdEvent('incident.triggered', 'EVT-OLD2', 'PINC2019', iso(2 * HOUR)))).status).toBe(401);
    expect(await stack.service.store.redis.exists(stack.service.store.keys.incident('pd-PINC2019'))).toBe(0);
    await settle();
    expect(incidentCards()).toHaveLength(before);
  });

  it('opens a resolved incident again only for an event newer than its resolution: a new triage whose card links the old one', async () => {
    const opened = await pd(pdEvent('incident.triggered', 'EVT-T3', 'PINC0003', iso(30 * 60_000)));
    await stack.slack.waitFor(() => cardsOf(opened.body.triageId!).length === 1, 20_000);
    await pd(pdEvent('incident.resolved', 'EVT-R3', 'PINC0003', iso(20 * 60_000)));
    const reopened = await pd(pdEvent('incident.reopened', 'EVT-O3', 'PINC0003', iso(60_000)));
    expect(reopened.body.action).toBe('opened');
    expect(reopened.body.triageId).not.toBe(opened.body.triageId);
    const record = await stack.service.get(reopened.body.triageId!);
    expect(record?.incident?.reopenedFrom).toMatchObject({ triageId: opened.body.triageId });
    await stack.slack.waitFor(() => cardsOf(reopened.body.triageId!).length === 1, 20_000);
    expect(String(cardsOf(reopened.body.triageId!)[0].card.blocks)).toContain('Fired again');
  }, 40_000);
});

describe('Alertmanager', () => {
  const sA = iso(30 * 60_000);
  const sB = iso(20 * 60_000);

  it('a late notice with an older alert set is stale and the card keeps the newer set', async () => {
    const first = await am(group('OrderA', 'firing', [{ fp: 'aaaa000000000001', status: 'firing', startsAt: sA }]));
    expect(first.body.action).toBe('opened');
    const grown = await am(group('OrderA', 'firing', [{ fp: 'aaaa000000000001', status: 'firing', startsAt: sA }, { fp: 'bbbb000000000002', status: 'firing', startsAt: sB }]));
    expect(grown.body).toMatchObject({ action: 'updated', triageId: first.body.triageId });
    const late = await am(group('OrderA', 'firing', [{ fp: 'aaaa000000000001', status: 'firing', startsAt: sA }]));
    expect(late.body).toMatchObject({ action: 'stale', triageId: first.body.triageId });
    expect((await stack.service.get(first.body.triageId!))?.incident?.alerts).toHaveLength(2);
  }, 30_000);

  it('a late firing notice after the group resolved is stale: no new triage, no new card', async () => {
    const both = [{ fp: 'cccc000000000001', status: 'firing' as const, startsAt: sA }, { fp: 'dddd000000000002', status: 'firing' as const, startsAt: sB }];
    const opened = await am(group('OrderB', 'firing', both));
    expect(opened.body.action).toBe('opened');
    await stack.slack.waitFor(() => cardsOf(opened.body.triageId!).length === 1, 20_000);
    const resolved = await am(group('OrderB', 'resolved', both.map((a) => ({ ...a, status: 'resolved' as const, endsAt: iso(5 * 60_000) }))));
    expect(resolved.body).toMatchObject({ action: 'resolved', triageId: opened.body.triageId });
    const before = incidentCards().length;
    const late = await am(group('OrderB', 'firing', both));
    expect(late.body).toMatchObject({ action: 'stale', triageId: opened.body.triageId });
    await settle();
    expect(incidentCards()).toHaveLength(before);
    // The group firing again later (a new alert instance, newer than the resolution) opens a new triage.
    const again = await am(group('OrderB', 'firing', [{ fp: 'cccc000000000001', status: 'firing', startsAt: iso(60_000) }]));
    expect(again.body.action).toBe('opened');
    expect(again.body.triageId).not.toBe(opened.body.triageId);
  }, 40_000);
});

const oncall = { kind: 'user' as const, id: 'U0ONCALL', name: 'oncall' };
/** On-call clicks Resolved once the evidence is in (a click racing the collection may be told to click again). */
async function resolveInChat(id: string): Promise<void> {
  for (let i = 0; i < 200 && (await stack.service.get(id))?.state === 'locating'; i++) await new Promise((r) => setTimeout(r, 50));
  expect((await stack.service.apply(id, { type: 'resolve', actor: oncall }, 'slack_button')).ok).toBe(true);
}

describe('an incident closed in chat frees its key', () => {

  it('the repeat notice of a still-firing group opens a new triage once the last one was resolved in chat', async () => {
    const body = group('OrderC', 'firing', [{ fp: 'eeee000000000001', status: 'firing', startsAt: iso(10 * 60_000) }]);
    const opened = await am(body);
    expect(opened.body.action).toBe('opened');
    expect((await am(body)).body.action).toBe('duplicate');
    await resolveInChat(opened.body.triageId!);
    const repeat = await am(body);
    expect(repeat.body.action).toBe('opened');
    expect(repeat.body.triageId).not.toBe(opened.body.triageId);
    expect((await stack.service.get(repeat.body.triageId!))?.incident?.reopenedFrom?.triageId).toBe(opened.body.triageId);
    expect((await am(body)).body.action).toBe('duplicate');
  }, 30_000);

  it('a generic hook with the same incident_id opens a new triage once the last one was resolved in chat', async () => {
    const body = JSON.stringify({ incident_id: 'INC-ORDER-1', title: 'Checkout agent denied', channel: `slack:${CHANNEL}` });
    const hook = () => post('/hooks/incident', body, signGenericHook(body, HOOK_SECRET, Math.floor(Date.now() / 1000)));
    const opened = await hook();
    expect(opened.body.action).toBe('opened');
    expect((await hook()).body.action).toBe('duplicate');
    await resolveInChat(opened.body.triageId!);
    const again = await hook();
    expect(again.body.action).toBe('opened');
    expect(again.body.triageId).not.toBe(opened.body.triageId);
  }, 30_000);
});

describe('incident records', () => {
  it('expire INCIDENT_RETENTION after their triage closes, by the source or in chat, and never live without a TTL', async () => {
    const { redis, keys } = stack.service.store;
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const alerts = [{ fp: `ffff00000000000${i}`, status: 'firing' as const, startsAt: iso(10 * 60_000) }];
      const opened = await am(group(`OrderTtl${i}`, 'firing', alerts));
      ids.push(opened.body.triageId!);
      if (i % 2 === 0) await am(group(`OrderTtl${i}`, 'resolved', alerts.map((a) => ({ ...a, status: 'resolved' as const, endsAt: iso(60_000) }))));
      else await resolveInChat(opened.body.triageId!);
    }
    const incidentKeys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${keys.prefix}incident:*`, 'COUNT', 1000);
      cursor = next;
      incidentKeys.push(...found.filter((k) => !k.endsWith(':lock')));
    } while (cursor !== '0');
    expect(incidentKeys.length).toBeGreaterThanOrEqual(6);
    for (const k of incidentKeys) {
      const ttl = await redis.pttl(k);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(30 * 24 * HOUR);
    }
    const closed = await Promise.all(ids.map(async (id) => redis.pttl(await keyOfTriage(id))));
    for (const ttl of closed) {
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(HOUR);
    }
  }, 40_000);
});

/** The incident record a triage holds (from its stored meta). */
async function keyOfTriage(triageId: string): Promise<string> {
  const meta = JSON.parse((await stack.service.store.redis.hget(stack.service.store.keys.triage(triageId), 'meta'))!) as { incidentKey: string };
  return stack.service.store.keys.incident(meta.incidentKey);
}
