/** An IncidentTriage as the card shows it (pure): bounded, one line per field, the telling steps first. */
import { MAX_INCIDENT_ALERTS, type IncidentView } from '../triage/record';
import { STEP_IDS, type StepId } from '../triage/model';
import type { IncidentTriage } from './incident';

export function incidentView(t: IncidentTriage): IncidentView {
  const shown = t.alerts.slice(0, MAX_INCIDENT_ALERTS);
  return {
    source: t.source,
    ref: t.incidentRef,
    title: t.title,
    status: t.signal === 'resolved' ? 'resolved' : 'firing',
    surface: t.guide.surface,
    firstAction: t.guide.firstAction,
    runbookUrl: t.guide.runbookUrl,
    link: t.link,
    alerts: shown.map((a) => ({ name: a.name, status: a.status, severity: a.severity, summary: a.summary })),
    moreAlerts: t.truncatedAlerts + (t.alerts.length - shown.length),
    // A PagerDuty incident's key is `pd-<incident ID>` (from-pagerduty.ts): where a note can be added.
    ...(t.source === 'pagerduty' && t.incidentKey.startsWith('pd-') ? { sourceId: t.incidentKey.slice(3) } : {}),
  };
}

/** Every step, the alert's telling ones first (in their order), then the others in step order. */
export function collectionOrder(t: Pick<IncidentTriage, 'steps'>): StepId[] {
  return [...new Set<StepId>([...t.steps, ...STEP_IDS])];
}
