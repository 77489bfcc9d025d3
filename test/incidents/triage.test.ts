/**
 * From a validated payload to what starting a triage needs: the incident key that makes it
 * one triage per incident, the lifecycle signal, the triage input (request ID and zone from
 * labels, annotations or titles), the guide, the card's title and alerts, and the routing
 * facts. Driven by the recorded Alertmanager bodies and the PagerDuty / generic fixtures.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRedactor } from '../../src/redact/redact';
import { lifecycleAction, type IncidentTriage } from '../../src/incidents/incident';
import { parseAlertmanagerWebhook, type AlertmanagerWebhook } from '../../src/incidents/payloads/alertmanager';
import { parseGenericHook } from '../../src/incidents/payloads/generic';
import { CHANNEL_ADDRESSES } from '../../src/app/platforms';
import { parsePagerDutyWebhook } from '../../src/incidents/payloads/pagerduty';
import { triageForAlertGroup } from '../../src/incidents/from-alertmanager';
import { triageForGenericHook } from '../../src/incidents/from-generic';
import { triageForPagerDuty } from '../../src/incidents/from-pagerduty';

const FIX = join(__dirname, '..', 'fixtures', 'incidents');
const read = (dir: string, name: string): Buffer => readFileSync(join(FIX, dir, name));

function amBody(name: string): AlertmanagerWebhook {
  const r = parseAlertmanagerWebhook(read('alertmanager-0.25', name));
  if (!r.ok) throw new Error(r.message);
  return r.value;
}
const am = (name: string): IncidentTriage => triageForAlertGroup(amBody(name));

function pd(name: string, edit?: (b: { event: Record<string, unknown> & { data: Record<string, unknown> } }) => void): IncidentTriage {
  const body = JSON.parse(read('pagerduty-v3', name).toString('utf8')) as { event: Record<string, unknown> & { data: Record<string, unknown> } };
  edit?.(body);
  const r = parsePagerDutyWebhook(body);
  if (!r.ok) throw new Error(r.message);
  return triageForPagerDuty(r.value);
}

function hook(body: unknown): IncidentTriage {
  const r = parseGenericHook(body instanceof Buffer ? body : Buffer.from(JSON.stringify(body)), CHANNEL_ADDRESSES);
  if (!r.ok) throw new Error(r.message);
  return triageForGenericHook(r.value);
}

const SAFE_KEY = /^[A-Za-z0-9-]{4,80}$/;

describe('Alertmanager group → triage', () => {
  it('keeps one incident key across the first notice, the grown group and its resolution', () => {
    const [first, grown, resolved] = ['firing.json', 'firing-grown.json', 'resolved.json'].map(am);
    expect(new Set([first.incidentKey, grown.incidentKey, resolved.incidentKey]).size).toBe(1);
    expect(first.incidentKey).toMatch(SAFE_KEY);
    expect(new Set([first.deliveryKey, grown.deliveryKey, resolved.deliveryKey]).size).toBe(3);
    expect([first.signal, grown.signal, resolved.signal]).toEqual(['firing', 'firing', 'resolved']);
    expect(first.incidentRef).toBe('alertname=CaracalGatewayRevocationSnapshotStale');
  });

  it('walks the lifecycle open → update → (re-notification ignored) → resolve → (late resolve ignored)', () => {
    const [first, grown, resolved] = ['firing.json', 'firing-grown.json', 'resolved.json'].map(am);
    expect(lifecycleAction(first, null)).toBe('open');
    expect(lifecycleAction(first, { status: 'resolved', alertsDigest: first.alertsDigest })).toBe('open');
    expect(lifecycleAction(grown, { status: 'open', alertsDigest: first.alertsDigest })).toBe('update');
    expect(lifecycleAction(am('firing-grown.json'), { status: 'open', alertsDigest: grown.alertsDigest })).toBe('ignore');
    expect(lifecycleAction(resolved, { status: 'open', alertsDigest: grown.alertsDigest })).toBe('resolve');
    expect(lifecycleAction(resolved, { status: 'resolved', alertsDigest: resolved.alertsDigest })).toBe('ignore');
    expect(lifecycleAction(resolved, null)).toBe('ignore');
  });

  it('times each notice by its alerts (latest start of a firing one, end of a resolved one), so an older notice is stale', () => {
    const [first, grown, resolved] = ['firing.json', 'firing-grown.json', 'resolved.json'].map(am);
    expect(first.occurredAt).toBe(Date.parse('2026-12-01T21:01:34.61Z'));
    expect(resolved.occurredAt).toBeGreaterThan(grown.occurredAt!);
    const applied = (t: typeof first, status: 'open' | 'resolved' | 'closed') => ({ status, alertsDigest: t.alertsDigest, lastEventAt: t.occurredAt });
    expect(lifecycleAction(grown, applied(resolved, 'resolved'))).toBe('stale');
    expect(lifecycleAction(first, applied(resolved, 'closed'))).toBe('stale');
    // The same time is no older: a repeat notification of a group whose triage was closed in chat opens a new one.
    expect(lifecycleAction(grown, applied(grown, 'closed'))).toBe('open');
    expect(lifecycleAction(grown, applied(grown, 'open'))).toBe('ignore');
    // A notice without a time is never stale.
    expect(lifecycleAction({ ...first, occurredAt: null }, applied(resolved, 'resolved'))).toBe('open');
  });

  it('gives the revocation guide, the zone from the label, and the card title and alerts', () => {
    const t = am('firing.json');
    expect(t.guide).toMatchObject({ alertname: 'CaracalGatewayRevocationSnapshotStale', surface: 'revocation' });
    expect(t.steps).toEqual(['readiness', 'gateway_verifier']);
    expect(t.bundleItems).toEqual(['readiness']);
    expect(t.input).toEqual({ requestId: null, zoneId: 'zone-prod', symptom: null, error: null });
    expect(t.title).toBe('CaracalGatewayRevocationSnapshotStale: Gateway revocation snapshot is stale');
    expect(t.alerts).toHaveLength(1);
    expect(t.alerts[0]).toMatchObject({
      name: 'CaracalGatewayRevocationSnapshotStale',
      status: 'firing',
      severity: 'critical',
      component: 'gateway',
      endsAt: null,
      runbookUrl: 'https://docs.caracal.run/operations/alerts/#caracalgatewayrevocationsnapshotstale',
    });
    expect(t.alerts[0].link).toMatch(/^http:\/\/127\.0\.0\.1:9090\/graph\?/);
    expect(t.link).toBe('http://127.0.0.1:9093');
    expect(t.routing).toEqual({ source: 'alertmanager', alertname: 'CaracalGatewayRevocationSnapshotStale', severity: 'critical', component: 'gateway', service: null, zone: 'zone-prod' });
    expect(t.channel).toBeNull();
  });

  it('marks every alert resolved with its end time in the resolved notice', () => {
    const t = am('resolved.json');
    expect(t.alerts.map((a) => a.status)).toEqual(['resolved', 'resolved']);
    expect(t.alerts.every((a) => a.endsAt !== null && !a.endsAt.startsWith('0001'))).toBe(true);
    expect(t.title).toBe('CaracalGatewayRevocationSnapshotStale: Gateway revocation snapshot is stale (2 resolved)');
  });

  it('carries the truncation count', () => {
    expect(am('truncated.json')).toMatchObject({ truncatedAlerts: 2, alerts: [expect.objectContaining({ name: 'CaracalAuditDLQGrowth' })] });
    expect(am('truncated.json').alertsDigest).not.toBe(triageForAlertGroup({ ...amBody('truncated.json'), truncatedAlerts: 3 }).alertsDigest);
  });

  /** A group of several alert names (group_by: [namespace]) built from the recorded alerts. */
  function mixed(): AlertmanagerWebhook {
    const rev = amBody('firing-grown.json');
    const dlq = amBody('truncated.json');
    const warning = { ...dlq.alerts[0], fingerprint: 'aaaa000011112222', labels: { ...dlq.alerts[0].labels, alertname: 'CaracalAuditConsumerLagHigh', severity: 'warning' } };
    return {
      ...rev,
      groupKey: '{}:{namespace="caracal"}',
      groupLabels: { namespace: 'caracal' },
      commonLabels: { namespace: 'caracal' },
      commonAnnotations: {},
      alerts: [warning, { ...rev.alerts[1], status: 'resolved' }, rev.alerts[0], dlq.alerts[0]],
    };
  }

  it('in a mixed group, takes the guide of the most severe firing alert and adds the others\' steps', () => {
    const t = triageForAlertGroup(mixed());
    expect(t.guide.alertname).toBe('CaracalGatewayRevocationSnapshotStale');
    expect(t.alerts.map((a) => `${a.name}:${a.status}`)).toEqual([
      'CaracalGatewayRevocationSnapshotStale:firing',
      'CaracalAuditDLQGrowth:firing',
      'CaracalAuditConsumerLagHigh:firing',
      'CaracalGatewayRevocationSnapshotStale:resolved',
    ]);
    expect(t.steps).toEqual(['readiness', 'gateway_verifier', 'audit_trace']);
    expect(t.routing).toMatchObject({ alertname: 'CaracalGatewayRevocationSnapshotStale', severity: 'critical', component: 'gateway' });
    expect(t.title).toBe('4 alerts (3 firing): CaracalGatewayRevocationSnapshotStale, CaracalAuditDLQGrowth, CaracalAuditConsumerLagHigh');
    expect(t.incidentRef).toBe('namespace=caracal');
  });

  it('uses a request ID or zone only when the alerts that carry one agree', () => {
    const base = amBody('firing-grown.json');
    const withLabels = (a: Record<string, string>, b: Record<string, string>): AlertmanagerWebhook => ({
      ...base,
      commonLabels: {},
      alerts: [
        { ...base.alerts[0], labels: { ...base.alerts[0].labels, zone_id: '', ...a } },
        { ...base.alerts[1], labels: { ...base.alerts[1].labels, zone_id: '', ...b } },
      ],
    });
    expect(triageForAlertGroup(withLabels({ zone_id: 'zone-a' }, { zone: 'zone-a' })).input.zoneId).toBe('zone-a');
    expect(triageForAlertGroup(withLabels({ zone_id: 'zone-a' }, { zone_id: 'zone-b' })).input.zoneId).toBeNull();
    expect(triageForAlertGroup(withLabels({ request_id: 'req-1' }, {})).input.requestId).toBe('req-1');
    expect(triageForAlertGroup(withLabels({ request_id: 'has space' }, {})).input.requestId).toBeNull();
    const annotated: AlertmanagerWebhook = {
      ...base,
      alerts: base.alerts.map((a) => ({ ...a, labels: { ...a.labels, zone_id: '' }, annotations: { ...a.annotations, description: 'Seen on request_id: 0190a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b in zone: zone-eu' } })),
      commonLabels: {},
    };
    expect(triageForAlertGroup(annotated).input).toMatchObject({ requestId: '0190a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b', zoneId: 'zone-eu' });
  });

  it('gives an unknown alert the readiness-first guide and a distinct key per receiver', () => {
    const base = amBody('firing.json');
    const other: AlertmanagerWebhook = {
      ...base,
      commonLabels: { alertname: 'NodeDiskFull' },
      commonAnnotations: {},
      alerts: [{ ...base.alerts[0], labels: { alertname: 'NodeDiskFull' }, annotations: {} }],
    };
    const t = triageForAlertGroup(other);
    expect(t.guide.surface).toBe('unknown');
    expect(t.steps).toEqual(['readiness']);
    expect(t.bundleItems).toEqual(['readiness', 'config_summary', 'zones']);
    expect(t.title).toBe("NodeDiskFull: NodeDiskFull is not one of Caracal's alert rules");
    expect(t.alerts[0].runbookUrl).toBeNull();
    expect(triageForAlertGroup({ ...base, receiver: 'staging' }).incidentKey).not.toBe(am('firing.json').incidentKey);
  });

  it('survives the bot\'s redaction whole: secrets in alert text go, keys and structure stay', () => {
    const base = amBody('firing.json');
    const leaky: AlertmanagerWebhook = {
      ...base,
      commonAnnotations: { summary: 'Gateway refused Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl' },
      alerts: [{ ...base.alerts[0], annotations: { summary: 'token=s3cr3t-value-123 leaked' } }],
    };
    const t = triageForAlertGroup(leaky);
    const { value, count } = createRedactor().redact(t);
    expect(count).toBe(2);
    expect(JSON.stringify(value)).not.toMatch(/eyJ|s3cr3t/);
    expect(value.title).toMatch(/\[redacted\]/);
    expect({ ...value, title: t.title, alerts: t.alerts }).toEqual(t);
  });

  it('keeps title text from outside on one line and bounded', () => {
    const base = amBody('firing.json');
    const t = triageForAlertGroup({ ...base, commonAnnotations: { summary: `line one\nline\ttwo\u0000 ${'x'.repeat(400)}` } });
    expect(t.title).not.toMatch(/[\n\t\u0000]/);
    expect(t.title.length).toBe(300);
    expect(t.title.endsWith('…')).toBe(true);
  });
});

describe('PagerDuty event → triage', () => {
  it('opens on incident.triggered with the guide of the Caracal alert in the title', () => {
    const t = pd('incident.triggered.json');
    expect(t).toMatchObject({
      source: 'pagerduty',
      incidentKey: 'pd-Q2F7XJ1KD9LMN0',
      incidentRef: 'PagerDuty #1042 (Q2F7XJ1KD9LMN0)',
      signal: 'firing',
      title: '[FIRING:2] CaracalGatewayRevocationSnapshotStale (gateway critical)',
      link: 'https://acme.pagerduty.com/incidents/Q2F7XJ1KD9LMN0',
      routing: { source: 'pagerduty', alertname: 'CaracalGatewayRevocationSnapshotStale', severity: 'high', component: 'gateway', service: { id: 'PSVC7K2', name: 'Caracal production' }, zone: null },
    });
    expect(t.guide.surface).toBe('revocation');
    expect(lifecycleAction(t, null)).toBe('open');
  });

  it('posts nothing new for a redelivery or a second trigger of the same incident', () => {
    const t = pd('incident.triggered.json');
    const again = pd('incident.triggered.json');
    expect(again.deliveryKey).toBe(t.deliveryKey);
    expect(lifecycleAction(again, { status: 'open', alertsDigest: t.alertsDigest })).toBe('ignore');
    const retrigger = pd('incident.triggered.json', (b) => void (b.event.id = '01FZ6R2JQ8W3M1A7B9C4D5E6XX'));
    expect(retrigger.deliveryKey).not.toBe(t.deliveryKey);
    expect(lifecycleAction(retrigger, { status: 'open', alertsDigest: t.alertsDigest })).toBe('ignore');
  });

  it('resolves on incident.resolved and reopens as a new triage after it', () => {
    const opened = pd('incident.triggered.json');
    const resolved = pd('incident.resolved.json');
    expect(resolved).toMatchObject({ incidentKey: opened.incidentKey, signal: 'resolved' });
    expect(lifecycleAction(resolved, { status: 'open', alertsDigest: opened.alertsDigest })).toBe('resolve');
    const reopened = pd('incident.triggered.json', (b) => {
      b.event.event_type = 'incident.reopened';
      b.event.id = '01FZ6RREOPENED0000000000000';
    });
    expect(reopened.signal).toBe('firing');
    expect(lifecycleAction(reopened, { status: 'resolved', alertsDigest: opened.alertsDigest })).toBe('open');
  });

  it.each(['incident.acknowledged.json', 'incident.annotated.json', 'pagey.ping.json', 'service.updated.json'])('acknowledges and ignores %s', (name) => {
    const t = pd(name);
    expect(t.signal).toBe('ignored');
    expect(t.ignoredBecause).toMatch(/^(incident|pagey|service)\./);
    expect(lifecycleAction(t, null)).toBe('ignore');
    expect(t.incidentKey).toMatch(SAFE_KEY);
  });

  it('keeps the incident key for events about an incident that are ignored', () => {
    expect(pd('incident.annotated.json').incidentKey).toBe('pd-Q2F7XJ1KD9LMN0');
    expect(pd('incident.acknowledged.json').incidentKey).toBe('pd-Q2F7XJ1KD9LMN0');
  });

  it('takes the request ID and zone from the title, and runs readiness-first without a Caracal alert', () => {
    const t = pd('incident.triggered.request-id.json');
    expect(t.input).toEqual({ requestId: '0190a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b', zoneId: 'zone-prod', symptom: null, error: null });
    expect(t.guide.surface).toBe('unknown');
    expect(t.steps[0]).toBe('readiness');
    expect(t.routing).toMatchObject({ alertname: null, severity: 'low', zone: 'zone-prod', component: null });
  });
});

describe('generic hook → triage', () => {
  it('carries the channel, request and zone of the body; one key per incident_id', () => {
    const t = hook(read('generic', 'request.json'));
    expect(t).toMatchObject({
      source: 'generic',
      signal: 'firing',
      incidentRef: 'INC-2026-0412',
      channel: { platform: 'slack', channel: 'C0INCIDENT1' },
      input: { requestId: '0190a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b', zoneId: 'zone-prod', symptom: null, error: null },
      routing: { source: 'generic', zone: 'zone-prod' },
    });
    expect(t.incidentKey).toMatch(/^hook-[0-9a-f]{32}$/);
    const again = hook(read('generic', 'request.json'));
    expect(again.incidentKey).toBe(t.incidentKey);
    expect(lifecycleAction(again, { status: 'open', alertsDigest: t.alertsDigest })).toBe('ignore');
    expect(hook({ incident_id: 'INC-2026-0499', title: 'x', channel: 'slack:C0INCIDENT1' }).incidentKey).not.toBe(t.incidentKey);
  });

  it('uses a Caracal alert named in the title, and a request ID mentioned there when the body has none', () => {
    const t = hook(read('generic', 'teams.json'));
    expect(t.guide.alertname).toBe('CaracalAuditTamperDetected');
    expect(t.channel).toEqual({ platform: 'teams', conversationId: '19:3f2a9c1b7d4e4f5a@thread.tacv2' });
    const mentioned = hook({ incident_id: 'INC-7', title: 'Denials for req=req-42x in zone: zone-eu', channel: 'slack:C0INCIDENT1' });
    expect(mentioned.input).toMatchObject({ requestId: 'req-42x', zoneId: 'zone-eu' });
    const body = hook({ incident_id: 'INC-8', title: 'req=req-42x', channel: 'slack:C0INCIDENT1', request_id: 'req-from-body' });
    expect(body.input.requestId).toBe('req-from-body');
  });
});
