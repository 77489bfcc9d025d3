import pino from 'pino';
import { loadSlackConfig, slackPlatform, type SlackIngress } from '../../../adapters/slack';
import { createWebHost } from '../../../src/app/web';
import { FakeTriageService } from './fake-service';
import { type FakeSlackApi, startFakeSlackApi } from '../../support/fake-slack-api';
import { SIGNING_SECRET, sendCommand } from '../../support/slack-signing';

const KEY = 'x'.repeat(40);
let slack: FakeSlackApi;
beforeAll(async () => {
  slack = await startFakeSlackApi();
});
afterAll(() => slack.close());

describe('Slack configuration', () => {
  it('is off without a bot token, and validates what is set', () => {
    expect(loadSlackConfig({})).toBeNull();
    const c = loadSlackConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: 'http://127.0.0.1:9/api' });
    expect(c).toMatchObject({ apiUrl: 'http://127.0.0.1:9/api/', fileUploads: true, allowedUsers: [] });
    expect(c?.incidentChannelPattern.source).toBe('^inc-');
    expect(() => loadSlackConfig({ SLACK_BOT_TOKEN: 'nope', SLACK_SIGNING_SECRET: SIGNING_SECRET })).toThrow(/SLACK_BOT_TOKEN/);
    expect(() => loadSlackConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xoxb-2' })).toThrow(/SLACK_APP_TOKEN/);
    expect(() => loadSlackConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_INCIDENT_CHANNEL_PATTERN: '(' })).toThrow(/SLACK_INCIDENT_CHANNEL_PATTERN/);
    expect(() => loadSlackConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: SIGNING_SECRET, TRIAGE_ALLOWED_USERS: 'alice' })).toThrow(/TRIAGE_ALLOWED_USERS/);
    expect(() => loadSlackConfig({ SLACK_BOT_TOKEN: 'xoxb-1' })).toThrow(/SLACK_SIGNING_SECRET/);
    expect(loadSlackConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1', SLACK_FILE_UPLOADS: 'false' })).toMatchObject({ appToken: 'xapp-1', signingSecret: null, fileUploads: false });
  });
});

describe('the Slack platform on the web host', () => {
  it('mounts POST /slack/events over HTTP, with its own readiness check after Redis', async () => {
    const config = loadSlackConfig({ SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.url })!;
    const web = createWebHost({ service: new FakeTriageService(), platforms: [slackPlatform(config)], signingKey: KEY, readiness: [{ name: 'redis', check: async () => undefined }], logger: pino({ level: 'silent' }) });
    try {
      const base = `http://127.0.0.1:${await web.listen(0, '127.0.0.1')}`;
      expect((web.ingresses[0] as SlackIngress).mode).toBe('http');
      expect((await sendCommand(`${base}/slack/events`, { text: 'help' })).status).toBe(200);
      const ready = (await (await fetch(`${base}/readyz`)).json()) as { checks: Array<{ name: string }> };
      expect(ready.checks.map((c) => c.name)).toEqual(['redis', 'slack']);
    } finally {
      await web.close();
    }
  });

  it('uses Socket Mode, with no HTTP route, when SLACK_APP_TOKEN is set', () => {
    const config = loadSlackConfig({ SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_APP_TOKEN: 'xapp-1-test', SLACK_API_URL: slack.url })!;
    const web = createWebHost({ service: new FakeTriageService(), platforms: [slackPlatform(config, { identity: { botUserId: 'UBOT0001', botId: 'BBOT0001' } })], signingKey: KEY });
    const ingress = web.ingresses[0] as SlackIngress;
    expect(ingress.mode).toBe('socket');
    expect(ingress.routes).toHaveLength(0);
    expect(ingress.identity.current()).toEqual({ botUserId: 'UBOT0001', botId: 'BBOT0001', teamId: null });
  });
});
