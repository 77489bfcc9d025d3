/**
 * A real Alertmanager (prometheus-alertmanager, started on loopback) sends its notices to a
 * recording receiver; what arrives must authenticate with the token the receiver's
 * http_config carries, parse with our schema, keep one incident key per group across a new
 * alert and the resolution, and give the lifecycle open → update → resolve.
 *
 * The bodies are also compared with the recorded fixtures in
 * test/fixtures/incidents/alertmanager-0.25/ (same fields), so an Alertmanager that changes
 * its body shows up here. RECORD_INCIDENT_FIXTURES=1 rewrites those fixtures from this run.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lifecycleAction, type IncidentTriage } from '../../src/incidents/incident';
import { parseAlertmanagerWebhook } from '../../src/incidents/payloads/alertmanager';
import { triageForAlertGroup } from '../../src/incidents/from-alertmanager';
import { verifyAlertmanager } from '../../src/incidents/auth/alertmanager';
import { startAlertmanager, type PostableAlert, type TestAlertmanager } from '../support/alertmanager';
import { startRecordingReceiver, type RecordedRequest, type RecordingReceiver } from '../support/alertmanager-receiver';

const TOKEN = 'am-token-0123456789abcdef';
const FIXTURES = join(__dirname, '..', 'fixtures', 'incidents', 'alertmanager-0.25');
const RECORD = process.env.RECORD_INCIDENT_FIXTURES === '1';

const REVOCATION = {
  alertname: 'CaracalGatewayRevocationSnapshotStale',
  severity: 'critical',
  component: 'gateway',
  namespace: 'caracal',
};
const REVOCATION_ANNOTATIONS = {
  summary: 'Gateway revocation snapshot is stale',
  description:
    'Gateway cannot prove it has a fresh revocation baseline. Treat as an access-safety incident and restore Postgres/Redis revocation snapshot loading before relying on protected routes.',
  runbook_url: 'https://docs.caracal.run/operations/alerts/#caracalgatewayrevocationsnapshotstale',
};
const DLQ = { alertname: 'CaracalAuditDLQGrowth', severity: 'critical', component: 'audit', namespace: 'caracal' };
/** Prometheus's link to each rule's expression, as it sets `generatorURL`. */
const GENERATOR: Record<string, string> = {
  [REVOCATION.alertname]: 'http://127.0.0.1:9090/graph?g0.expr=caracal_gateway_revocation_snapshot_fresh+%3C%3D+0&g0.tab=1',
  [DLQ.alertname]: 'http://127.0.0.1:9090/graph?g0.expr=increase%28caracal_audit_dlq_size%5B10m%5D%29+%3E+10&g0.tab=1',
};

function alert(labels: Record<string, string>, annotations: Record<string, string>, startsAt: string, endsAt?: string): PostableAlert {
  return { labels, annotations, startsAt, ...(endsAt ? { endsAt } : {}), generatorURL: GENERATOR[labels.alertname] };
}

function bodyOf(r: RecordedRequest): Record<string, unknown> {
  return JSON.parse(r.body.toString('utf8')) as Record<string, unknown>;
}

const forGroup = (alertname: string, status?: 'firing' | 'resolved') => (r: RecordedRequest): boolean => {
  const b = bodyOf(r);
  return (b.groupLabels as Record<string, string>).alertname === alertname && (status === undefined || b.status === status);
};

function triageOf(r: RecordedRequest): IncidentTriage {
  expect(verifyAlertmanager(r.body, r.headers, TOKEN)).toEqual({ ok: true });
  const parsed = parseAlertmanagerWebhook(r.body);
  if (!parsed.ok) throw new Error(parsed.message);
  return triageForAlertGroup(parsed.value);
}

/** The field names of a body and of its first alert: what must not drift between Alertmanager versions. */
function shape(body: Record<string, unknown>): { top: string[]; alert: string[] } {
  const alerts = body.alerts as Array<Record<string, unknown>>;
  return { top: Object.keys(body).sort(), alert: Object.keys(alerts[0]).sort() };
}

function recordOrCompare(name: string, r: RecordedRequest): void {
  const file = join(FIXTURES, `${name}.json`);
  if (RECORD) {
    mkdirSync(FIXTURES, { recursive: true });
    writeFileSync(file, r.body);
    const { host: _host, 'content-length': _len, ...headers } = r.headers;
    writeFileSync(join(FIXTURES, `${name}.headers.json`), `${JSON.stringify(headers, null, 2)}\n`);
    return;
  }
  const recorded = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  expect(shape(bodyOf(r))).toEqual(shape(recorded));
}

describe('a real Alertmanager posting to the receiver', () => {
  let rx: RecordingReceiver;
  let am: TestAlertmanager;

  beforeAll(async () => {
    rx = await startRecordingReceiver();
    am = await startAlertmanager({ webhookUrl: `${rx.url}/hooks/alertmanager`, bearerToken: TOKEN, externalUrl: 'http://127.0.0.1:9093' });
  });
  afterAll(async () => {
    await am?.stop();
    await rx?.close();
  });

  it('opens one incident per group, updates it for a new alert, and resolves it', async () => {
    const t0 = new Date(Date.now() - 60_000).toISOString();
    await am.postAlerts([
      alert({ ...REVOCATION, pod: 'caracal-gateway-0', zone_id: 'zone-prod' }, REVOCATION_ANNOTATIONS, t0),
      alert({ ...DLQ, pod: 'caracal-audit-0' }, { summary: 'Audit dead-letter queue is growing' }, t0),
    ]);
    const first = await rx.waitFor(forGroup(REVOCATION.alertname));
    const other = await rx.waitFor(forGroup(DLQ.alertname));
    expect(first.path).toBe('/hooks/alertmanager');
    expect(first.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(verifyAlertmanager(first.body, first.headers, 'another-token')).toMatchObject({ ok: false, status: 401 });
    recordOrCompare('firing', first);

    const opened = triageOf(first);
    const otherGroup = triageOf(other);
    expect(opened.signal).toBe('firing');
    expect(lifecycleAction(opened, null)).toBe('open');
    expect(opened.incidentKey).not.toBe(otherGroup.incidentKey);
    expect(opened.guide.surface).toBe('revocation');
    expect(otherGroup.guide.surface).toBe('audit_pipeline');
    expect(opened.input).toEqual({ requestId: null, zoneId: 'zone-prod', symptom: null, error: null });
    expect(opened.routing).toMatchObject({ source: 'alertmanager', alertname: REVOCATION.alertname, severity: 'critical', component: 'gateway', zone: 'zone-prod' });

    // A second Gateway pod starts firing: the same group, so the same incident, now with two alerts.
    const seen = rx.requests.length;
    await am.postAlerts([alert({ ...REVOCATION, pod: 'caracal-gateway-1' }, REVOCATION_ANNOTATIONS, t0)]);
    const second = await rx.waitFor(forGroup(REVOCATION.alertname), { from: seen });
    recordOrCompare('firing-grown', second);
    const grown = triageOf(second);
    expect(grown.incidentKey).toBe(opened.incidentKey);
    expect(grown.alerts).toHaveLength(2);
    expect(grown.title).toBe('CaracalGatewayRevocationSnapshotStale: Gateway revocation snapshot is stale (2 firing)');
    // Only one pod names a zone and none contradicts it, so the zone stands.
    expect(grown.input.zoneId).toBe('zone-prod');
    expect(lifecycleAction(grown, { status: 'open', alertsDigest: opened.alertsDigest })).toBe('update');
    expect(lifecycleAction(grown, { status: 'open', alertsDigest: grown.alertsDigest })).toBe('ignore');
    expect(grown.deliveryKey).not.toBe(opened.deliveryKey);

    // Both resolve: Alertmanager sends the group once more, resolved.
    const now = new Date().toISOString();
    const before = rx.requests.length;
    await am.postAlerts([
      alert({ ...REVOCATION, pod: 'caracal-gateway-0', zone_id: 'zone-prod' }, REVOCATION_ANNOTATIONS, t0, now),
      alert({ ...REVOCATION, pod: 'caracal-gateway-1' }, REVOCATION_ANNOTATIONS, t0, now),
    ]);
    const last = await rx.waitFor(forGroup(REVOCATION.alertname, 'resolved'), { from: before });
    recordOrCompare('resolved', last);
    const resolved = triageOf(last);
    expect(resolved.signal).toBe('resolved');
    expect(resolved.incidentKey).toBe(opened.incidentKey);
    expect(resolved.alerts.every((a) => a.status === 'resolved' && a.endsAt !== null)).toBe(true);
    expect(lifecycleAction(resolved, { status: 'open', alertsDigest: grown.alertsDigest })).toBe('resolve');
    // Between the notices nothing else reached the receiver for this group.
    const groupNotices = rx.requests.filter(forGroup(REVOCATION.alertname));
    expect(groupNotices).toHaveLength(3);
  });
});

describe('Alertmanager receiver variants', () => {
  it('basic_auth with the token as password authenticates', async () => {
    const rx = await startRecordingReceiver();
    const am = await startAlertmanager({ webhookUrl: `${rx.url}/hooks/alertmanager`, basicAuth: { username: 'caracal-triage', password: TOKEN } });
    try {
      await am.postAlerts([alert({ ...DLQ }, { summary: 'Audit dead-letter queue is growing' }, new Date().toISOString())]);
      const r = await rx.waitFor(() => true);
      expect(String(r.headers.authorization)).toMatch(/^Basic /);
      expect(triageOf(r).guide.alertname).toBe('CaracalAuditDLQGrowth');
    } finally {
      await am.stop();
      await rx.close();
    }
  });

  it('max_alerts truncates the body and says how many were left out', async () => {
    const rx = await startRecordingReceiver();
    const am = await startAlertmanager({ webhookUrl: `${rx.url}/hooks/alertmanager`, bearerToken: TOKEN, maxAlerts: 1, externalUrl: 'http://127.0.0.1:9093' });
    try {
      const t = new Date().toISOString();
      await am.postAlerts(['0', '1', '2'].map((n) => alert({ ...DLQ, pod: `caracal-audit-${n}` }, { summary: 'Audit dead-letter queue is growing' }, t)));
      const r = await rx.waitFor(() => true);
      recordOrCompare('truncated', r);
      const triage = triageOf(r);
      expect(triage.alerts).toHaveLength(1);
      expect(triage.truncatedAlerts).toBe(2);
    } finally {
      await am.stop();
      await rx.close();
    }
  });
});
