/**
 * The chart's Gateway refusal alerts (calls Caracal's Gateway refuses before STS, which leave no
 * audit row) in the alert catalogue: each rule the chart renders is known, with its surface,
 * severity and first action; and one of them, fired into a real Alertmanager exactly as the rule
 * labels it, reaches the bot by the existing Alertmanager path as one triage per alert group, at
 * its surface, in the channel the routes name, with its first action on the card.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GATEWAY_REFUSAL_ALERT_NAMES, guideForAlert, isCaracalAlert } from '../../src/incidents/catalogue';
import { parseAlertmanagerWebhook } from '../../src/incidents/payloads/alertmanager';
import { triageForAlertGroup } from '../../src/incidents/from-alertmanager';
import { BUNDLE_ITEM_IDS, STEP_IDS, type Surface } from '../../src/triage/model';
import { FULLNAME, find, render, type K8sObject } from '../deploy/helm';
import { startAlertmanager, type TestAlertmanager } from '../support/alertmanager';
import { type SlackStack, startSlackStack } from '../adapters/slack/stack';
import { readThreads } from '../adapters/slack/threads';

interface Rule {
  alert: string;
  expr: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

const RUNBOOK_BASE = 'https://git.example.com/ops/caracal-triage/blob/main/README.md';
const prometheusRule = find(render({ metrics: { prometheusRule: { enabled: true, runbookBaseUrl: RUNBOOK_BASE, gatewayRefusals: { enabled: true, selector: 'namespace="caracal"' } } } }), 'PrometheusRule', FULLNAME) as K8sObject & {
  spec: { groups: Array<{ name: string; rules: Rule[] }> };
};
const RULES = prometheusRule.spec.groups.find((g) => g.name === 'caracal-gateway-refusals')?.rules ?? [];
const rule = (alert: string): Rule => RULES.find((r) => r.alert === alert) ?? (() => { throw new Error(`no rule ${alert}`); })();

/** Which surface each refusal counter points at, and why (the catalogue's first action says it too). */
const SURFACES: Array<[string, string, Surface]> = [
  ['missing_auth', 'CaracalGatewayMissingAuthRefusals', 'authentication'],
  ['bad_bearer', 'CaracalGatewayBadBearerRefusals', 'authentication'],
  ['expiring', 'CaracalGatewayExpiringTokenRefusals', 'authentication'],
  ['signature', 'CaracalGatewaySignatureRefusals', 'authentication'],
  // The triage reads the Gateway's replay guard as the verifier's finding (src/triage/diagnosis.ts).
  ['jti_replay', 'CaracalGatewayJtiReplayRefusals', 'resource_verifier'],
  ['revoked', 'CaracalGatewayRevokedRefusals', 'revocation'],
  ['revocation_stale', 'CaracalGatewayRevocationStaleRefusals', 'revocation'],
  ['bad_routing', 'CaracalGatewayBadRoutingRefusals', 'resource_verifier'],
  ['path_traversal', 'CaracalGatewayPathTraversalRefusals', 'resource_verifier'],
];

describe('the catalogue knows every Gateway refusal alert the chart renders', () => {
  test('one rule per refusal counter, and the catalogue holds exactly those names', () => {
    expect(RULES.map((r) => r.alert).sort()).toEqual([...GATEWAY_REFUSAL_ALERT_NAMES].sort());
    expect(RULES.map((r) => /caracal_gateway_denials_([a-z_]+)_total/.exec(r.expr)?.[1]).sort()).toEqual(SURFACES.map(([counter]) => counter).sort());
  });

  test.each(SURFACES)('%s → %s at %s', (counter, alert, surface) => {
    const r = rule(alert);
    expect(r.expr).toContain(`caracal_gateway_denials_${counter}_total{namespace="caracal"}`);
    const g = guideForAlert(alert);
    expect(isCaracalAlert(alert)).toBe(true);
    expect(g).toMatchObject({ alertname: alert, surface, component: r.labels.component, severity: r.labels.severity });
    // The rule's summary is the catalogue's, with the count Prometheus fills in.
    expect(r.annotations.summary.startsWith(`${g.summary} (`)).toBe(true);
    expect(g.firstAction).toMatch(/^[A-Z].{30,240}\.$/);
    for (const s of g.steps) expect(STEP_IDS).toContain(s);
    expect(g.steps).toContain('gateway_verifier');
    for (const i of g.bundleItems) expect(BUNDLE_ITEM_IDS).toContain(i);
    // The catalogue does not know where an install serves the README: the rule's own link is used.
    expect(g.runbookUrl).toBeNull();
    expect(r.annotations.runbook_url).toBe(`${RUNBOOK_BASE}#${alert.toLowerCase()}`);
  });

  test('each first action says why the refusal belongs to its surface', () => {
    for (const [, alert, surface] of SURFACES) {
      const action = guideForAlert(alert).firstAction;
      if (surface === 'authentication') expect({ alert, says: /authentication/.test(action) }).toEqual({ alert, says: true });
      if (surface === 'resource_verifier') expect({ alert, says: /(verifier|route layer)/.test(action) }).toEqual({ alert, says: true });
      if (surface === 'revocation') expect({ alert, says: /revocation/.test(action) }).toEqual({ alert, says: true });
    }
  });

  test('an Alertmanager notice for one of them gives that guide, with the rule\'s runbook link on the alert', () => {
    const r = rule('CaracalGatewaySignatureRefusals');
    const labels = { alertname: r.alert, ...r.labels, namespace: 'caracal' };
    const annotations = { ...r.annotations, summary: r.annotations.summary.replace('{{ $value | humanize }}', '12') };
    const body = {
      receiver: 'caracal-triage', status: 'firing', version: '4', groupKey: `{}:{alertname="${r.alert}"}`, truncatedAlerts: 0, externalURL: 'http://127.0.0.1:9093',
      groupLabels: { alertname: r.alert }, commonLabels: labels, commonAnnotations: annotations,
      alerts: [{ status: 'firing', labels, annotations, startsAt: '2026-12-01T21:01:34.61Z', endsAt: '0001-01-01T00:00:00Z', generatorURL: 'http://127.0.0.1:9090/graph', fingerprint: '0123456789abcdef' }],
    };
    const parsed = parseAlertmanagerWebhook(Buffer.from(JSON.stringify(body)));
    if (!parsed.ok) throw new Error(parsed.message);
    const t = triageForAlertGroup(parsed.value);
    expect(t.guide).toMatchObject({ alertname: r.alert, surface: 'authentication', firstAction: guideForAlert(r.alert).firstAction });
    expect(t.steps[0]).toBe('gateway_verifier');
    expect(t.routing).toMatchObject({ alertname: r.alert, component: 'gateway', severity: 'warning' });
    expect(t.alerts[0].runbookUrl).toBe(`${RUNBOOK_BASE}#caracalgatewaysignaturerefusals`);
  });
});

describe('fired into a real Alertmanager, a replay alert opens one triage at its surface, where the routes send it', () => {
  const TOKEN = 'gateway-refusals-token-0123456789';
  let dir: string;
  let stack: SlackStack;
  let am: TestAlertmanager;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gateway-refusals-'));
    const routes = join(dir, 'routes.yaml');
    writeFileSync(routes, 'version: 1\nroutes:\n  - name: gateway-security\n    match: { alertname: [CaracalGatewayJtiReplayRefusals] }\n    to: slack:C0SECURITY1\n');
    stack = await startSlackStack({ scenario: 'replayed_mandate', incidentEnv: { ALERTMANAGER_TOKEN: TOKEN, TRIAGE_ROUTES_FILE: routes, TRIAGE_DEFAULT_CHANNEL: 'slack:C0ONCALL1' } });
    am = await startAlertmanager({ webhookUrl: `${stack.base}/hooks/alertmanager`, bearerToken: TOKEN, groupBy: ['alertname', 'namespace'] });
  }, 40_000);
  afterAll(async () => {
    await am?.stop();
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('one card in the security channel with the first action; a second Gateway pod in the group updates it', async () => {
    const r = rule('CaracalGatewayJtiReplayRefusals');
    const fired = (pod: string) => ({
      labels: { alertname: r.alert, ...r.labels, namespace: 'caracal', pod },
      annotations: { ...r.annotations, summary: r.annotations.summary.replace('{{ $value | humanize }}', '1') },
      startsAt: new Date(Date.now() - 60_000).toISOString(),
    });
    const cards = () => readThreads(stack.slack, 'C0SECURITY1');
    await am.postAlerts([fired('gateway-0')]);
    await stack.slack.waitFor(() => cards().length === 1, 20_000);
    const card = cards()[0];
    const record = await stack.service.get(card.triageId);
    expect(record?.incident).toMatchObject({ source: 'alertmanager', surface: 'resource_verifier', firstAction: guideForAlert(r.alert).firstAction, runbookUrl: null });
    expect(String(card.card.blocks)).toContain('First action:* Treat this as a possible stolen token');
    expect(readThreads(stack.slack, 'C0ONCALL1')).toHaveLength(0);

    await am.postAlerts([fired('gateway-1')]);
    await stack.slack.waitFor(() => (String(cards()[0]?.card.blocks).match(/CaracalGatewayJtiReplayRefusals/g) ?? []).length >= 3, 20_000);
    expect(cards()).toHaveLength(1);
  }, 60_000);
});
