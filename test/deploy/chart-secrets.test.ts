/**
 * Each Deployment gets only the credentials its process reads, and what it gets is enough: the
 * bot's own start-up check (loadWebConfig / loadWorkerConfig, as the process runs it) passes on the environment
 * each container is given, built as the kubelet builds it from the rendered objects.
 */
import { loadWebConfig, loadWorkerConfig, type WebConfig } from '../../src/app/config';

/** A configured platform's settings, by registry name. */
const settingsOf = (config: WebConfig, name: string): any => config.platforms.find((p) => p.platform.name === name)?.settings;
import { CREDENTIALS, container, deployment, render, resolveEnv, type K8sObject, type Values } from './helm';

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
};
const VALUES: Values = {
  config: {
    CARACAL_API_URL: 'https://caracal.example.com',
    TRIAGE_DEFAULT_CHANNEL: 'slack:C0ONCALL1',
    MICROSOFT_APP_ID: '00000000-0000-4000-8000-000000000001',
    MICROSOFT_APP_TENANT_ID: '00000000-0000-4000-8000-000000000002',
  },
  secrets: SECRETS,
};
const CARACAL_CREDENTIALS = ['CARACAL_ADMIN_TOKEN', 'CARACAL_METRICS_BEARER', 'CARACAL_COORDINATOR_TOKEN'];
const INCIDENT_SECRETS = ['ALERTMANAGER_TOKEN', 'INCIDENT_WEBHOOK_SECRET', 'PAGERDUTY_WEBHOOK_SECRET', 'CARACAL_SINK_SECRET'];
const ACT_TOKENS = ['CARACAL_APPROVE_TOKEN', 'CARACAL_FIX_TOKEN'];

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

test('the web gets no Caracal credential: `serve` never reads Caracal settings, so they would only be exposed there', () => {
  const env = envOf(objects, 'web');
  expect(CARACAL_CREDENTIALS.filter((k) => k in env)).toEqual([]);
  // Given anyway, the web's check ignores them: nothing in the web process would use them.
  expect('caracal' in loadWebConfig({ ...env, ...SECRETS })).toBe(false);
});

test('the worker gets Redis, the signing key, the Caracal and chat credentials, no incident secret, and its start-up check passes', () => {
  const env = envOf(objects, 'worker');
  expect(credentialsIn(env)).toEqual([...CREDENTIALS.worker].sort());
  // Only the web serves /hooks/* (src/app/processes.ts reads config.incidents in the web half only).
  expect(INCIDENT_SECRETS.filter((k) => k in env)).toEqual([]);
  const config = loadWorkerConfig(env);
  expect(config.caracal).toMatchObject({ adminToken: SECRETS.CARACAL_ADMIN_TOKEN, metricsBearer: SECRETS.CARACAL_METRICS_BEARER, coordinatorToken: SECRETS.CARACAL_COORDINATOR_TOKEN });
  expect(config.acts).toMatchObject({ approveToken: SECRETS.CARACAL_APPROVE_TOKEN, fixToken: SECRETS.CARACAL_FIX_TOKEN, sinkSecrets: [] });
  expect(settingsOf(config, 'slack')?.botToken).toBe(SECRETS.SLACK_BOT_TOKEN);
  expect(settingsOf(config, 'teams')?.bot.appPassword).toBe(SECRETS.MICROSOFT_APP_PASSWORD);
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
  expect(changed({ REDIS_URL: 'redis://:another@redis.test:6379/0' })).toEqual({ web: true, worker: true });
});
