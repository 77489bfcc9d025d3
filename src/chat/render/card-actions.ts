/**
 * What a status card offers, whatever platform draws it: which buttons a triage in a given
 * state shows, which step they act on, whether the card asks for the symptom, and the buttons'
 * labels. The Slack and Teams cards differ in layout only, never in what on-call can do.
 */
import type { HistoryEntry, TriageRecord } from '../../triage/record';
import type { StepId } from '../../triage/model';

/** Every button a card can carry: the walking actions and the symptom choice. */
export const BUTTON_ACTIONS = ['recheck', 'next', 'skip', 'escalate', 'resolve', 'symptom', 'export', 'retry'] as const;
export type ButtonAction = (typeof BUTTON_ACTIONS)[number];

/** The buttons that change a triage (the machine's events). */
export type WalkAction = Exclude<ButtonAction, 'symptom' | 'export'>;

/** *Export* (the postmortem as a Markdown file) shows on a card once it is resolved or escalated. */
export const EXPORT_LABEL = 'Export';
export const showsExport = (r: TriageRecord): boolean => r.state === 'resolved' || r.state === 'escalated';

export const BUTTON_LABELS: Record<WalkAction, string> = {
  recheck: 'Fixed, re-check',
  next: 'Next step',
  skip: 'Skip',
  escalate: 'Escalate',
  resolve: 'Resolved',
  retry: 'Retry',
};

/** Resolved or abandoned: the card keeps its content and loses its buttons. */
export const isFinal = (r: TriageRecord): boolean => r.state === 'resolved' || r.state === 'abandoned';

/** The step the walking buttons act on: the current one, else the diagnosed one. */
export function focusStep(r: TriageRecord): StepId | null {
  return r.current ?? r.diagnosis?.step ?? null;
}

/**
 * A readiness-first triage (no request ID) that has not been told the symptom yet asks for it,
 * unless an incident already named the surface (its alert's, from the catalogue).
 */
export function needsSymptom(r: TriageRecord): boolean {
  const surfaceKnown = !!r.incident && r.incident.surface !== 'unknown';
  return r.input.requestId === null && r.symptom === null && !r.diagnosis && !surfaceKnown && (r.state === 'routed' || r.state === 'walking');
}

/** The walking buttons for the triage's state, in the order they are shown. */
export function walkActions(r: TriageRecord): WalkAction[] {
  if (isFinal(r)) return [];
  if (r.state === 'locating') return ['escalate', 'resolve'];
  if (r.state === 'failed') return ['retry', 'escalate', 'resolve'];
  if (r.state === 'escalated') return ['recheck', 'next', 'skip', 'resolve'];
  return ['recheck', 'next', 'skip', 'escalate', 'resolve'];
}

/** The newest history entry for `action` (who escalated, who resolved). */
export function lastEntry(r: TriageRecord, action: string): HistoryEntry | undefined {
  return [...r.history].reverse().find((h) => h.action === action);
}
