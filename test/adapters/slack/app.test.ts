/**
 * The Slack app over real HTTP, with requests signed as Slack signs them, the fake Slack Web
 * API on loopback and an in-memory TriageService (the end-to-end suite uses the real one).
 */
import pino from 'pino';
import { Registry } from 'prom-client';
import { loadSlackConfig, slackPlatform } from '../../../adapters/slack';
import { buildStatusCard } from '../../../adapters/slack/render';
import { createWebHost, type WebHost } from '../../../src/app/web';
import { signButton } from '../../../src/commands/button-token';
import { type FakeSlackApi, startFakeSlackApi } from '../../support/fake-slack-api';
import { SIGNING_SECRET, commandBody, sendClick, sendCommand, sendEvent, sendSigned } from '../../support/slack-signing';
import { FakeTriageService } from './fake-service';
import { diagnosedRecord } from './records';

const KEY = 'triage-signing-key-'.repeat(3);
const ID = '0190a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b';

let slack: FakeSlackApi;
let service: FakeTriageService;
let web: WebHost;
let base: string;
let events: string;

async function boot(env: Record<string, string> = {}): Promise<void> {
  service = new FakeTriageService();
  const config = loadSlackConfig({
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.url,
    ...env,
  });
  web = createWebHost({
    service,
    signingKey: KEY,
    platforms: [slackPlatform(config!)],
    registry: new Registry(),
    logger: pino({ level: 'silent' }),
    secrets: ['xoxb-test-token'],
    readiness: [{ name: 'redis', check: async () => undefined }],
  });
  const port = await web.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${port}`;
  events = `${base}/slack/events`;
}

beforeAll(async () => {
  slack = await startFakeSlackApi();
});
afterAll(() => slack.close());
beforeEach(async () => {
  slack.reset();
  slack.channels.clear();
  await boot();
});
afterEach(() => web.close());

const ephemeral = (r: { json: Record<string, unknown> | null }) => {
  expect(r.json).toMatchObject({ response_type: 'ephemeral' });
  return String(r.json?.text);
};

describe('signatures', () => {
  it('refuses a bad signature and a stale timestamp with 401, running nothing', async () => {
    const bad = await sendCommand(events, { text: `triage ${ID}` }, { signature: 'v0=deadbeef' });
    expect(bad.status).toBe(401);
    const wrongSecret = await sendCommand(events, { text: `triage ${ID}` }, { secret: 'not-the-secret-at-all' });
    expect(wrongSecret.status).toBe(401);
    const old = await sendCommand(events, { text: `triage ${ID}` }, { timestamp: Math.floor(Date.now() / 1000) - 301 });
    expect(old.status).toBe(401);
    expect(service.starts).toHaveLength(0);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/caracal_triage_rejected_signatures_total\{platform="slack"\} 3/);
  });

  it('accepts the same request signed correctly', async () => {
    const ok = await sendCommand(events, { text: 'help' });
    expect(ok.status).toBe(200);
  });
});

describe('/caracal', () => {
  it('starts a triage and acks with one ephemeral line', async () => {
    const r = await sendCommand(events, { text: `triage ${ID} zone-prod`, trigger_id: 'trig.1' });
    expect(r.status).toBe(200);
    expect(ephemeral(r)).toContain(`Triage started for request \`${ID}\` in zone \`zone-prod\``);
    expect(service.starts).toHaveLength(1);
    expect(service.starts[0]).toEqual({
      input: { requestId: ID, zoneId: 'zone-prod', symptom: null, error: null },
      destination: { platform: 'slack', channel: 'C0INC001', teamId: 'T0TEST01' },
      actor: { kind: 'user', id: 'U0ONCALL', name: 'oncall' },
      dedupeKey: 'slack:T0TEST01:C0INC001:U0ONCALL:trig.1',
      source: 'slack_command',
    });
    expect(r.ms).toBeLessThan(1000);
  });

  it('explains a malformed request ID and starts nothing', async () => {
    const r = await sendCommand(events, { text: 'triage 0190a1b2–7c3d' });
    const text = ephemeral(r);
    expect(text).toContain('is not a request ID');
    expect(text).toContain(`/caracal triage 0190a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b`);
    expect(service.starts).toHaveLength(0);
    expect(slack.calls.filter((c) => c.method !== 'auth.test')).toHaveLength(0);
  });

  it('explains an unknown subcommand, escapes what it echoes, and shows help', async () => {
    const r = await sendCommand(events, { text: 'frobnicate &lt;!channel&gt;' });
    const text = ephemeral(r);
    expect(text).toContain('Unknown command `frobnicate`');
    expect(text).not.toContain('<!channel>');
    const help = ephemeral(await sendCommand(events, { text: '' }));
    expect(help).toContain('/caracal triage &lt;request-id&gt; [zone]');
    expect(service.starts).toHaveLength(0);
  });

  it('makes a retried command (X-Slack-Retry-Num) a no-op', async () => {
    const body = commandBody({ text: `triage ${ID}` });
    const first = await sendSigned(events, body, 'application/x-www-form-urlencoded');
    const retry = await sendSigned(events, body, 'application/x-www-form-urlencoded', { retryNum: 1, retryReason: 'http_timeout' });
    expect(ephemeral(first)).toContain('Triage started');
    expect(ephemeral(retry)).toContain('Already started');
    expect(service.records.size).toBe(1);
  });

  it('starts readiness-first, bundle and pasted-error triages, redacting pasted secrets', async () => {
    await sendCommand(events, { text: 'triage' });
    await sendCommand(events, { text: 'bundle zone-a' });
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlc2lnbmF0dXJl';
    await sendCommand(events, { text: `triage --error {"error":"access_denied","requestId":"${ID}","access_token":"${token}"}` });
    expect(service.starts.map((s) => s.input.requestId)).toEqual([null, null, ID]);
    expect(service.starts[1]).toMatchObject({ postBundle: true, input: { zoneId: 'zone-a' } });
    expect(service.starts[2].input.error).toContain('access_denied');
    expect(service.starts[2].input.error).not.toContain(token);
  });

  it('acks within the deadline when starting is slow, and says so', async () => {
    await web.close();
    service = new FakeTriageService();
    web = createWebHost({
      service,
      signingKey: KEY,
      platforms: [slackPlatform(loadSlackConfig({ SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.url })!)],
      registry: new Registry(),
      startTimeoutMs: 100,
    });
    events = `http://127.0.0.1:${await web.listen(0, '127.0.0.1')}/slack/events`;
    service.startDelayMs = 1000;
    const r = await sendCommand(events, { text: `triage ${ID}` });
    expect(ephemeral(r)).toContain('taking longer than usual');
    expect(r.ms).toBeLessThan(800);
    service.startDelayMs = 0;
    service.failStart = new Error('Redis down');
    expect(ephemeral(await sendCommand(events, { text: `triage ${ID}` }))).toContain('Could not start the triage');
  });

  it('answers status with readiness', async () => {
    const text = ephemeral(await sendCommand(events, { text: 'status' }));
    expect(text).toContain('<@UBOT0001>');
    expect(text).toContain(':white_check_mark: redis');
    expect(text).toContain('anyone in a channel');
  });
});

describe('authorization', () => {
  beforeEach(async () => {
    await web.close();
    slack.usergroups.set('S0ONCALL', ['U0GROUPIE']);
    await boot({ TRIAGE_ALLOWED_USERS: 'U0BOSS', TRIAGE_ALLOWED_USERGROUPS: 'S0ONCALL', TRIAGE_ALLOWED_CHANNELS: 'C0INC001,C0INC002' });
  });

  it('allows listed users and user-group members in listed channels only', async () => {
    const denied = ephemeral(await sendCommand(events, { text: `triage ${ID}`, user_id: 'U0RANDOM' }));
    expect(denied).toContain('not on the list');
    const wrongChannel = ephemeral(await sendCommand(events, { text: `triage ${ID}`, user_id: 'U0BOSS', channel_id: 'C0OTHER' }));
    expect(wrongChannel).toContain('not enabled in this channel');
    expect(service.starts).toHaveLength(0);
    expect(ephemeral(await sendCommand(events, { text: `triage ${ID}`, user_id: 'U0BOSS' }))).toContain('Triage started');
    expect(ephemeral(await sendCommand(events, { text: `triage ${ID}`, user_id: 'U0GROUPIE', channel_id: 'C0INC002' }))).toContain('Triage started');
    expect(service.starts).toHaveLength(2);
  });

  it('refuses a click from someone not allowed', async () => {
    const r = diagnosedRecord({ id: 'tri-auth', version: 3 });
    service.seed(r);
    const value = signButton({ triageId: r.id, action: 'resolve', version: 3, expiresAt: Math.floor(Date.now() / 1000) + 60 }, KEY);
    await sendClick(events, { actionId: 'triage:resolve', value, userId: 'U0RANDOM', responseUrl: `${slack.responseUrlBase}authz` });
    const [resp] = await slack.waitFor(() => slack.responses.length > 0 && slack.responses);
    expect(String(resp.body.text)).toContain('not on the list');
    expect(service.applies).toHaveLength(0);
  });
});

describe('buttons', () => {
  const now = () => Math.floor(Date.now() / 1000);
  let record: ReturnType<typeof diagnosedRecord>;
  beforeEach(() => {
    record = diagnosedRecord({ id: 'tri-btn', version: 3, state: 'routed' });
    service.seed(record);
  });

  async function click(value: string, actionId = 'triage:next') {
    const r = await sendClick(events, { actionId, value, responseUrl: `${slack.responseUrlBase}${actionId}` });
    expect(r.status).toBe(200);
    return r;
  }

  it('applies a signed click with the version the card showed', async () => {
    const card = buildStatusCard(record, { signingKey: KEY });
    const actions = card.blocks.find((b) => b.type === 'actions') as { elements: Array<{ action_id: string; value: string }> };
    const next = actions.elements.find((e) => e.action_id === 'triage:next')!;
    await click(next.value);
    await slack.waitFor(() => service.applies.length === 1);
    expect(service.applies[0]).toMatchObject({ triageId: 'tri-btn', source: 'slack_button', event: { type: 'next', expectedVersion: 3, actor: { id: 'U0ONCALL' } } });
    expect(service.records.get('tri-btn')?.version).toBe(4);
    // The same click again: the version has moved on, so it is refused and explained.
    await click(next.value);
    const resp = await slack.waitFor(() => slack.responses.find((x) => x.id === 'triage:next'));
    expect(resp.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(String(resp.body.text)).toContain('already advanced');
    expect(service.records.get('tri-btn')?.version).toBe(4);
  });

  it('refuses a tampered, expired or foreign button and changes nothing', async () => {
    const good = signButton({ triageId: 'tri-btn', action: 'resolve', version: 3, expiresAt: now() + 60 }, KEY);
    const [v, payload, sig] = good.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), v: 4 })).toString('base64url');
    await click(`${v}.${forged}.${sig}`, 'triage:tampered');
    await click(signButton({ triageId: 'tri-btn', action: 'resolve', version: 3, expiresAt: now() - 5 }, KEY), 'triage:expired');
    await click(signButton({ triageId: 'tri-btn', action: 'resolve', version: 3, expiresAt: now() + 60 }, 'another-installation-key-xxxxxxxx'), 'triage:foreign');
    await slack.waitFor(() => slack.responses.length === 3);
    const byId = Object.fromEntries(slack.responses.map((r) => [r.id, String(r.body.text)]));
    expect(byId['triage:tampered']).toContain('signature');
    expect(byId['triage:expired']).toContain('expired');
    expect(byId['triage:foreign']).toContain('signature');
    expect(service.applies).toHaveLength(0);
    expect(service.records.get('tri-btn')?.version).toBe(3);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/caracal_triage_button_clicks_total\{platform="slack",outcome="bad_signature"\} 2/);
  });

  it('applies a click only on the card it was drawn on: another channel or another message changes nothing', async () => {
    // Triage B's card lives in C0BBB; its genuine, signed button is replayed from C0AAA and from another message.
    const b = diagnosedRecord({ id: 'tri-b', version: 2, state: 'routed' });
    service.seed(b, { platform: 'slack', channel: 'C0BBB', ts: '1700000000.000222' });
    const value = signButton({ triageId: 'tri-b', action: 'resolve', version: 2, expiresAt: now() + 60 }, KEY);
    await sendClick(events, { actionId: 'triage:resolve', value, channelId: 'C0AAA', messageTs: '1700000000.000222', responseUrl: `${slack.responseUrlBase}other-channel` });
    await sendClick(events, { actionId: 'triage:resolve', value, channelId: 'C0BBB', messageTs: '1700000000.000999', responseUrl: `${slack.responseUrlBase}other-message` });
    await slack.waitFor(() => slack.responses.length === 2);
    for (const r of slack.responses) expect(String(r.body.text)).toContain('does not belong to this message');
    expect(service.applies).toHaveLength(0);
    expect(service.records.get('tri-b')?.state).toBe('routed');
    await sendClick(events, { actionId: 'triage:resolve', value, channelId: 'C0BBB', messageTs: '1700000000.000222', responseUrl: `${slack.responseUrlBase}own-card` });
    await slack.waitFor(() => service.applies.length === 1);
    expect(service.records.get('tri-b')?.state).toBe('resolved');
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/caracal_triage_button_clicks_total\{platform="slack",outcome="wrong_card"\} 2/);
  });
});

describe('incident channels', () => {
  it('joins a new incident channel and starts one bundle triage, however often Slack tells us', async () => {
    slack.channels.set('C0NEWINC', { id: 'C0NEWINC', name: 'inc-4711-payments', topic: `Denials, request_id: ${ID} zone: zone-prod`, is_member: false });
    const created = { type: 'channel_created', channel: { id: 'C0NEWINC', name: 'inc-4711-payments', created: 1, creator: 'U0ONCALL' } };
    expect((await sendEvent(events, created, { eventId: 'Ev1' })).status).toBe(200);
    await sendEvent(events, created, { eventId: 'Ev1', retryNum: 1 });
    await sendEvent(events, { type: 'member_joined_channel', user: 'UBOT0001', channel: 'C0NEWINC', channel_type: 'C', team: 'T0TEST01' }, { eventId: 'Ev2' });
    await slack.waitFor(() => service.starts.length === 3);
    expect(slack.callsTo('conversations.join')[0].body.channel).toBe('C0NEWINC');
    expect(new Set(service.starts.map((s) => s.dedupeKey))).toEqual(new Set(['slack:T0TEST01:incident_channel:C0NEWINC']));
    expect(service.records.size).toBe(1);
    expect(service.starts[0]).toMatchObject({
      postBundle: true,
      source: 'incident_channel',
      input: { requestId: ID, zoneId: 'zone-prod' },
      destination: { platform: 'slack', channel: 'C0NEWINC' },
    });
  });

  it('ignores other channels and other people joining', async () => {
    await sendEvent(events, { type: 'channel_created', channel: { id: 'C0RANDOM', name: 'random-chat', created: 1, creator: 'U1' } });
    slack.channels.set('C0INC9', { id: 'C0INC9', name: 'inc-9' });
    await sendEvent(events, { type: 'member_joined_channel', user: 'U0SOMEONE', channel: 'C0INC9', channel_type: 'C' });
    slack.channels.set('C0GEN', { id: 'C0GEN', name: 'general' });
    await sendEvent(events, { type: 'member_joined_channel', user: 'UBOT0001', channel: 'C0GEN', channel_type: 'C' });
    await new Promise((r) => setTimeout(r, 200));
    expect(service.starts).toHaveLength(0);
    expect(slack.callsTo('conversations.join')).toHaveLength(0);
  });
});

describe('mentions', () => {
  it('starts a triage from @Caracal triage <id> once per event_id', async () => {
    const mention = { type: 'app_mention', user: 'U0ONCALL', channel: 'C0INC001', ts: '1700000001.000100', text: `<@UBOT0001> triage ${ID}` };
    await sendEvent(events, mention, { eventId: 'EvM1' });
    await sendEvent(events, mention, { eventId: 'EvM1', retryNum: 1 });
    await slack.waitFor(() => service.starts.length === 2);
    expect(service.records.size).toBe(1);
    expect(service.starts[0]).toMatchObject({ dedupeKey: 'slack:T0TEST01:event:EvM1', source: 'slack_mention', input: { requestId: ID } });
    const [eph] = await slack.waitFor(() => slack.callsTo('chat.postEphemeral').length > 0 && slack.callsTo('chat.postEphemeral'));
    expect(eph.body).toMatchObject({ channel: 'C0INC001', user: 'U0ONCALL' });
  });
});

describe('health, readiness, metrics', () => {
  it('serves /healthz, /readyz and /metrics', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, checks: [{ name: 'redis', ok: true }, { name: 'slack', ok: true }] });
    await sendCommand(events, { text: `triage ${ID}` });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('caracal_triage_ack_seconds_bucket{le="0.025",platform="slack",kind="command"}');
    expect(metrics).toMatch(/caracal_triage_commands_total\{platform="slack",command="triage",outcome="started"\} 1/);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });

  it('answers 503 with the reason when a dependency is down', async () => {
    await web.close();
    web = createWebHost({
      service,
      signingKey: KEY,
      platforms: [slackPlatform(loadSlackConfig({ SLACK_BOT_TOKEN: 'xoxb-wrong-token', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.url })!)],
      registry: new Registry(),
      readiness: [{ name: 'redis', check: async () => 'cannot reach Redis at redis://127.0.0.1:1 (ECONNREFUSED)' }],
    });
    const port = await web.listen(0, '127.0.0.1');
    const res = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { checks: unknown };
    expect(body.checks).toEqual([
      { name: 'redis', ok: false, detail: 'cannot reach Redis at redis://127.0.0.1:1 (ECONNREFUSED)' },
      { name: 'slack', ok: false, detail: 'Slack auth.test failed (invalid_auth)' },
    ]);
  });
});
