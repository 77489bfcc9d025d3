/**
 * Slack over Socket Mode against a local WebSocket server playing Slack: the bot asks the fake
 * Web API for the socket URL (apps.connections.open, with the app-level token), answers every
 * envelope within Slack's 3 seconds, and after the socket drops it reconnects and loses nothing.
 */
import pino from 'pino';
import { loadSlackConfig, slackPlatform } from '../../../adapters/slack';
import { createWebHost, type WebHost } from '../../../src/app/web';
import { signButton } from '../../../src/commands/button-token';
import { type FakeSlackApi, startFakeSlackApi } from '../../support/fake-slack-api';
import { type FakeSlackSocket, startFakeSlackSocket } from '../../support/fake-slack-socket';
import { blockActionBody, commandBody, eventBody } from '../../support/slack-signing';
import { FakeTriageService } from './fake-service';
import { diagnosedRecord } from './records';

const KEY = 'socket-signing-key-'.repeat(3);
const ID = '0190a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b';
let api: FakeSlackApi;
let socket: FakeSlackSocket;
let service: FakeTriageService;
let web: WebHost;

beforeAll(async () => {
  api = await startFakeSlackApi({ appToken: 'xapp-1-test-token' });
  socket = await startFakeSlackSocket();
  api.socketUrl = socket.url;
  service = new FakeTriageService();
  // Pings (and so the wait before a reconnect) every second instead of every 5 s.
  const config = { ...loadSlackConfig({ SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_APP_TOKEN: 'xapp-1-test-token', SLACK_API_URL: api.url })!, socketPingTimeoutMs: 1000 };
  web = createWebHost({ service, platforms: [slackPlatform(config)], signingKey: KEY, logger: pino({ level: 'silent' }) });
  await web.listen(0, '127.0.0.1');
  await socket.waitForConnection(1);
}, 30_000);
afterAll(async () => {
  await web.close();
  await socket.close();
  await api.close();
});

const commandPayload = (text: string) => Object.fromEntries(new URLSearchParams(commandBody({ text })));
const clickPayload = (value: string) => JSON.parse(new URLSearchParams(blockActionBody({ actionId: 'triage:next', value, responseUrl: `${api.responseUrlBase}sock` })).get('payload')!);

describe('Socket Mode', () => {
  it('opened its socket from apps.connections.open with the app-level token, and serves no HTTP route', () => {
    expect(api.callsTo('apps.connections.open')).toHaveLength(1);
    expect(api.callsTo('apps.connections.open')[0].token).toBe('xapp-1-test-token');
    expect(web.ingresses[0].routes).toHaveLength(0);
  });

  it('acknowledges a slash command within 3 s, with the ephemeral answer in the ack', async () => {
    const ack = await socket.send({ envelope_id: 'env-cmd-1', type: 'slash_commands', payload: commandPayload(`triage ${ID}`) });
    expect(ack.ms).toBeLessThan(3000);
    expect(ack.payload).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining(`Triage started for request \`${ID}\``) });
    expect(service.starts.at(-1)).toMatchObject({ source: 'slack_command', input: { requestId: ID }, destination: { platform: 'slack', channel: 'C0INC001' } });
  });

  it('acknowledges a button click and applies it', async () => {
    service.seed(diagnosedRecord({ id: 'tri-sock', version: 3, state: 'routed' }));
    const value = signButton({ triageId: 'tri-sock', action: 'next', version: 3, expiresAt: Math.floor(Date.now() / 1000) + 60 }, KEY);
    const ack = await socket.send({ envelope_id: 'env-click-1', type: 'interactive', payload: clickPayload(value) });
    expect(ack.ms).toBeLessThan(3000);
    await api.waitFor(() => service.applies.some((a) => a.triageId === 'tri-sock'));
    expect(service.records.get('tri-sock')?.version).toBe(4);
  });

  it('acknowledges an event and starts the mention triage once per event_id', async () => {
    const body = JSON.parse(eventBody({ type: 'app_mention', user: 'U0ONCALL', channel: 'C0INC001', ts: '1700000001.000100', text: `<@UBOT0001> triage ${ID}` }, 'EvSock1'));
    const before = service.starts.length;
    const ack = await socket.send({ envelope_id: 'env-ev-1', type: 'events_api', payload: body });
    expect(ack.ms).toBeLessThan(3000);
    await api.waitFor(() => service.starts.length === before + 1);
    expect(service.starts.at(-1)).toMatchObject({ source: 'slack_mention', dedupeKey: 'slack:T0TEST01:event:EvSock1' });
  });

  it('reconnects after the socket drops and loses nothing: new envelopes and redeliveries are handled', async () => {
    const body = JSON.parse(eventBody({ type: 'app_mention', user: 'U0ONCALL', channel: 'C0INC001', ts: '1700000002.000100', text: `<@UBOT0001> triage ${ID}-after` }, 'EvSock2'));
    socket.drop();
    await socket.waitForConnection(2, 20_000);
    expect(api.callsTo('apps.connections.open').length).toBeGreaterThanOrEqual(2);
    const cmd = await socket.send({ envelope_id: 'env-cmd-2', type: 'slash_commands', payload: commandPayload('bundle zone-a') });
    expect(cmd.payload).toMatchObject({ text: expect.stringContaining('Collecting the diagnostic bundle') });
    const startsBefore = service.starts.length;
    await socket.send({ envelope_id: 'env-ev-2', type: 'events_api', payload: body });
    // Slack redelivers an envelope whose ack it did not see, with retry_attempt: one triage still.
    await socket.send({ envelope_id: 'env-ev-2b', type: 'events_api', payload: body, retry_attempt: 1, retry_reason: 'timeout' });
    await api.waitFor(() => service.starts.length === startsBefore + 2);
    const mine = service.starts.filter((s) => s.dedupeKey === 'slack:T0TEST01:event:EvSock2');
    expect(mine).toHaveLength(2);
    expect(new Set(mine.map((s) => s.dedupeKey)).size).toBe(1);
    expect([...service.records.values()].filter((r) => r.input.requestId === `${ID}-after`)).toHaveLength(1);
  }, 40_000);
});
