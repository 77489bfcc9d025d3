/**
 * Incidents open, bundles appear, end to end: the three incident routes on the web host, the
 * real service and workers, the fake Slack storing what a channel would show. One triage per
 * incident however often it is sent; a new alert updates the card; resolving marks it resolved;
 * bad input gets 400/401/403/422 and posts nothing; every accepted notice is audited.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signGenericHook } from '../../src/incidents/auth/generic';
import { signPagerDuty } from '../../src/incidents/auth/pagerduty';
import { readAuditEntries } from '../support/audit';
import { type SlackStack, startSlackStack } from '../adapters/slack/stack';
import { readThreads } from '../adapters/slack/threads';

const AM_TOKEN = 'am-token-0123456789abcdef';
const PD_SECRET = 'pd-signing-secret-0123456789';
const HOOK_SECRET = 'hook-secret-0123456789abcdef0123';
const FIX = join(__dirname, '..', 'fixtures', 'incidents');
const fixture = (p: string) => readFileSync(join(FIX, p), 'utf8');
/** A PagerDuty fixture as if it had just happened (`minutesAgo`): older events are refused as replays. */
const recent = (p: string, minutesAgo: number) => fixture(p).replace(/"occurred_at": "[^"]+"/, `"occurred_at": "${new Date(Date.now() - minutesAgo * 60_000).toISOString()}"`);

let stack: SlackStack;
beforeAll(async () => {
  stack = await startSlackStack({
    scenario: 'revocation_stale',
    incidentEnv: { ALERTMANAGER_TOKEN: AM_TOKEN, PAGERDUTY_WEBHOOK_SECRET: PD_SECRET, INCIDENT_WEBHOOK_SECRET: HOOK_SECRET, TRIAGE_DEFAULT_CHANNEL: 'slack:C0ONCALL' },
  });
}, 30_000);
afterAll(() => stack.close());

const post = (path: string, body: string, headers: Record<string, string>) =>
  fetch(`${stack.base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
const cards = (channel: string) => readThreads(stack.slack, channel);
const cardText = (channel: string, i = 0) => String(cards(channel)[i]?.card.blocks ?? '');

describe('Alertmanager', () => {
  const am = (body: string) => post('/hooks/alertmanager', body, { authorization: `Bearer ${AM_TOKEN}` });

  it('opens one triage for a group, updates its card when the group grows, resolves it when the group resolves', async () => {
    const first = await am(fixture('alertmanager-0.25/firing.json'));
    expect(first).toMatchObject({ status: 200, body: { action: 'opened' } });
    const again = await am(fixture('alertmanager-0.25/firing.json'));
    expect(again.body.action).toMatch(/^(duplicate|ignored)$/);
    await stack.slack.waitFor(() => cards('C0ONCALL').length === 1 && cardText('C0ONCALL').includes('Incident from Alertmanager'), 20_000);
    const grown = await am(fixture('alertmanager-0.25/firing-grown.json'));
    expect(grown.body).toMatchObject({ action: 'updated', triageId: first.body.triageId });
    const resolved = await am(fixture('alertmanager-0.25/resolved.json'));
    expect(resolved.body).toMatchObject({ action: 'resolved', triageId: first.body.triageId });
    await stack.slack.waitFor(() => cardText('C0ONCALL').includes('Resolved') && cardText('C0ONCALL').includes('(resolved)'), 20_000);
    expect(cards('C0ONCALL')).toHaveLength(1);
    expect((await stack.service.get(String(first.body.triageId)))?.state).toBe('resolved');
  }, 40_000);

  it('refuses a missing or wrong token with 401 and a body that is not Alertmanager\'s with 400, posting nothing', async () => {
    expect((await post('/hooks/alertmanager', fixture('alertmanager-0.25/firing.json'), {})).status).toBe(401);
    expect((await post('/hooks/alertmanager', fixture('alertmanager-0.25/firing.json'), { authorization: 'Bearer nope' })).status).toBe(401);
    expect((await am('{"version":"4","alerts":"nope"}')).status).toBe(400);
    expect((await am('not json')).status).toBe(400);
  });
});

describe('PagerDuty', () => {
  const pd = (body: string, sig = signPagerDuty(body, ['an-old-secret-000000', PD_SECRET])) => post('/hooks/pagerduty', body, { 'x-pagerduty-signature': sig });

  it('incident.triggered opens one triage, a redelivery posts nothing new, incident.resolved resolves it', async () => {
    const body = recent('pagerduty-v3/incident.triggered.json', 10);
    const opened = await pd(body);
    expect(opened.body.action).toBe('opened');
    expect((await pd(body)).body.action).toBe('duplicate');
    await stack.slack.waitFor(() => cards('C0ONCALL').some((c) => String(c.card.blocks).includes('Incident from PagerDuty')), 20_000);
    const acked = await pd(recent('pagerduty-v3/incident.acknowledged.json', 8));
    expect(acked).toMatchObject({ status: 200, body: { action: 'ignored' } });
    const resolved = await pd(recent('pagerduty-v3/incident.resolved.json', 1));
    expect(resolved.body).toMatchObject({ action: 'resolved', triageId: opened.body.triageId });
    expect(cards('C0ONCALL').filter((c) => String(c.card.blocks).includes('Incident from PagerDuty'))).toHaveLength(1);
  }, 30_000);

  it('refuses an unsigned notice with 401 and a wrongly signed one with 403', async () => {
    const body = fixture('pagerduty-v3/incident.triggered.json');
    expect((await post('/hooks/pagerduty', body, {})).status).toBe(401);
    expect((await pd(body, signPagerDuty(body, ['not-the-secret-at-all']))).status).toBe(403);
  });
});

describe('the generic signed webhook', () => {
  const hook = (body: string, ts = Math.floor(Date.now() / 1000), secret = HOOK_SECRET) => post('/hooks/incident', body, signGenericHook(body, secret, ts));

  it('opens a triage in the channel it names, with the request ID and zone it gives', async () => {
    const body = JSON.stringify({ incident_id: 'INC-77', title: 'Checkout agent denied', channel: 'slack:C0PAYMENTS', request_id: 'req-revoked-1', zone_id: 'zone-prod' });
    const r = await hook(body);
    expect(r.body.action).toBe('opened');
    const record = await stack.service.get(String(r.body.triageId));
    expect(record?.input).toMatchObject({ requestId: 'req-revoked-1', zoneId: 'zone-prod' });
    await stack.slack.waitFor(() => cards('C0PAYMENTS').length === 1, 20_000);
    expect((await hook(body)).body.action).toMatch(/^(duplicate|ignored)$/);
    expect(cards('C0PAYMENTS')).toHaveLength(1);
  }, 30_000);

  it('refuses a bad signature, an old or future timestamp (401), a bad shape (400) and an unconfigured platform (422)', async () => {
    const body = JSON.stringify({ incident_id: 'INC-78', title: 'x', channel: 'slack:C0PAYMENTS' });
    expect((await hook(body, undefined, 'wrong-secret-0123456789abcdef')).status).toBe(401);
    expect((await hook(body, Math.floor(Date.now() / 1000) - 301)).status).toBe(401);
    expect((await hook(body, Math.floor(Date.now() / 1000) + 3600)).status).toBe(401);
    expect((await hook(JSON.stringify({ incident_id: 'INC-79', channel: 'slack:C0PAYMENTS' }))).status).toBe(400);
    expect((await hook(JSON.stringify({ incident_id: 'INC-80', title: 'x', channel: 'teams:19:abc@thread.tacv2' }))).status).toBe(422);
    expect(cards('C0PAYMENTS')).toHaveLength(1);
  });
});

describe('the audit log', () => {
  it('has an entry for every accepted notice', async () => {
    const entries = await readAuditEntries(stack.service.store.redis, stack.prefix);
    const sources = new Set(entries.filter((e) => e.actor.kind === 'webhook').map((e) => e.source));
    expect(sources).toEqual(new Set(['alertmanager_webhook', 'pagerduty_webhook', 'generic_webhook']));
    expect(entries.some((e) => e.action === 'incident notice redelivered')).toBe(true);
    expect(entries.some((e) => e.action.startsWith('incident notice ignored'))).toBe(true);
  });
});
