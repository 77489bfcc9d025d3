/**
 * A PagerDuty V3 event → what the triage needs. One incident, one triage: the key is the
 * PagerDuty incident ID.
 *
 * - `incident.triggered` and `incident.reopened` fire; `incident.resolved` resolves; every
 *   other event (acknowledged, escalated, annotated, priority_updated, service.*, the
 *   `pagey.ping` test event…) is acknowledged and ignored.
 * - Incidents raised from Alertmanager through PagerDuty's own integration carry the alert
 *   name in their title ("[FIRING:1] CaracalAuditDLQGrowth …"): a Caracal alert named there
 *   gives the guide; otherwise the triage is readiness-first.
 * - A request ID or zone comes from explicit mentions in the title (`request_id: …`,
 *   `zone: …`, or a bare UUID).
 */
import { idsFromText } from '../commands/ids-from-text';
import { caracalAlertsIn, guideForAlert } from './catalogue';
import { collectFirst, digest, oneLine, type IncidentSignal, type IncidentTriage } from './incident';
import type { PagerDutyWebhook } from './payloads/pagerduty';

const SIGNALS: Record<string, IncidentSignal> = {
  'incident.triggered': 'firing',
  'incident.reopened': 'firing',
  'incident.resolved': 'resolved',
};

function httpUrl(v: string | undefined): string | null {
  return v && /^https?:\/\/\S+$/i.test(v) ? v : null;
}

export function triageForPagerDuty(w: PagerDutyWebhook): IncidentTriage {
  const deliveryKey = `pd-${digest('pagerduty-event', w.eventId)}`;
  if (w.subject.kind !== 'incident') {
    const incidentId = w.subject.kind === 'incident_attachment' ? w.subject.incident.id : null;
    return ignored(w, deliveryKey, incidentId, `${w.eventType} is not an incident lifecycle event`);
  }
  const inc = w.subject.incident;
  const signal = SIGNALS[w.eventType] ?? 'ignored';
  const names = caracalAlertsIn(inc.title);
  const guide = guideForAlert(names[0] ?? null);
  const { steps, bundleItems } = collectFirst(names.length > 0 ? names.map((n) => guideForAlert(n)) : [guide]);
  const ids = idsFromText(inc.title);
  const severity = inc.urgency ?? null;
  const ref = inc.number !== undefined ? `PagerDuty #${inc.number} (${inc.id})` : `PagerDuty ${inc.id}`;
  return {
    source: 'pagerduty',
    incidentKey: `pd-${inc.id}`,
    incidentRef: ref,
    deliveryKey,
    signal,
    ignoredBecause: signal === 'ignored' ? `${w.eventType} changes nothing on the card` : null,
    input: { requestId: ids.requestId, zoneId: ids.zoneId, symptom: null, error: null },
    title: oneLine(inc.title) || ref,
    alerts: [
      {
        name: names[0] ?? null,
        status: signal === 'resolved' ? 'resolved' : 'firing',
        severity,
        component: guide.component,
        summary: oneLine(inc.title) || null,
        startsAt: null,
        endsAt: signal === 'resolved' ? w.occurredAt : null,
        fingerprint: null,
        link: httpUrl(inc.html_url),
        runbookUrl: guide.runbookUrl,
      },
    ],
    truncatedAlerts: 0,
    // A PagerDuty incident is one alert for the card: redeliveries and re-triggers change nothing.
    alertsDigest: digest('pagerduty-incident', inc.id),
    guide,
    steps,
    bundleItems,
    routing: {
      source: 'pagerduty',
      alertname: names[0] ?? null,
      severity,
      component: guide.component,
      service: { id: inc.service.id, name: inc.service.summary ?? null },
      zone: ids.zoneId,
    },
    link: httpUrl(inc.html_url),
    channel: null,
    occurredAt: timeOf(w.occurredAt),
  };
}

function timeOf(iso: string): number | null {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : null;
}

function ignored(w: PagerDutyWebhook, deliveryKey: string, incidentId: string | null, because: string): IncidentTriage {
  const guide = guideForAlert(null);
  return {
    source: 'pagerduty',
    incidentKey: incidentId ? `pd-${incidentId}` : `pd-event-${digest('pagerduty-event', w.eventId)}`,
    incidentRef: incidentId ? `PagerDuty ${incidentId}` : `PagerDuty event ${oneLine(w.eventId, 80)}`,
    deliveryKey,
    signal: 'ignored',
    ignoredBecause: because,
    input: { requestId: null, zoneId: null, symptom: null, error: null },
    title: oneLine(w.eventType),
    alerts: [],
    truncatedAlerts: 0,
    alertsDigest: digest('pagerduty-event', w.eventId),
    guide,
    steps: [...guide.steps],
    bundleItems: [...guide.bundleItems],
    routing: { source: 'pagerduty', alertname: null, severity: null, component: null, service: null, zone: null },
    link: null,
    channel: null,
    occurredAt: timeOf(w.occurredAt),
  };
}
