/**
 * startWeb as `caracal-triage serve` runs it: configuration from the environment, real
 * Redis for /readyz, Slack only when its variables are set, mount points for Teams and hooks.
 */
import express from 'express';
import pino from 'pino';
import { Registry } from 'prom-client';
import { createSlackApp } from '../../adapters/slack/app';
import { loadSlackConfig } from '../../adapters/slack/config';
import { ConfigError } from '../../src/config/env';
import { startWeb, type RunningWeb } from '../../src/server/start-web';
import { FakeTriageService } from '../adapters/slack/fake-service';
import { type FakeSlackApi, startFakeSlackApi } from '../support/fake-slack-api';
import { SIGNING_SECRET, sendCommand } from '../support/slack-signing';

const KEY = 'x'.repeat(40);
const silent = pino({ level: 'silent' });
let slack: FakeSlackApi;
let running: RunningWeb | null = null;

beforeAll(async () => {
  slack = await startFakeSlackApi();
});
afterAll(() => slack.close());
afterEach(async () => {
  await running?.close();
  running = null;
});

const baseEnv = () => ({ REDIS_URL: process.env.REDIS_URL!, TRIAGE_SIGNING_KEY: KEY, PORT: '0' });
const url = (path: string) => `http://127.0.0.1:${running!.port}${path}`;

describe('startWeb', () => {
  it('serves health, readiness (Redis ping) and metrics without Slack', async () => {
    running = await startWeb(baseEnv(), { service: new FakeTriageService(), logger: silent, registry: new Registry(), host: '127.0.0.1' });
    expect(running.server.slack).toBeNull();
    expect(await (await fetch(url('/healthz'))).json()).toEqual({ status: 'ok' });
    const ready = await fetch(url('/readyz'));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, checks: [{ name: 'redis', ok: true }] });
    expect((await fetch(url('/slack/events'), { method: 'POST' })).status).toBe(404);
    const metrics = await fetch(url('/metrics'));
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(await metrics.text()).toContain('# TYPE caracal_triage_ack_seconds histogram');
  });

  it('reports Redis down as 503 with the reason', async () => {
    running = await startWeb({ ...baseEnv(), REDIS_URL: 'redis://127.0.0.1:1' }, { service: new FakeTriageService(), logger: silent, registry: new Registry(), host: '127.0.0.1' });
    const res = await fetch(url('/readyz'));
    expect(res.status).toBe(503);
    const body = (await res.json()) as { checks: Array<{ name: string; ok: boolean; detail?: string }> };
    expect(body.checks[0]).toMatchObject({ name: 'redis', ok: false, detail: expect.stringContaining('redis://127.0.0.1:1') });
  });

  it('mounts Slack at POST /slack/events when its variables are set', async () => {
    const env = { ...baseEnv(), SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.url };
    running = await startWeb(env, { service: new FakeTriageService(), logger: silent, registry: new Registry(), host: '127.0.0.1' });
    expect(running.server.slack?.mode).toBe('http');
    const r = await sendCommand(url('/slack/events'), { text: 'help' });
    expect(r.status).toBe(200);
    const ready = (await (await fetch(url('/readyz'))).json()) as { checks: Array<{ name: string }> };
    expect(ready.checks.map((c) => c.name)).toEqual(['redis', 'slack']);
  });

  it('fills the Teams and hooks mount points when given', async () => {
    const hooks = express.Router();
    hooks.post('/incident', (_req, res) => {
      res.status(202).json({ accepted: true });
    });
    running = await startWeb(baseEnv(), {
      service: new FakeTriageService(),
      logger: silent,
      registry: new Registry(),
      host: '127.0.0.1',
      teams: (req, res) => {
        res.json({ echoed: (req.body as { text?: string }).text });
      },
      hooks,
    });
    const teams = await fetch(url('/api/messages'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'hi' }) });
    expect(await teams.json()).toEqual({ echoed: 'hi' });
    expect((await fetch(url('/hooks/incident'), { method: 'POST' })).status).toBe(202);
  });

  it('names the bad variable in a ConfigError', async () => {
    await expect(startWeb({ ...baseEnv(), TRIAGE_SIGNING_KEY: 'short' }, { service: new FakeTriageService(), logger: silent })).rejects.toThrow(ConfigError);
    const noSecret = startWeb({ ...baseEnv(), SLACK_BOT_TOKEN: 'xoxb-1' }, { service: new FakeTriageService(), logger: silent });
    await expect(noSecret).rejects.toThrow(/SLACK_SIGNING_SECRET/);
  });
});

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
    expect(loadSlackConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1', SLACK_FILE_UPLOADS: 'false' })).toMatchObject({ appToken: 'xapp-1', signingSecret: null, fileUploads: false });
  });

  it('uses Socket Mode, with no HTTP route, when SLACK_APP_TOKEN is set', () => {
    const config = loadSlackConfig({ SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_APP_TOKEN: 'xapp-1-test', SLACK_API_URL: slack.url })!;
    const app = createSlackApp({ config, service: new FakeTriageService(), signingKey: KEY, identity: { botUserId: 'UBOT0001', botId: 'BBOT0001' } });
    expect(app.mode).toBe('socket');
    expect(app.router).toBeNull();
    expect(app.identity.current()).toEqual({ botUserId: 'UBOT0001', botId: 'BBOT0001', teamId: null });
  });
});
