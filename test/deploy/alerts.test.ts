/**
 * The chart's alert rules, run by Prometheus' own rule engine (promtool, from Debian's
 * `prometheus` package through .ci/fetch-tool): they parse, and they fire on the series the bot
 * exports, as Prometheus stores them after a scrape by the chart's ServiceMonitor (target labels
 * namespace and job; the BullMQ job is the bot's own `job_name` label), and only for this release.
 * The optional Gateway refusal rules fire on Caracal's Gateway counters, for the Gateways their
 * selector names. Every alert links its runbook: a heading of the README's "Alerts" section.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { CHART, FULLNAME, NAMESPACE, ROOT, find, render, type K8sObject } from './helm';

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const promtool = process.env.PROMTOOL || execFileSync('bash', [join(ROOT, '.ci', 'fetch-tool'), 'promtool'], { encoding: 'utf8' }).trim();
const RUNBOOK_BASE = 'https://git.example.com/ops/caracal-triage/blob/main/README.md';
const ON = { metrics: { prometheusRule: { enabled: true, runbookBaseUrl: RUNBOOK_BASE, gatewayRefusals: { enabled: true, selector: 'namespace="caracal"' } } } };
const rule = find(render(ON), 'PrometheusRule', FULLNAME) as K8sObject & { spec: { groups: Array<{ name: string; rules: Rule[] }> } };
const allRules = rule.spec.groups.flatMap((g) => g.rules);

const WEB = `namespace="${NAMESPACE}",job="${FULLNAME}-web"`;
const WORKER = `namespace="${NAMESPACE}",job="${FULLNAME}-worker"`;
const OTHER_RELEASE = `namespace="elsewhere",job="other-caracal-triage-worker"`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'alerts-'));
  writeFileSync(join(dir, 'rules.yaml'), stringify({ groups: rule.spec.groups }));
  // promtool compares annotations verbatim; the unit tests below are about when alerts fire.
  writeFileSync(join(dir, 'rules-no-annotations.yaml'), stringify({ groups: rule.spec.groups.map((g) => ({ ...g, rules: g.rules.map(({ annotations: _a, ...r }) => r) })) }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function promtoolTest(tests: unknown[]): { status: number | null; output: string } {
  const file = join(dir, 'tests.yaml');
  writeFileSync(file, stringify({ rule_files: ['rules-no-annotations.yaml'], evaluation_interval: '1m', tests }));
  const r = spawnSync(promtool, ['test', 'rules', file], { encoding: 'utf8', cwd: dir });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

const alerts = (alertname: string, evalTime: string, expected: Array<Record<string, string>>) => ({ eval_time: evalTime, alertname, exp_alerts: expected.map((l) => ({ exp_labels: l })) });

test('every rule, annotations included, is valid for Prometheus', () => {
  const r = spawnSync(promtool, ['check', 'rules', join(dir, 'rules.yaml')], { encoding: 'utf8' });
  expect(`${r.stdout}${r.stderr}`).toMatch(/SUCCESS: 16 rules found/);
  expect(r.status).toBe(0);
});

test.each([
  [
    'job failures: a job failed for good fires, retries do not',
    {
      interval: '1m',
      input_series: [
        { series: `caracal_triage_jobs_total{${WORKER},queue="post",job_name="post-card",outcome="failed"}`, values: '0x5 1x30' },
        { series: `caracal_triage_jobs_total{${WORKER},queue="collect",job_name="collect",outcome="retry"}`, values: '0+3x35' },
        { series: `caracal_triage_jobs_total{${OTHER_RELEASE},queue="post",job_name="post-card",outcome="failed"}`, values: '0+1x35' },
      ],
      alert_rule_test: [alerts('CaracalTriageJobFailures', '4m', []), alerts('CaracalTriageJobFailures', '10m', [{ queue: 'post', job_name: 'post-card', severity: 'warning' }]), alerts('CaracalTriageJobFailures', '30m', [])],
    },
  ],
  [
    '429 storm: more than 10 rate-limited calls a minute for 10 minutes',
    {
      interval: '1m',
      input_series: [
        { series: `caracal_triage_chat_calls_total{${WORKER},platform="slack",method="chat.postMessage",outcome="rate_limited"}`, values: '0+20x30' },
        { series: `caracal_triage_chat_calls_total{${WORKER},platform="teams",method="sendActivity",outcome="rate_limited"}`, values: '0+2x30' },
        { series: `caracal_triage_chat_calls_total{${WORKER},platform="teams",method="sendActivity",outcome="ok"}`, values: '0+500x30' },
      ],
      alert_rule_test: [alerts('CaracalTriageChatRateLimited', '8m', []), alerts('CaracalTriageChatRateLimited', '20m', [{ platform: 'slack', severity: 'warning' }])],
    },
  ],
  [
    'audit append failures: one failure is critical',
    {
      interval: '1m',
      input_series: [{ series: `caracal_triage_audit_append_failures_total{${WEB},pod="web-1"}`, values: '0x10 1x10' }],
      alert_rule_test: [alerts('CaracalTriageAuditAppendFailures', '9m', []), alerts('CaracalTriageAuditAppendFailures', '12m', [{ severity: 'critical' }])],
    },
  ],
  [
    'queue backlog: more than 50 waiting jobs for 10 minutes, counted once however many web pods report the queue',
    {
      interval: '1m',
      input_series: [
        { series: `caracal_triage_queue_jobs{${WEB},pod="web-1",queue="collect",state="waiting"}`, values: '120x30' },
        { series: `caracal_triage_queue_jobs{${WEB},pod="web-2",queue="collect",state="waiting"}`, values: '120x30' },
        { series: `caracal_triage_queue_jobs{${WEB},pod="web-1",queue="post",state="waiting"}`, values: '30x30' },
        { series: `caracal_triage_queue_jobs{${WEB},pod="web-1",queue="post",state="delayed"}`, values: '900x30' },
      ],
      alert_rule_test: [alerts('CaracalTriageQueueBacklog', '5m', []), alerts('CaracalTriageQueueBacklog', '15m', [{ queue: 'collect', severity: 'warning' }])],
    },
  ],
  [
    'slow acks: p99 over 2 s for 10 minutes',
    {
      interval: '1m',
      input_series: [
        { series: `caracal_triage_ack_seconds_bucket{${WEB},platform="slack",kind="command",le="1"}`, values: '0+1x30' },
        { series: `caracal_triage_ack_seconds_bucket{${WEB},platform="slack",kind="command",le="2.5"}`, values: '0+2x30' },
        { series: `caracal_triage_ack_seconds_bucket{${WEB},platform="slack",kind="command",le="3"}`, values: '0+100x30' },
        { series: `caracal_triage_ack_seconds_bucket{${WEB},platform="slack",kind="command",le="+Inf"}`, values: '0+100x30' },
        { series: `caracal_triage_ack_seconds_bucket{${WEB},platform="teams",kind="command",le="1"}`, values: '0+100x30' },
        { series: `caracal_triage_ack_seconds_bucket{${WEB},platform="teams",kind="command",le="+Inf"}`, values: '0+100x30' },
      ],
      alert_rule_test: [alerts('CaracalTriageSlowAck', '20m', [{ platform: 'slack', severity: 'warning' }])],
    },
  ],
  [
    'web down: no web target up for 5 minutes',
    {
      interval: '1m',
      input_series: [
        { series: `up{${WEB},pod="web-1"}`, values: '1x5 0x20' },
        { series: `up{${WORKER},pod="worker-1"}`, values: '1x25' },
      ],
      alert_rule_test: [alerts('CaracalTriageWebDown', '4m', []), alerts('CaracalTriageWebDown', '8m', []), alerts('CaracalTriageWebDown', '12m', [{ severity: 'critical' }])],
    },
  ],
  [
    'workers down: no worker target up for 5 minutes, while web pods still answer',
    {
      interval: '1m',
      input_series: [
        { series: `up{${WEB},pod="web-1"}`, values: '1x25' },
        { series: `up{${WORKER},pod="worker-1"}`, values: '1x5 0x20' },
        { series: `up{${WORKER},pod="worker-2"}`, values: '1x8 0x17' },
        { series: `up{${OTHER_RELEASE},pod="worker-9"}`, values: '1x25' },
      ],
      alert_rule_test: [alerts('CaracalTriageWorkersDown', '7m', []), alerts('CaracalTriageWorkersDown', '12m', []), alerts('CaracalTriageWorkersDown', '15m', [{ severity: 'critical' }])],
    },
  ],
])('%s', (_label, test) => {
  const r = promtoolTest([test]);
  expect(r.output).toContain('SUCCESS');
  expect(r.status).toBe(0);
});

test('a wrong expectation is reported as a failure (the harness can fail)', () => {
  const r = promtoolTest([
    {
      interval: '1m',
      input_series: [{ series: `caracal_triage_audit_append_failures_total{${WEB}}`, values: '0x30' }],
      alert_rule_test: [alerts('CaracalTriageAuditAppendFailures', '20m', [{ severity: 'critical' }])],
    },
  ]);
  expect(r.status).not.toBe(0);
  expect(r.output).toContain('FAILED');
});

// ---- Caracal's Gateway refusal counters ----------------------------------------------------------

const GATEWAY = 'namespace="caracal",job="caracal-gateway"';
const OTHER_GATEWAY = 'namespace="staging",job="caracal-gateway"';
/** The refusal rules' defaults, as values.yaml gives them. */
const REFUSAL_DEFAULTS = (parse(readFileSync(join(CHART, 'values.yaml'), 'utf8')) as { metrics: { prometheusRule: { gatewayRefusals: { rules: Record<string, { threshold: number; for: string; severity: string }> } } } }).metrics.prometheusRule.gatewayRefusals.rules;

/** Counter, alert, values.yaml key. */
const COUNTERS: Array<[string, string, string]> = [
  ['missing_auth', 'CaracalGatewayMissingAuthRefusals', 'missingAuth'],
  ['bad_bearer', 'CaracalGatewayBadBearerRefusals', 'badBearer'],
  ['expiring', 'CaracalGatewayExpiringTokenRefusals', 'expiring'],
  ['signature', 'CaracalGatewaySignatureRefusals', 'signature'],
  ['jti_replay', 'CaracalGatewayJtiReplayRefusals', 'jtiReplay'],
  ['revoked', 'CaracalGatewayRevokedRefusals', 'revoked'],
  ['revocation_stale', 'CaracalGatewayRevocationStaleRefusals', 'revocationStale'],
  ['bad_routing', 'CaracalGatewayBadRoutingRefusals', 'badRouting'],
  ['path_traversal', 'CaracalGatewayPathTraversalRefusals', 'pathTraversal'],
];

const minutes = (d: string): number => Number(/^(\d+)m$/.exec(d)?.[1] ?? NaN);

test.each(COUNTERS)('%s refusals: above the threshold in the window for `for`, at the selected Gateways only, fires %s', (counter, alert, key) => {
  const { threshold, for: forDuration, severity } = REFUSAL_DEFAULTS[key];
  const held = minutes(forDuration);
  // Per minute: enough for the 5-minute window to pass the threshold; below it at the quiet Gateway.
  const perMinute = Math.floor(threshold / 5) + 2;
  const quiet = threshold >= 5 ? Math.floor(threshold / 10) : 0;
  const metric = `caracal_gateway_denials_${counter}_total`;
  const start = 10; // refusals begin at minute 10
  const r = promtoolTest([
    {
      interval: '1m',
      input_series: [
        { series: `${metric}{${GATEWAY},pod="gw-0"}`, values: `0x${start} 0+${perMinute}x40` },
        { series: `${metric}{${GATEWAY},pod="gw-1"}`, values: `0x50` },
        { series: `${metric}{${OTHER_GATEWAY},pod="gw-9"}`, values: `0+${perMinute * 10}x50` },
      ],
      alert_rule_test: [
        alerts(alert, `${start - 1}m`, []),
        ...(held > 0 ? [alerts(alert, `${start + 2}m`, [])] : []),
        alerts(alert, `${start + held + 6}m`, [{ severity, component: 'gateway', namespace: 'caracal' }]),
      ],
    },
    {
      // At or below the threshold in every window: nothing fires.
      interval: '1m',
      input_series: [{ series: `${metric}{${GATEWAY},pod="gw-0"}`, values: `0+${quiet}x50` }],
      alert_rule_test: [alerts(alert, `${start + held + 6}m`, []), alerts(alert, '45m', [])],
    },
  ]);
  expect(r.output).toContain('SUCCESS');
  expect(r.status).toBe(0);
});

test('the Gateway refusal rules are off by default, and each can be turned off or given its own threshold', () => {
  const names = (values: Record<string, unknown>) =>
    (find(render(values), 'PrometheusRule', FULLNAME) as K8sObject & { spec: { groups: Array<{ rules: Rule[] }> } }).spec.groups.flatMap((g) => g.rules);
  expect(names({ metrics: { prometheusRule: { enabled: true } } }).filter((r) => r.alert.startsWith('CaracalGateway'))).toEqual([]);
  const tuned = names({ metrics: { prometheusRule: { enabled: true, gatewayRefusals: { enabled: true, window: '15m', rules: { revoked: { enabled: false, for: '1m', severity: 'info' }, missingAuth: { threshold: 400 } } } } } });
  expect(tuned.map((r) => r.alert)).not.toContain('CaracalGatewayRevokedRefusals');
  expect(tuned.find((r) => r.alert === 'CaracalGatewayMissingAuthRefusals')?.expr).toBe('sum by (namespace) (increase(caracal_gateway_denials_missing_auth_total[15m])) > 400');
});

// ---- runbooks ------------------------------------------------------------------------------------

/** GitHub's anchor for a Markdown heading. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

test('every alert links its runbook: a heading of the README named after it, under "Alerts"', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const alertsSection = readme.slice(readme.indexOf('\n### Alerts\n'));
  expect(alertsSection.length).toBeLessThan(readme.length);
  const anchors = new Set([...alertsSection.matchAll(/^#{4} (.+)$/gm)].map((m) => slug(m[1])));
  expect(allRules).toHaveLength(16);
  for (const r of allRules) {
    const url = r.annotations?.runbook_url ?? '';
    expect(url).toBe(`${RUNBOOK_BASE}#${r.alert.toLowerCase()}`);
    expect({ alert: r.alert, anchor: anchors.has(url.slice(url.indexOf('#') + 1)) }).toEqual({ alert: r.alert, anchor: true });
  }
});

test('without a base URL the runbook is the README path and its anchor', () => {
  const plain = find(render({ metrics: { prometheusRule: { enabled: true } } }), 'PrometheusRule', FULLNAME) as K8sObject & { spec: { groups: Array<{ rules: Rule[] }> } };
  for (const r of plain.spec.groups.flatMap((g) => g.rules)) expect(r.annotations?.runbook_url).toBe(`README.md#${r.alert.toLowerCase()}`);
});
