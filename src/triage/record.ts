/**
 * The triage record: what a triage is at any moment (its state, input, steps, diagnosis, bundle,
 * the incident it was opened for and its history), as stored in Redis and rendered on cards. The
 * state machine (machine.ts) moves it from state to state; everything else reads it.
 */
import type { Change } from './changes/change';
import type { NameBook } from './names';
import type { Bundle, Diagnosis, StepId, StepResult, Surface, Symptom } from './model';
import type { RoutedError } from './routing';

export const TRIAGE_STATES = ['locating', 'routed', 'walking', 'resolved', 'escalated', 'abandoned'] as const;
export type TriageState = (typeof TRIAGE_STATES)[number];
export const FINAL_STATES: readonly TriageState[] = ['resolved', 'abandoned'];

export interface TriageInput {
  requestId: string | null;
  zoneId: string | null;
  symptom: Symptom | null;
  /** A Caracal error code or a whole error body pasted by the user (already redacted). */
  error: string | null;
  /**
   * `error` routed to its symptom, status and request ID, once, where it came in (the command
   * grammar, the terminal's arguments); the session reads it instead of routing the text again.
   * Absent on records stored before it was carried: the session routes `error` then.
   */
  errorRoute?: RoutedError | null;
}

/** Who caused an event: a chat user, a webhook, or the bot itself. */
export interface Actor {
  kind: 'user' | 'webhook' | 'system';
  id: string;
  name?: string;
}

/**
 * The incident a triage was opened for (an Alertmanager group, a PagerDuty incident, a generic
 * webhook's incident), as its card shows it: what fired, what to do first, where it lives.
 * Outside text in it is already redacted; renderers still neutralise it.
 */
export interface IncidentView {
  source: 'alertmanager' | 'pagerduty' | 'generic';
  /** How people name it: group labels, PagerDuty #number, the incident_id. */
  ref: string;
  title: string;
  status: 'firing' | 'resolved';
  /** The surface the alert points at, before any evidence. */
  surface: Surface;
  /** One sentence: what on-call does first (from the alert's runbook). */
  firstAction: string;
  runbookUrl: string | null;
  link: string | null;
  /** The alerts as they stand, at most MAX_INCIDENT_ALERTS of them. */
  alerts: Array<{ name: string | null; status: 'firing' | 'resolved'; severity: string | null; summary: string | null }>;
  /** Alerts left out (by the source, or beyond MAX_INCIDENT_ALERTS). */
  moreAlerts: number;
}

export const MAX_INCIDENT_ALERTS = 20;

export interface HistoryEntry {
  at: string;
  actor: Actor;
  action: string;
  step?: StepId;
}

export interface TriageRecord {
  id: string;
  version: number;
  state: TriageState;
  input: TriageInput;
  /** Zone the request was found in (may differ from input.zoneId when it was searched). */
  zoneId: string | null;
  /** Latest result per step, in step order. */
  steps: StepResult[];
  /** Steps whose evidence is being (re)collected. */
  pending: StepId[];
  /** The step on-call is looking at, once walking. */
  current: StepId | null;
  symptom: Symptom | null;
  surface: Surface | null;
  diagnosis: Diagnosis | null;
  bundle: Bundle | null;
  /** Admin changes before the denial, ranked (absent on records written before they were read). */
  changes?: Change[];
  /** What people call the zones, applications, resources and policy sets read, by ID (absent on older records). */
  names?: NameBook;
  history: HistoryEntry[];
  /** The incident this triage was opened for, when an incident source opened it. */
  incident?: IncidentView | null;
  createdAt: string;
  updatedAt: string;
}
