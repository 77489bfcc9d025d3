/**
 * A slash command in a Slack channel bound to a deployment by name pattern, over real HTTP with
 * requests signed as Slack signs them (the in-memory TriageService records what is started):
 * the command's `channel_name` picks the deployment (and the binding's zone) when no ID binding
 * does; an ID binding wins over a pattern; a DM (Slack names it `directmessage`) has no channel
 * name, so only ID bindings apply and a command without a request ID is asked for one.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { loadSlackConfig, slackPlatform } from '../../../adapters/slack';
import { loadWebConfig } from '../../../src/app/config';
import { webDeployments } from '../../../src/app/deployments';
import { createWebHost, type WebHost } from '../../../src/app/web';
import { type FakeSlackApi, startFakeSlackApi } from '../../support/fake-slack-api';
import { SIGNING_SECRET, sendCommand } from '../../support/slack-signing';
import { FakeTriageService } from './fake-service';

const KEY = 'triage-signing-key-'.repeat(3);
const ID = '0190a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b';

let slack: FakeSlackApi;
let service: FakeTriageService;
let web: WebHost;
let events: string;
let dir: string;

beforeAll(async () => {
  slack = await startFakeSlackApi();
  dir = mkdtempSync(join(tmpdir(), 'slack-channel-names-'));
  const file = join(dir, 'deployments.yaml');
  const entry = (name: string, channels: string[]) => [`  - name: ${name}`, '    apiUrl: http://127.0.0.1:9', '    adminTokenFile: /dev/null', '    channels:', ...channels.map((c) => `      - ${c}`)].join('\n');
  writeFileSync(file, ['deployments:', entry('production', ['channel: slack:C0PROD0001']), entry('staging', ['channelName: "slack:inc-staging-*"\n        zone: sandbox'])].join('\n') + '\n');
  const config = loadWebConfig({ REDIS_URL: 'redis://127.0.0.1:6379', TRIAGE_SIGNING_KEY: 'k'.repeat(40), CARACAL_DEPLOYMENTS_FILE: file });
  service = new FakeTriageService();
  web = createWebHost({
    service,
    signingKey: KEY,
    platforms: [slackPlatform(loadSlackConfig({ SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.url })!)],
    registry: new Registry(),
    logger: pino({ level: 'silent' }),
    secrets: ['xoxb-test-token'],
    readiness: [{ name: 'redis', check: async () => undefined }],
    deployments: webDeployments(config.deployments),
  });
  events = `http://127.0.0.1:${await web.listen(0, '127.0.0.1')}/slack/events`;
});
afterAll(async () => {
  await web?.close();
  await slack?.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  service.starts.length = 0;
});

const inputOf = (i: number) => service.starts[i]!.input as { deployment?: string; zoneId: string | null; requestId: string | null };

describe('/caracal in a channel bound by name', () => {
  it('reads the deployment whose pattern its name matches, with the binding’s zone', async () => {
    const r = await sendCommand(events, { text: `triage ${ID}`, channel_id: 'C0INCSTG42', channel_name: 'inc-staging-42' });
    expect(r.status).toBe(200);
    expect(service.starts).toHaveLength(1);
    expect(inputOf(0)).toMatchObject({ requestId: ID, deployment: 'staging', zoneId: 'sandbox' });
    // A bundle there needs no --deployment either.
    await sendCommand(events, { text: 'bundle', channel_id: 'C0INCSTG42', channel_name: 'inc-staging-42' });
    expect(inputOf(1)).toMatchObject({ deployment: 'staging', zoneId: 'sandbox' });
  });

  it('a channel bound by ID reads its deployment even when its name matches a pattern', async () => {
    await sendCommand(events, { text: `triage ${ID}`, channel_id: 'C0PROD0001', channel_name: 'inc-staging-renamed' });
    expect(inputOf(0)).toMatchObject({ deployment: 'production', zoneId: null });
  });

  it('a DM gives no channel name: only ID bindings apply, so a bundle is asked which deployment', async () => {
    const r = await sendCommand(events, { text: 'bundle', channel_id: 'D0DIRECT01', channel_name: 'directmessage' });
    expect(String(r.json?.text)).toContain('This channel is bound to no Caracal deployment');
    expect(service.starts).toHaveLength(0);
    // A request ID is looked for in every deployment (by the worker): nothing is bound here.
    await sendCommand(events, { text: `triage ${ID}`, channel_id: 'C0OTHER001', channel_name: 'general' });
    expect(inputOf(0).deployment).toBeUndefined();
  });
});
