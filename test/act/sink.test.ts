/**
 * POST /hooks/caracal as Caracal's sink dispatcher reaches it (sim/sink.ts signs exactly as
 * Caracal does): a valid delivery is taken, a tampered, stale, future-dated or unsigned one is
 * refused 401 (from the headers alone where the headers decide), a replay of a delivery already
 * taken posts nothing new, and bodies that are not Caracal's get 400 (or 200 `ignored` for an
 * event type the bot does not act on).
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deliverToSink, signSinkDelivery, ZONE_B } from '../../sim';
import { verifyCaracalSink } from '../../src/act/sink/auth';
import { startSlackStack, type SlackStack } from '../adapters/slack/stack';
import { textOf, waitForMessage } from './slack-support';

const SECRET = 'nsk_sink-secret-of-the-sink-test-0123456789';
const NEXT_SECRET = 'nsk_the-rotated-sink-secret-0123456789abcd';
let stack: SlackStack;
let url: string;

beforeAll(async () => {
  stack = await startSlackStack({
    scenario: 'healthy_allow',
    incidentEnv: { TRIAGE_DEFAULT_CHANNEL: 'slack:C0SINKS' },
    acts: (sim) => ({ sinkSecrets: [SECRET, NEXT_SECRET], approveToken: sim.tokens.globalApprove, approvers: ['U0APPROVER'] }),
  });
  url = `${stack.base}/hooks/caracal`;
}, 30_000);
afterAll(async () => {
  await stack.close();
});

const post = (headers: Record<string, string>, body: string) => fetch(url, { method: 'POST', headers, body }).then(async (r) => ({ status: r.status, json: (await r.json().catch(() => null)) as Record<string, unknown> | null }));
const auditActions = async () => (await stack.service.store.redis.xrange(`${stack.prefix}audit`, '-', '+')).map(([, f]) => JSON.parse(f[f.indexOf('e') + 1]!) as { action: string; detail?: string });

test('a valid delivery is taken at once and its card follows', async () => {
  const { approval, event } = stack.sim.acts.addApproval(ZONE_B);
  const started = Date.now();
  const r = await deliverToSink(url, signSinkDelivery(event, SECRET));
  expect(r.status).toBe(200);
  expect(Date.now() - started).toBeLessThan(2000);
  expect(JSON.parse(r.text)).toMatchObject({ action: 'accepted', approval: expect.stringMatching(/^apr-[0-9a-f]{32}$/) });
  await waitForMessage(stack.slack, (m) => m.channel === 'C0SINKS' && textOf(m).includes(approval.id));
});

test('a delivery signed with the rotated secret is taken too', async () => {
  const { event } = stack.sim.acts.addApproval(ZONE_B);
  expect((await deliverToSink(url, signSinkDelivery(event, NEXT_SECRET))).status).toBe(200);
});

test('a tampered body, a wrong secret, a stale or future timestamp and a missing signature are refused 401', async () => {
  const { approval, event } = stack.sim.acts.addApproval(ZONE_B);
  const signed = signSinkDelivery(event, SECRET);
  const tampered = signed.body.replace('"tier":"high"', '"tier":"low"');
  expect(tampered).not.toBe(signed.body);
  expect((await post(signed.headers, tampered)).status).toBe(401);
  expect((await deliverToSink(url, signSinkDelivery(event, 'nsk_not-the-secret-0123456789abcdefghijkl'))).status).toBe(401);
  const now = Math.floor(Date.now() / 1000);
  expect((await deliverToSink(url, signSinkDelivery(event, SECRET, { timestamp: now - 301 }))).status).toBe(401);
  // Future by more than the edge: a second that ticks before the server reads its clock takes one
  // off (the edge itself, 300 vs 301, is tested against a fixed clock in test/incidents/auth.test.ts).
  expect((await deliverToSink(url, signSinkDelivery(event, SECRET, { timestamp: now + 310 }))).status).toBe(401);
  const { 'x-caracal-signature': _sig, ...unsigned } = signed.headers;
  const r = await post(unsigned, signed.body);
  expect(r.status).toBe(401);
  // Nothing was recorded for any of them.
  expect((await auditActions()).some((e) => e.detail?.includes(signed.deliveryId))).toBe(false);
  expect(stack.slack.messages.some((m) => textOf(m).includes(approval.id))).toBe(false);
  const metrics = await (await fetch(`${stack.base}/metrics`)).text();
  expect(metrics).toMatch(/caracal_triage_rejected_signatures_total\{platform="caracal-sink"\} [1-9]/);
});

test('a replayed delivery (same X-Caracal-Delivery, re-signed as a retry is) posts nothing new and is audited once', async () => {
  const { approval, event } = stack.sim.acts.addApproval(ZONE_B);
  const first = signSinkDelivery(event, SECRET, { deliveryId: `dlv-${approval.id}` });
  expect(JSON.parse((await deliverToSink(url, first)).text)).toMatchObject({ action: 'accepted' });
  await waitForMessage(stack.slack, (m) => textOf(m).includes(approval.id));
  const again = signSinkDelivery(event, SECRET, { deliveryId: `dlv-${approval.id}`, timestamp: Math.floor(Date.now() / 1000) + 5 });
  const replies = await Promise.all([deliverToSink(url, again), deliverToSink(url, again)]);
  expect(replies.map((r) => JSON.parse(r.text).action)).toEqual(['duplicate', 'duplicate']);
  await new Promise((r) => setTimeout(r, 500));
  expect(stack.slack.messages.filter((m) => !m.thread_ts && textOf(m).includes(approval.id))).toHaveLength(1);
  expect((await auditActions()).filter((e) => e.detail?.includes(`dlv-${approval.id}`))).toHaveLength(1);
});

test('signed bodies that are not Caracal deliveries get 400; an event type the bot does not use gets 200 ignored', async () => {
  const sign = (body: string, extra: Record<string, string> = {}) => {
    const ts = Math.floor(Date.now() / 1000);
    return { 'content-type': 'application/json', 'x-caracal-delivery': `dlv-${Math.random()}`, 'x-caracal-timestamp': String(ts), 'x-caracal-signature': `v1=${createHmac('sha256', SECRET).update(`${ts}.${body}`).digest('hex')}`, ...extra };
  };
  const notJson = 'not json';
  expect((await post(sign(notJson), notJson)).status).toBe(400);
  const noChallenge = JSON.stringify({ id: 'e1', type: 'step_up_issued', zone_id: ZONE_B, decision: 'pending', occurred_at: new Date().toISOString(), data: {} });
  expect(await post(sign(noChallenge, { 'x-caracal-event': 'step_up_issued' }), noChallenge)).toMatchObject({ status: 400, json: { message: expect.stringContaining('data.challenge_id') } });
  const badPath = JSON.stringify({ id: 'e2', type: 'step_up_issued', zone_id: ZONE_B, occurred_at: new Date().toISOString(), data: { challenge_id: '../../admin-tokens' } });
  expect((await post(sign(badPath), badPath)).status).toBe(400);
  const mismatch = JSON.stringify({ id: 'e3', type: 'step_up_decided', zone_id: ZONE_B, occurred_at: new Date().toISOString(), data: { challenge_id: 'ch-1' } });
  expect((await post(sign(mismatch, { 'x-caracal-event': 'step_up_issued' }), mismatch)).status).toBe(400);
  const other = JSON.stringify({ id: 'e4', type: 'grant_revoked', zone_id: ZONE_B, occurred_at: new Date().toISOString(), data: {} });
  expect(await post(sign(other, { 'x-caracal-event': 'grant_revoked' }), other)).toMatchObject({ status: 200, json: { action: 'ignored' } });
  const { 'x-caracal-delivery': _d, ...noDelivery } = sign(noChallenge);
  expect((await post(noDelivery, noChallenge)).status).toBe(400);
});

test("the fixture's delivery (Caracal's real headers and body) verifies against the secret that signed it, and only that one", () => {
  const fixture = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'notification-sink-delivery.step_up_issued.json'), 'utf8')) as { headers: Record<string, string>; body: unknown };
  const raw = Buffer.from(JSON.stringify(fixture.body));
  const at = new Date(Number(fixture.headers['x-caracal-timestamp']) * 1000 + 1000);
  // The fixture's secret is not known; a signature made the same way over its exact bytes must verify, any other must not.
  const secret = 'nsk_cjaEEqSb6cztpasZ3laPxTNvrq_dl_FScOhL_l5QnXY';
  const headers = { ...fixture.headers, 'x-caracal-signature': `v1=${createHmac('sha256', secret).update(`${fixture.headers['x-caracal-timestamp']}.`).update(raw).digest('hex')}` };
  expect(verifyCaracalSink(raw, headers, at, secret)).toEqual({ ok: true });
  expect(verifyCaracalSink(raw, fixture.headers, at, secret)).toMatchObject({ ok: false, reason: 'bad_signature' });
  expect(verifyCaracalSink(raw, headers, new Date(at.getTime() + 10 * 60_000), secret)).toMatchObject({ ok: false, reason: 'stale_timestamp' });
});
