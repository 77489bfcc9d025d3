/**
 * An Alertmanager notice → what the triage needs. One group, one incident: the key is derived
 * from the receiver and `groupKey`, so every later notice of the group (new alerts,
 * re-notifications, resolution) finds the same triage, and the two members of an
 * Alertmanager HA pair (same config, hence same receiver and group key) land on it too.
 *
 * - The primary alert (firing before resolved, then the highest severity, then a Caracal
 *   alert before an unknown one) gives the guide; the others add their steps and items.
 * - A request ID or zone comes from labels or annotations (`request_id`; `zone_id` or
 *   `zone`), else from explicit mentions in `summary`/`description`; used only when all the
 *   group's alerts that carry one agree.
 */
import { idsFromText } from '../commands/ids-from-text';
import { RequestId, ZoneId } from '../triage/model';
import { guideForAlert, isCaracalAlert } from './catalogue';
import { collectFirst, digest, oneLine, severityRank, type IncidentAlert, type IncidentTriage } from './incident';
import { GO_ZERO_TIME, type AlertmanagerAlert, type AlertmanagerWebhook } from './payloads/alertmanager';

const REQUEST_LABELS = ['request_id'];
const ZONE_LABELS = ['zone_id', 'zone'];
const TEXT_ANNOTATIONS = ['summary', 'description', 'message'];

/** The one value all alerts that carry it agree on, or null (none, or they disagree). */
function agreed(values: Iterable<string | null>): string | null {
  const distinct = new Set<string>();
  for (const v of values) if (v) distinct.add(v);
  return distinct.size === 1 ? [...distinct][0] : null;
}

function labelled(a: AlertmanagerAlert, names: readonly string[], valid: (v: string) => boolean): string | null {
  for (const n of names) {
    const v = a.labels[n] ?? a.annotations[n];
    if (v && valid(v)) return v;
  }
  return null;
}

function alertText(a: AlertmanagerAlert): string {
  return TEXT_ANNOTATIONS.map((n) => a.annotations[n] ?? '').join('\n');
}

const isRequestId = (v: string): boolean => RequestId.safeParse(v).success;
const isZoneId = (v: string): boolean => ZoneId.safeParse(v).success;

function primaryFirst(alerts: readonly AlertmanagerAlert[]): AlertmanagerAlert[] {
  const score = (a: AlertmanagerAlert): number =>
    (a.status === 'firing' ? 100 : 0) + severityRank(a.labels.severity) * 10 + (isCaracalAlert(a.labels.alertname ?? '') ? 1 : 0);
  return alerts
    .map((a, i) => ({ a, i }))
    .sort((x, y) => score(y.a) - score(x.a) || x.i - y.i)
    .map((x) => x.a);
}

function httpUrl(v: string | undefined): string | null {
  return v && /^https?:\/\/\S+$/i.test(v) ? v : null;
}

function toIncidentAlert(a: AlertmanagerAlert): IncidentAlert {
  const name = a.labels.alertname ?? null;
  return {
    name,
    status: a.status,
    severity: a.labels.severity ?? null,
    component: a.labels.component ?? null,
    summary: a.annotations.summary ? oneLine(a.annotations.summary) : null,
    startsAt: a.startsAt,
    endsAt: a.status === 'firing' || a.endsAt === GO_ZERO_TIME ? null : a.endsAt,
    fingerprint: a.fingerprint,
    link: httpUrl(a.generatorURL),
    runbookUrl: httpUrl(a.annotations.runbook_url) ?? (name && isCaracalAlert(name) ? guideForAlert(name).runbookUrl : null),
  };
}

function groupRef(p: AlertmanagerWebhook): string {
  const labels = Object.entries(p.groupLabels).map(([k, v]) => `${k}=${v}`);
  return labels.length > 0 ? labels.join(', ') : p.groupKey;
}

function titleOf(p: AlertmanagerWebhook, ordered: readonly AlertmanagerAlert[]): string {
  const firing = p.alerts.filter((a) => a.status === 'firing').length;
  const names = [...new Set(ordered.map((a) => a.labels.alertname).filter((n): n is string => !!n))];
  const counts = p.status === 'resolved' ? `${p.alerts.length} resolved` : `${firing} firing`;
  if (names.length === 1) {
    const summary = p.commonAnnotations.summary ?? ordered[0].annotations.summary ?? guideForAlert(names[0]).summary;
    return oneLine(`${names[0]}: ${summary}${p.alerts.length > 1 ? ` (${counts})` : ''}`);
  }
  const list = names.length > 0 ? names.join(', ') : groupRef(p);
  return oneLine(`${p.alerts.length} alerts (${counts}): ${list}`);
}

export function triageForAlertGroup(p: AlertmanagerWebhook): IncidentTriage {
  const ordered = primaryFirst(p.alerts);
  const primary = ordered[0];
  const primaryName = p.commonLabels.alertname ?? primary.labels.alertname ?? null;
  const guide = guideForAlert(primaryName);
  const others = [...new Set(ordered.map((a) => a.labels.alertname).filter((n): n is string => !!n && n !== primaryName && isCaracalAlert(n)))];
  const { steps, bundleItems } = collectFirst([guide, ...others.map((n) => guideForAlert(n))]);

  const fromText = p.alerts.map((a) => idsFromText(alertText(a)));
  const requestId = agreed(p.alerts.map((a) => labelled(a, REQUEST_LABELS, isRequestId))) ?? agreed(fromText.map((t) => t.requestId));
  const zoneId = agreed(p.alerts.map((a) => labelled(a, ZONE_LABELS, isZoneId))) ?? agreed(fromText.map((t) => t.zoneId));

  const incidentKey = `am-${digest(p.receiver, p.groupKey)}`;
  const alertsDigest = digest(...p.alerts.map((a) => `${a.fingerprint}=${a.status}`).sort(), `truncated=${p.truncatedAlerts}`);
  return {
    source: 'alertmanager',
    incidentKey,
    incidentRef: groupRef(p),
    deliveryKey: `am-${digest(incidentKey, p.status, alertsDigest)}`,
    signal: p.status,
    ignoredBecause: null,
    input: { requestId, zoneId, symptom: null, error: null },
    title: titleOf(p, ordered),
    alerts: ordered.map(toIncidentAlert),
    truncatedAlerts: p.truncatedAlerts,
    alertsDigest,
    guide,
    steps,
    bundleItems,
    routing: {
      source: 'alertmanager',
      alertname: primaryName,
      severity: p.commonLabels.severity ?? primary.labels.severity ?? guide.severity,
      component: p.commonLabels.component ?? primary.labels.component ?? guide.component,
      service: null,
      zone: zoneId,
    },
    link: httpUrl(p.externalURL),
    channel: null,
    occurredAt: latestChange(p.alerts),
  };
}

/**
 * When the group last changed, as far as its alerts say: the latest start of a firing alert or
 * end of a resolved one. Alertmanager keeps `startsAt` across re-notifications, so a repeat of
 * the same group has the same time, and an older set of alerts an older one.
 */
function latestChange(alerts: readonly AlertmanagerAlert[]): number | null {
  let latest: number | null = null;
  for (const a of alerts) {
    const at = Date.parse(a.status === 'firing' || a.endsAt === GO_ZERO_TIME ? a.startsAt : a.endsAt);
    if (Number.isFinite(at) && (latest === null || at > latest)) latest = at;
  }
  return latest;
}
