/**
 * Each Deployment gets only the credentials its process reads, and what it gets is enough: the
 * bot's own start-up check (loadWebConfig / loadWorkerConfig, as the process runs it) passes on the environment
 * each container is given, built as the kubelet builds it from the rendered objects.
 */
import { loadWebConfig, loadWorkerConfig, type WebConfig } from '../../src/app/config';

/** A configured platform's settings, by registry name. */
const settingsOf = (config: WebConfig, name: string): any => config.platforms.find((p) => p.platform.name === name)?.settings;
import { CREDENTIALS, container, credentialsOf, deployment, render, resolveEnv, tryRender, type K8sObject, type Values } from './helm';

const SECRETS = {
  REDIS_URL: 'redis://:pw-of-the-test@redis.test:6379/0',
  TRIAGE_SIGNING_KEY: 'k'.repeat(40),
  CARACAL_ADMIN_TOKEN: `cat_${'a'.repeat(43)}`,
  CARACAL_METRICS_BEARER: 'metrics-bearer-of-the-test',
  CARACAL_COORDINATOR_TOKEN: 'coordinator-token-of-the-test',
  SLACK_BOT_TOKEN: 'xoxb-bot-token-of-the-test',
  SLACK_SIGNING_SECRET: 'slack-signing-secret-of-the-test',
  SLACK_APP_TOKEN: 'xapp-app-token-of-the-test',
  MICROSOFT_APP_PASSWORD: 'teams-password-of-the-test',
  ALERTMANAGER_TOKEN: 'alertmanager-token-of-the-test',
  INCIDENT_WEBHOOK_SECRET: 'incident-webhook-secret-of-the-test',
  PAGERDUTY_WEBHOOK_SECRET: 'pagerduty-secret-of-the-test',
  CARACAL_SINK_SECRET: 'nsk_sink-secret-of-the-test-0123',
  CARACAL_APPROVE_TOKEN: `cat_${'p'.repeat(43)}`,
  CARACAL_FIX_TOKEN: `cat_${'f'.repeat(43)}`,
  PAGERDUTY_ROUTING_KEY: 'pagerduty-routing-key-of-the-test',
  PAGERDUTY_API_TOKEN: 'pagerduty-rest-token-of-the-test',
};
const VALUES: Values = {
  config: {
    CARACAL_API_URL: 'https://caracal.example.com',
    TRIAGE_DEFAULT_CHANNEL: 'slack:C0ONCALL1',
    MICROSOFT_APP_ID: '00000000-0000-4000-8000-000000000001',
    MICROSOFT_APP_TENANT_ID: '00000000-0000-4000-8000-000000000002',
    // Escalations page PagerDuty: the worker needs the routing key, the web never calls PagerDuty.
    TRIAGE_ESCALATE: 'slack=S0ONCALL1,pagerduty',
    PAGERDUTY_FROM_EMAIL: 'triage-bot@example.com',
  },
  secrets: SECRETS,
};
const CARACAL_CREDENTIALS = ['CARACAL_ADMIN_TOKEN', 'CARACAL_METRICS_BEARER', 'CARACAL_COORDINATOR_TOKEN'];
const INCIDENT_SECRETS = ['ALERTMANAGER_TOKEN', 'INCIDENT_WEBHOOK_SECRET', 'PAGERDUTY_WEBHOOK_SECRET', 'CARACAL_SINK_SECRET'];
const ACT_TOKENS = ['CARACAL_APPROVE_TOKEN', 'CARACAL_FIX_TOKEN'];
const PAGERDUTY_CREDENTIALS = ['PAGERDUTY_ROUTING_KEY', 'PAGERDUTY_API_TOKEN'];

/** A container's environment as the process sees it (values the kubelet could not resolve left out). */
function envOf(objects: K8sObject[], component: 'web' | 'worker'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, e] of resolveEnv(objects, container(objects, component))) if (e.value !== undefined) out[name] = e.value;
  return out;
}

const objects = render(VALUES);
const credentialsIn = (env: Record<string, string>) => Object.keys(SECRETS).filter((k) => k in env).sort();

test('the web gets Redis, the signing key, the chat credentials and the incident secrets, and its start-up check passes', () => {
  const env = envOf(objects, 'web');
  expect(credentialsIn(env)).toEqual([...CREDENTIALS.web].sort());
  const config = loadWebConfig(env);
  expect(config.runtime?.redisUrl).toBe(SECRETS.REDIS_URL);
  expect(settingsOf(config, 'slack')).toMatchObject({ botToken: SECRETS.SLACK_BOT_TOKEN, signingSecret: SECRETS.SLACK_SIGNING_SECRET, appToken: SECRETS.SLACK_APP_TOKEN });
  expect(settingsOf(config, 'teams')?.bot.appPassword).toBe(SECRETS.MICROSOFT_APP_PASSWORD);
  expect(config.incidents?.secrets).toEqual({ alertmanagerToken: [SECRETS.ALERTMANAGER_TOKEN], pagerDutySecret: [SECRETS.PAGERDUTY_WEBHOOK_SECRET], incidentWebhookSecret: [SECRETS.INCIDENT_WEBHOOK_SECRET] });
  // The web verifies Caracal's sink deliveries; the tokens that act on Caracal are the worker's alone.
  expect(config.acts.sinkSecrets).toEqual([SECRETS.CARACAL_SINK_SECRET]);
  expect(ACT_TOKENS.filter((k) => k in env)).toEqual([]);
  expect(config.acts).toMatchObject({ approveToken: null, fixToken: null });
});

test('the web gets no Caracal credential: `serve` reads no Caracal setting unless it serves MCP, so they would only be exposed there', () => {
  const env = envOf(objects, 'web');
  expect(CARACAL_CREDENTIALS.filter((k) => k in env)).toEqual([]);
  // Given anyway, the web's check ignores them: nothing in the web process would use them.
  expect('caracal' in loadWebConfig({ ...env, ...SECRETS })).toBe(false);
});

test('the web gets no PagerDuty credential (the worker pages PagerDuty), and starts with escalations that ask for it', () => {
  const env = envOf(objects, 'web');
  expect(PAGERDUTY_CREDENTIALS.filter((k) => k in env)).toEqual([]);
  expect(loadWebConfig(env).followUp.escalateDefault).toEqual({ mentions: [{ platform: 'slack', id: 'S0ONCALL1' }], pagerduty: true });
});

test('the worker gets Redis, the signing key, the Caracal, chat and PagerDuty credentials, no incident secret, and its start-up check passes', () => {
  const env = envOf(objects, 'worker');
  expect(credentialsIn(env)).toEqual([...CREDENTIALS.worker].sort());
  // Only the web serves /hooks/* (src/app/processes.ts reads config.incidents in the web half only).
  expect(INCIDENT_SECRETS.filter((k) => k in env)).toEqual([]);
  const config = loadWorkerConfig(env);
  expect(config.caracal).toMatchObject({ adminToken: SECRETS.CARACAL_ADMIN_TOKEN, metricsBearer: SECRETS.CARACAL_METRICS_BEARER, coordinatorToken: SECRETS.CARACAL_COORDINATOR_TOKEN });
  expect(config.acts).toMatchObject({ approveToken: SECRETS.CARACAL_APPROVE_TOKEN, fixToken: SECRETS.CARACAL_FIX_TOKEN, sinkSecrets: [] });
  expect(settingsOf(config, 'slack')?.botToken).toBe(SECRETS.SLACK_BOT_TOKEN);
  expect(settingsOf(config, 'teams')?.bot.appPassword).toBe(SECRETS.MICROSOFT_APP_PASSWORD);
  expect(config.followUp.pagerduty?.routingKey).toBe(SECRETS.PAGERDUTY_ROUTING_KEY);
  expect(config.followUp.notes).toMatchObject({ token: SECRETS.PAGERDUTY_API_TOKEN, from: 'triage-bot@example.com' });
});

test("the worker's Slack check refuses a bot token without a signing secret or app token, which is why the worker gets them", () => {
  const env = envOf(objects, 'worker');
  delete env.SLACK_SIGNING_SECRET;
  delete env.SLACK_APP_TOKEN;
  expect(() => loadWorkerConfig(env)).toThrow(/SLACK_SIGNING_SECRET/);
});

test('with the admin token in a file of its own Secret, only workers mount it', () => {
  const files = render({ ...VALUES, secrets: { ...SECRETS, CARACAL_ADMIN_TOKEN: '' }, adminTokenFile: { secretName: 'caracal-admin', key: 'token' } });
  expect(envOf(files, 'worker').CARACAL_ADMIN_TOKEN_FILE).toMatch(/\/token$/);
  expect('CARACAL_ADMIN_TOKEN_FILE' in envOf(files, 'web')).toBe(false);
  expect(JSON.stringify(deployment(files, 'web'))).not.toContain('caracal-admin');
});

test('a credential change rolls only the pods that read it', () => {
  const checksum = (secrets: Record<string, string>, component: 'web' | 'worker') =>
    deployment(render({ ...VALUES, secrets: { ...SECRETS, ...secrets } }), component).spec.template.metadata.annotations['checksum/secret'];
  const before = { web: checksum({}, 'web'), worker: checksum({}, 'worker') };
  const changed = (secrets: Record<string, string>) => ({ web: checksum(secrets, 'web') !== before.web, worker: checksum(secrets, 'worker') !== before.worker });
  expect(changed({ CARACAL_ADMIN_TOKEN: `cat_${'b'.repeat(43)}` })).toEqual({ web: false, worker: true });
  expect(changed({ ALERTMANAGER_TOKEN: 'another-alertmanager-token' })).toEqual({ web: true, worker: false });
  expect(changed({ PAGERDUTY_ROUTING_KEY: 'another-routing-key-of-the-test' })).toEqual({ web: false, worker: true });
  expect(changed({ CARACAL_FIX_TOKEN: `cat_${'g'.repeat(43)}` })).toEqual({ web: false, worker: true });
  expect(changed({ CARACAL_SINK_SECRET: 'nsk_another-sink-secret-of-the-test' })).toEqual({ web: true, worker: false });
  expect(changed({ REDIS_URL: 'redis://:another@redis.test:6379/0' })).toEqual({ web: true, worker: true });
});

describe('with mcp.enabled (POST /mcp on the web pods)', () => {
  const MCP_TOKEN = 'mcp-token-of-the-chart-test-0123456789';
  const withMcp: Values = { ...VALUES, secrets: { ...SECRETS, MCP_TOKEN }, mcp: { enabled: true } };

  test('the web also gets MCP_TOKEN and the Caracal credentials its tools read, and its start-up check serves MCP with them', () => {
    const env = envOf(render(withMcp), 'web');
    expect(Object.keys(env).filter((k) => k in SECRETS || k === 'MCP_TOKEN').sort()).toEqual([...credentialsOf('web', true)].sort());
    const config = loadWebConfig(env);
    expect(config.mcp).toMatchObject({ token: MCP_TOKEN, caracal: { adminToken: SECRETS.CARACAL_ADMIN_TOKEN, metricsBearer: SECRETS.CARACAL_METRICS_BEARER, coordinatorToken: SECRETS.CARACAL_COORDINATOR_TOKEN } });
    // Serving MCP reads Caracal, never acts on it: the act tokens stay the worker's.
    expect(ACT_TOKENS.filter((k) => k in env)).toEqual([]);
    // The worker's share is unchanged: it serves no MCP.
    expect(credentialsIn(envOf(render(withMcp), 'worker'))).toEqual([...CREDENTIALS.worker].sort());
  });

  test('the web then mounts the admin token file too', () => {
    const files = render({ ...withMcp, secrets: { ...SECRETS, MCP_TOKEN, CARACAL_ADMIN_TOKEN: '' }, adminTokenFile: { secretName: 'caracal-admin', key: 'token' } });
    const env = envOf(files, 'web');
    expect(env.CARACAL_ADMIN_TOKEN_FILE).toMatch(/\/token$/);
    expect(JSON.stringify(deployment(files, 'web'))).toContain('caracal-admin');
  });

  test('a Caracal credential change then rolls the web pods as well', () => {
    const checksum = (values: Values) => deployment(render(values), 'web').spec.template.metadata.annotations['checksum/secret'];
    expect(checksum({ ...withMcp, secrets: { ...SECRETS, MCP_TOKEN, CARACAL_ADMIN_TOKEN: `cat_${'b'.repeat(43)}` } })).not.toBe(checksum(withMcp));
  });

  test('secrets.MCP_TOKEN without mcp.enabled is refused, naming both', () => {
    expect(tryRender({ ...VALUES, secrets: { ...SECRETS, MCP_TOKEN } }).error).toMatch(/secrets\.MCP_TOKEN is set but mcp\.enabled is false/);
  });
});
