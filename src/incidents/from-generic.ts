/**
 * A generic incident webhook → what the triage needs. The body names its channel, its
 * incident (one triage per `incident_id`, so a redelivery starts nothing new) and optionally
 * the request and zone; without `request_id` an explicit mention in the title is used. A
 * Caracal alert named in the title gives the guide; otherwise the triage is readiness-first.
 * Every delivery fires: the hook has no resolve. Its time is the signature's timestamp (signed
 * with the body, so a replay cannot move it).
 */
import { idsFromText } from '../commands/ids-from-text';
import { caracalAlertsIn, guideForAlert } from './catalogue';
import { collectFirst, digest, oneLine, type IncidentTriage } from './incident';
import type { GenericIncidentHook } from './payloads/generic';

/** `signedAt`: the request's signature timestamp (unix seconds, checked by the edge), the notice's time. */
export function triageForGenericHook(b: GenericIncidentHook, signedAt: number | null = null): IncidentTriage {
  const names = caracalAlertsIn(b.title);
  const guide = guideForAlert(names[0] ?? null);
  const { steps, bundleItems } = collectFirst(names.length > 0 ? names.map((n) => guideForAlert(n)) : [guide]);
  const fromTitle = idsFromText(b.title);
  const requestId = b.request_id ?? fromTitle.requestId;
  const zoneId = b.zone_id ?? fromTitle.zoneId;
  const incidentKey = `hook-${digest('generic', b.incident_id)}`;
  const title = oneLine(b.title);
  return {
    source: 'generic',
    incidentKey,
    incidentRef: oneLine(b.incident_id, 80),
    deliveryKey: incidentKey,
    signal: 'firing',
    ignoredBecause: null,
    input: { requestId, zoneId, symptom: null, error: null },
    title,
    // The title is the card's headline already; an alert line is shown only for a Caracal alert it names.
    alerts: names.slice(0, 1).map((name) => ({
        name,
        status: 'firing',
        severity: guide.severity,
        component: guide.component,
        summary: title,
        startsAt: null,
        endsAt: null,
        fingerprint: null,
        link: null,
        runbookUrl: guide.runbookUrl,
    })),
    truncatedAlerts: 0,
    alertsDigest: digest('generic-incident', b.incident_id),
    guide,
    steps,
    bundleItems,
    routing: { source: 'generic', alertname: names[0] ?? null, severity: guide.severity, component: guide.component, service: null, zone: zoneId },
    link: null,
    channel: b.channel,
    occurredAt: signedAt === null ? null : signedAt * 1000,
  };
}
