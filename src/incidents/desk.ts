/**
 * What the incident ingress asks of the triage service: one triage per incident. The desk keeps,
 * per incident key, which triage holds it and the alerts it last showed, and applies the
 * lifecycle (incident.ts): open a triage (the card and the readiness-first bundle), update it
 * when the alerts change, resolve it when the source says so. A redelivered notice (same
 * delivery key) does nothing, nor does one older than the last applied (`stale`). Every
 * accepted notice is audited.
 */
import type { Destination } from '../chat/port';
import type { EscalationTargets, IncidentView } from '../triage/record';
import type { StepId } from '../triage/model';
import type { IncidentTriage } from './incident';

export interface IncidentNotice {
  incident: IncidentTriage;
  /** Where a new card goes (routed); null when the notice opens nothing (a resolve, an ignored event). */
  destination: Destination | null;
  /** How the card shows the incident. */
  view: IncidentView;
  /** Collection order: the alert's telling steps first, then the rest. */
  steps: StepId[];
  /** Whom *Escalate* reaches, from the route that matched (absent or null: TRIAGE_ESCALATE). */
  escalate?: EscalationTargets | null;
}

export type IncidentOutcome =
  | { action: 'opened' | 'updated' | 'resolved'; triageId: string }
  | { action: 'ignored'; triageId: string | null; why: string }
  | { action: 'duplicate'; triageId: string | null }
  /** Older than the last notice applied to the incident: acknowledged, nothing changed. */
  | { action: 'stale'; triageId: string | null; why: string };

export interface IncidentDesk {
  receive(notice: IncidentNotice): Promise<IncidentOutcome>;
}
