/**
 * The triage record: what a triage is at any moment (its state, input, steps, diagnosis, bundle,
 * the incident it was opened for and its history), as stored in Redis and rendered on cards. The
 * state machine (machine.ts) moves it from state to state; everything else reads it.
 */
import type { Change } from './changes/change';
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
  source: 'alertmanager' | 'pagerduty' | 'generic' | 'watch';
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
  /** The denial pattern, when the deny watcher opened it (source `watch`). */
  watch?: WatchPatternView;
}

/**
 * A denial pattern as the deny watcher's card shows it: what is denied, how often, when, and
 * the triage of its previous episode. Times are ISO; outside text in it is already redacted.
 */
export interface WatchPatternView {
  zoneId: string;
  applicationId: string | null;
  applicationName: string | null;
  resource: string | null;
  reason: string;
  /** Denied requests in the window ending at the latest one. */
  windowCount: number;
  windowMs: number;
  /** Denied requests since the episode began. */
  total: number;
  firstAt: string;
  latestAt: string;
  /** Applications denied on this resource for this reason in that window, this one included. */
  applications: number;
  /** Denied requests per `bucketMs` over the hour before the notice, oldest first. */
  lastHour: number[];
  bucketMs: number;
  thresholds: { minDenials: number; windowMs: number; baselineFactor: number };
  /** The pattern's triage before this one, closed when it went quiet. */
  previous: { triageId: string; closedAt: string; link: string | null } | null;
  /** Set once the pattern has gone quiet (the incident is resolved). */
  quietSince: string | null;
  quietMs: number;
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
  history: HistoryEntry[];
  /** The incident this triage was opened for, when an incident source opened it. */
  incident?: IncidentView | null;
  createdAt: string;
  updatedAt: string;
}
