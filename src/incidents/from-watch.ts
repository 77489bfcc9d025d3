/**
 * A denial pattern the deny watcher (src/watch/) found → what the incident desk needs (pure):
 * one incident per pattern (its key), a notice per change of the pattern (its delivery key: a
 * redelivery after a crash is recognised), the latest denied request as the triage's input, and
 * the routing facts the routes file matches with `source: watch` (zone, application, resource,
 * reason). `firing` opens the triage or updates its card; `resolved` closes it once the pattern
 * has gone quiet. A pattern that comes back after that is the same incident, re-opened: the
 * desk starts a new triage, and its view links the previous one.
 */
import type { IncidentView, TriageInput, WatchPatternView } from '../triage/record';
import { guideForAlert, type AlertGuide } from './catalogue';
import { digest, oneLine, type IncidentTriage } from './incident';
import { REPLAY_EVENT, type PatternKey } from './watch/denial';
import { incidentView } from './view';

export interface WatchNotice {
  /** The pattern's ID (hex, src/watch/). */
  patternId: string;
  key: PatternKey;
  signal: 'firing' | 'resolved';
  /** The pattern's latest denied request: the one triaged in full (null when no row named one). */
  requestId: string | null;
  /** Changes whenever the card should change (count, latest denial, open or closed). */
  stateDigest: string;
  /** The newest denial (ISO); for a close, when the pattern went quiet. */
  occurredAt: string;
  /**
   * The Caracal deployment whose watcher saw it (one watcher per deployment): the triage reads
   * that deployment. null while the bot serves only `default` from the single-deployment variables.
   */
  deployment?: string | null;
  view: WatchPatternView;
}

/** Surface and first action: the Gateway's replay guard for a replay, otherwise the triage of the latest request. */
function watchGuide(k: PatternKey): AlertGuide {
  if (k.reason === REPLAY_EVENT) return { ...guideForAlert('CaracalGatewayJtiReplayRefusals'), alertname: null };
  return {
    alertname: null,
    component: 'sts',
    severity: null,
    surface: 'unknown',
    summary: 'Denials of one application on one resource for one reason',
    firstAction:
      "The triage below is of this pattern's latest denied request; every denial of the pattern shares its zone, application, resource and reason, so its cause is the first suspect for all of them.",
    steps: ['request_trace'],
    bundleItems: ['request_trace', 'recent_changes'],
    runbookUrl: null,
  };
}

const part = (v: string | null, none: string): string => (v ? oneLine(v, 120) : none);

export function triageForWatch(n: WatchNotice): IncidentTriage {
  const guide = watchGuide(n.key);
  // Two deployments may hold the same zone ID (a copy of production in staging): their patterns are apart.
  const d = n.deployment ?? null;
  const incidentKey = d ? `watch-${d}-${n.patternId.slice(0, 32)}` : `watch-${n.patternId.slice(0, 32)}`;
  const app = n.view.applicationName ?? n.key.applicationId;
  const input: TriageInput = { requestId: n.requestId, zoneId: n.key.zoneId, symptom: null, error: null, ...(d ? { deployment: d } : {}) };
  return {
    source: 'watch',
    incidentKey,
    incidentRef: oneLine([...(d ? [d] : []), n.key.zoneId, part(n.key.applicationId, '-'), part(n.key.resource, '-'), n.key.reason].join(' / '), 200),
    deliveryKey: `watch-${d ? digest('watch-notice', d, n.patternId, n.stateDigest) : digest('watch-notice', n.patternId, n.stateDigest)}`,
    signal: n.signal,
    ignoredBecause: null,
    input,
    title: oneLine(`Denied ${n.key.reason} for ${part(app, 'an unnamed application')} on ${part(n.key.resource, 'an unnamed resource')}`),
    alerts: [],
    truncatedAlerts: 0,
    alertsDigest: digest('watch-state', n.patternId, n.stateDigest),
    guide,
    steps: [...guide.steps],
    bundleItems: [...guide.bundleItems],
    routing: {
      source: 'watch',
      alertname: null,
      severity: guide.severity,
      component: guide.component,
      service: null,
      zone: n.key.zoneId,
      application: n.key.applicationId,
      resource: n.key.resource,
      reason: n.key.reason,
    },
    link: null,
    channel: null,
    occurredAt: Number.isFinite(Date.parse(n.occurredAt)) ? Date.parse(n.occurredAt) : null,
  };
}

/** How the card shows it: the incident part as for any source, plus the pattern. */
export function watchIncidentView(t: IncidentTriage, n: WatchNotice): IncidentView {
  return { ...incidentView(t), watch: n.view };
}
