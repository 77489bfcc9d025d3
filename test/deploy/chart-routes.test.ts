/**
 * The incident routes a chart install gives the bot: every example under the chart's ci/ is
 * rendered, its routes file taken from the rendered ConfigMap and loaded by the bot's own
 * routes loader and start-up check, with the platforms that example configures; it must load
 * with no problem and no warning. values.schema.json refuses what the loader refuses, so a
 * wrong routes entry fails `helm install` / `helm template` / `helm lint` rather than a pod.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadWebConfig } from '../../src/app/config';
import { platformsInUse } from '../../src/app/platforms';
import { ConfigError } from '../../src/config/problems';
import { parseRoutes } from '../../src/incidents/routes/load';
import { CHART, container, deployment, find, helmRun, render, resolveEnv, tryRender, type K8sObject, type Values } from './helm';

const CI_DIR = join(CHART, 'ci');
const STAND_INS: Record<string, string> = { REDIS_URL: 'redis://redis.test:6379', SLACK_BOT_TOKEN: 'xoxb-stand-in', SLACK_APP_TOKEN: 'xapp-stand-in' };
const EXAMPLES = readdirSync(CI_DIR).filter((f) => f.endsWith('.yaml'));

/** The routes file the web pod reads: the ConfigMap key mounted where TRIAGE_ROUTES_FILE points. */
function renderedRoutes(objects: K8sObject[]): { path: string; text: string } | null {
  const c = container(objects, 'web');
  const path = resolveEnv(objects, c).get('TRIAGE_ROUTES_FILE')?.value;
  if (!path) return null;
  const mount = (c.volumeMounts ?? []).find((m) => path.startsWith(`${m.mountPath}/`));
  const volume = (deployment(objects, 'web').spec.template.spec.volumes ?? []).find((v) => v.name === mount?.name);
  const item = volume?.configMap?.items?.find((i) => `${mount?.mountPath}/${i.path}` === path);
  const cm = find(objects, 'ConfigMap', volume?.configMap?.name ?? '(none)') as K8sObject & { data: Record<string, string> };
  return { path, text: cm.data[item?.key ?? '(none)'] };
}

/**
 * The web pod's environment as plain values. Credentials in an existingSecret are not rendered:
 * a stand-in of the right shape for each key the pod references.
 */
function plainEnv(objects: K8sObject[]): Record<string, string> {
  const plain: Record<string, string> = {};
  for (const [name, e] of resolveEnv(objects, container(objects, 'web'))) {
    if (e.value !== undefined) plain[name] = e.value;
    else if (e.source === 'secret') plain[name] = STAND_INS[name] ?? `stand-in-for-${name}-0123456789`;
  }
  return plain;
}

/** The chat platforms the web pod would run: those whose key setting it is given. */
function platformsOf(env: Record<string, string>) {
  return platformsInUse([...(env.SLACK_BOT_TOKEN ? ['slack'] : []), ...(env.MICROSOFT_APP_ID !== undefined ? ['teams'] : [])]);
}

test('there are examples to check', () => {
  expect(EXAMPLES.length).toBeGreaterThan(0);
});

describe.each(EXAMPLES)('ci/%s', (example) => {
  const objects = render(parse(readFileSync(join(CI_DIR, example), 'utf8')) as Values);
  const env = plainEnv(objects);
  const routes = renderedRoutes(objects);

  test('passes helm lint --strict', () => {
    const r = helmRun(['lint', '--strict', CHART, '-f', join(CI_DIR, example)]);
    expect({ status: r.status, out: r.stdout.includes('0 chart(s) failed') }).toEqual({ status: 0, out: true });
  });

  test("its routes file loads with the bot's own loader: no problem, no warning", () => {
    if (!routes) throw new Error(`${example} routes nothing through a file: give it routes, so the example shows them`);
    const r = parseRoutes(routes.text, { file: routes.path, platforms: platformsOf(env), defaultChannel: env.TRIAGE_DEFAULT_CHANNEL });
    expect(r.ok ? { ok: true, warnings: r.warnings } : { ok: false, problems: r.errors.map((e) => e.message) }).toEqual({ ok: true, warnings: [] });
  });

  test("the web pod's start-up check passes with it (settings from the rendered objects, the routes file as mounted)", () => {
    const dir = mkdtempSync(join(tmpdir(), 'chart-routes-'));
    try {
      const plain = { ...env, TRIAGE_ROUTES_FILE: join(dir, 'routes.yaml') };
      writeFileSync(plain.TRIAGE_ROUTES_FILE, routes?.text ?? '');
      let problems: string[] = [];
      try {
        const config = loadWebConfig(plain);
        problems = config.incidents?.warnings ?? [];
      } catch (e) {
        problems = e instanceof ConfigError ? [e.message] : [String(e)];
      }
      expect(problems).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a routes entry the bot would refuse is refused by the chart first', () => {
  /** `channel:` instead of `to:`, as the Teams example once had: the bot exits 2 at start with it. */
  const WRONG = [{ match: { service: 'payments' }, channel: 'slack:C0123456789' }];

  test('the bot refuses it: `to` is required and `channel` is an unknown key', () => {
    const r = parseRoutes(`version: 1\nroutes:\n  - match: { service: payments }\n    channel: slack:C0123456789\n`, { file: 'routes.yaml', platforms: platformsInUse(['slack']) });
    expect(r.ok).toBe(false);
    const messages = r.ok ? [] : r.errors.map((e) => e.message).join('\n');
    expect(messages).toMatch(/routes\[0\] \(line 3\): to: is required/);
    expect(messages).toMatch(/routes\[0\] \(line 3\): channel: unknown key \(expected name, match, to, escalate\)/);
  });

  test('helm template and helm lint refuse it, naming the entry and the key', () => {
    const r = tryRender({ routes: { routes: WRONG } });
    expect(r.error).toContain("at '/routes/routes/0': missing property 'to'");
    expect(r.error).toContain("additional properties 'channel' not allowed");
    const dir = mkdtempSync(join(tmpdir(), 'chart-routes-'));
    try {
      const file = join(dir, 'values.yaml');
      writeFileSync(file, JSON.stringify({ routes: { routes: WRONG } }));
      const lint = helmRun(['lint', '--strict', CHART, '-f', file]);
      expect(lint.status).not.toBe(0);
      expect(`${lint.stdout}${lint.stderr}`).toContain("additional properties 'channel' not allowed");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test.each([
    [{ to: 'slack:C0123456789', match: { severty: 'critical' } }, "/routes/routes/0/match", "additional properties 'severty' not allowed"],
    [{ to: 'slack:general' }, '/routes/routes/0/to', 'does not match pattern'],
    [{ to: 'email:oncall@example.com' }, '/routes/routes/0/to', 'does not match pattern'],
    [{ to: 'slack:C0123456789', match: { source: 'generic' } }, '/routes/routes/0/match/source', "'oneOf' failed"],
    [{ to: 'slack:C0123456789', match: { alertname: [] } }, '/routes/routes/0/match/alertname', "'oneOf' failed"],
    [{ to: 'slack:C0123456789', match: { zone: 7 } }, '/routes/routes/0/match/zone', "'oneOf' failed"],
    [{ to: 'slack:C0123456789', name: '' }, '/routes/routes/0/name', 'minLength'],
    [{ to: 'slack:C0123456789', escalate: { slack: 'oncall' } }, '/routes/routes/0/escalate/slack', 'does not match pattern'],
    [{ to: 'slack:C0123456789', escalate: { email: 'ops@example.com' } }, '/routes/routes/0/escalate', "additional properties 'email' not allowed"],
    [{ to: 'slack:C0123456789', escalate: {} }, '/routes/routes/0/escalate', 'minProperties'],
    [{ to: 'slack:C0123456789', escalate: { pagerduty: 'always' } }, '/routes/routes/0/escalate/pagerduty', 'got string, want boolean'],
    [{ to: 'slack:C0123456789', escalate: { teams: '00000000-0000-4000-8000-000000000001' } }, '/routes/routes/0/escalate', "'not' failed"],
    [{ to: 'teams:19:abc123@thread.tacv2', escalate: { slack: 'S0ONCALL1' } }, '/routes/routes/0/escalate', "'not' failed"],
    [{ to: 'teams:19:abc123@thread.tacv2', escalate: { teams: { id: '00000000-0000-4000-8000-000000000001', name: '<at>x</at>' } } }, '/routes/routes/0/escalate/teams', "'oneOf' failed"],
  ])('%j is refused by the schema (%s) and by the bot', (entry, where, why) => {
    const r = tryRender({ routes: { routes: [entry] } });
    expect(r.error).toContain(where);
    expect(r.error).toContain(why);
    const bot = parseRoutes(JSON.stringify({ routes: [entry] }), { file: 'routes.yaml', platforms: platformsInUse(['slack', 'teams']) });
    expect(bot.ok).toBe(false);
  });

  test('what the bot accepts, the schema accepts: any case of the scheme and source, a value or a list, a null match', () => {
    const entries = [
      { name: 'a', match: { source: ['Alertmanager', 'pagerduty'], alertname: 'CaracalAuditDLQGrowth', severity: ['critical'], component: 'audit', service: 'PSVC1', zone: 'zone-prod' }, to: 'Slack:C0123456789' },
      { match: null, to: 'teams:19:abc123@thread.tacv2', escalate: { teams: { id: '00000000-0000-4000-8000-000000000001', name: 'Payments on-call' }, pagerduty: true } },
      { to: 'slack:C0123456789', escalate: { slack: 'U0ONCALL1' } },
    ];
    const objects = render({ config: { MICROSOFT_APP_ID: '00000000-0000-4000-8000-000000000001', MICROSOFT_APP_TYPE: 'MultiTenant' }, secrets: { SLACK_BOT_TOKEN: 'xoxb-1', MICROSOFT_APP_PASSWORD: 'p' }, routes: { routes: entries } });
    const routes = renderedRoutes(objects)!;
    const r = parseRoutes(routes.text, { file: routes.path, platforms: platformsInUse(['slack', 'teams']) });
    expect(r.ok && r.table.routes.map((x) => x.to)).toEqual([
      { platform: 'slack', channel: 'C0123456789' },
      { platform: 'teams', conversationId: '19:abc123@thread.tacv2' },
      { platform: 'slack', channel: 'C0123456789' },
    ]);
    expect(r.ok && r.table.routes.map((x) => x.escalate)).toEqual([
      null,
      { mentions: [{ platform: 'teams', id: '00000000-0000-4000-8000-000000000001', name: 'Payments on-call' }], pagerduty: true },
      { mentions: [{ platform: 'slack', id: 'U0ONCALL1' }], pagerduty: false },
    ]);
  });
});
