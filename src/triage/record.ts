/**
 * The triage record: what a triage is at any moment (its state, input, steps, diagnosis, bundle,
 * the incident it was opened for and its history), as stored in Redis and rendered on cards. The
 * state machine (machine.ts) moves it from state to state; everything else reads it.
 */
import type { Change } from './changes/change';
import type { NameBook } from './names';
import type { Bundle, Diagnosis, StepId, StepResult, Surface, Symptom } from './model';
import type { RoutedError } from './routing';

export const TRIAGE_STATES = ['locating', 'routed', 'walking', 'resolved', 'escalated', 'abandoned', 'failed'] as const;
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
  /**
   * The Caracal deployment to read, as the command or incident named it (`--deployment`, the
   * channel's binding, CARACAL_DEPLOYMENTS_FILE). Absent or null: not named (the only one; with
   * several, the request is looked for in each).
   */
  deployment?: string | null;
}

/** Where a request was looked for across the deployments (deployment-search.ts), and found. */
export interface DeploymentSearch {
  /** Every deployment searched, in configuration order (empty: there was nothing to look for). */
  searched: string[];
  /** Those whose zones hold the request, in the same order. */
  found: string[];
  /** Those that could not be searched (unreachable, a rejected token, zones unreadable), with why. */
  unreadable: Array<{ deployment: string; reason: string }>;
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
  /**
   * The incident was resolved before and fired again later: the triage of that earlier
   * occurrence, and a link to its card when the platform gave one.
   */
  reopenedFrom?: { triageId: string; link: string | null } | null;
  /** The incident's ID in its own tool, where the bot can write back to it (a PagerDuty incident ID). */
  sourceId?: string | null;
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
  /** Denied requests per minute over the same hour, oldest first (60): the card's chart. Absent on records written before it. */
  perMinute?: number[];
  thresholds: { minDenials: number; windowMs: number; baselineFactor: number };
  /** The pattern's triage before this one, closed when it went quiet. */
  previous: { triageId: string; closedAt: string; link: string | null } | null;
  /** Set once the pattern has gone quiet (the incident is resolved). */
  quietSince: string | null;
  quietMs: number;
}

export const MAX_INCIDENT_ALERTS = 20;

/**
 * Why a triage stopped: a job that failed for good (its retries used up, or refused outright),
 * what it was doing and why, and the state it was in (Retry goes back to it). The triage is then
 * `failed`: its card says so and offers *Retry* instead of collecting forever.
 */
export interface TriageFailure {
  /** Collecting evidence, or posting to chat. */
  stage: 'collect' | 'post';
  /** The job's name (`collect`, `post_card`, `update_card`, …). */
  job: string;
  /** The job's last error, one line, redacted. */
  reason: string;
  at: string;
  /** The state before the failure. */
  from: TriageState;
}

export interface HistoryEntry {
  at: string;
  actor: Actor;
  action: string;
  step?: StepId;
}

/**
 * One person or group an escalation names on one chat platform: the platform's registered name
 * and its own ID (a Slack user group `S…` or user `U…`, a Teams user's object ID), which only
 * that platform's adapter reads and renders as a mention; `name` is what a mention shows where
 * the platform needs one (Teams).
 */
export interface ChatMention {
  platform: string;
  id: string;
  name?: string;
}

/** Who an escalation reaches: people to mention in the thread (per platform) and/or PagerDuty. */
export interface EscalationTargets {
  mentions: ChatMention[];
  pagerduty: boolean;
}

/** How one outside delivery of an escalation went (a PagerDuty event, a note on its incident). */
export type Delivery =
  | { status: 'pending' }
  | { status: 'sent'; at: string; detail?: string }
  | { status: 'failed'; at: string; reason: string }
  | { status: 'skipped'; at: string; reason: string };

/** One click of *Escalate*: whom it named, and what became of each delivery. */
export interface Escalation {
  /** 1 for the first escalation of the triage, 2 for the next… (its escalation version). */
  n: number;
  at: string;
  actor: Actor;
  /** Where its targets came from: the incident's route, TRIAGE_ESCALATE, or nowhere. */
  from: 'route' | 'default' | 'none';
  /** Everyone named, on every platform; the card's platform mentions its own. */
  mentions: ChatMention[];
  /** The PagerDuty Events trigger; null when PagerDuty was not asked. */
  pagerduty: Delivery | null;
  /** A note on the PagerDuty incident the triage was opened for; absent until the worker decides. */
  note?: Delivery;
}

/**
 * A thread message besides the steps and the bundle, posted once (its key is its identity in
 * the thread): the mention an escalation makes, a reminder naming the step that waits.
 */
export interface Notice {
  key: string;
  kind: 'escalation' | 'reminder';
  at: string;
  /** The escalation it announces (kind `escalation`). */
  escalation?: number;
  /** The step that waits on a person (kind `reminder`); null when none is open. */
  step?: StepId | null;
  /** How long no one had acted (kind `reminder`, ms). */
  idleMs?: number;
}

export interface TriageRecord {
  id: string;
  version: number;
  state: TriageState;
  input: TriageInput;
  /** Zone the request was found in (may differ from input.zoneId when it was searched). */
  zoneId: string | null;
  /** The deployment it reads, once known; absent while the bot serves one deployment it did not need to name. */
  deployment?: string;
  /** How the deployment was found when nothing named it (several deployments searched); absent otherwise. */
  deploymentSearch?: DeploymentSearch;
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
  /** Set while the triage is `failed`: the job that failed and why. */
  failure?: TriageFailure | null;
  /**
   * The record version that asked for the running collection: its job is
   * `collect-<id>-v<collectVersion>` (absent on records written before it was kept: 1).
   */
  collectVersion?: number;
  /**
   * The version of the last *Retry* (or restart), when there was one: jobs queued again after
   * it carry it in their IDs, since BullMQ ignores an add whose job ID is still in its failed set.
   */
  restartVersion?: number;
  /** Who *Escalate* reaches, from the incident route that opened the triage; absent: TRIAGE_ESCALATE at the click. */
  escalateTo?: EscalationTargets | null;
  /** Every escalation, oldest first. */
  escalations?: Escalation[];
  /** Thread messages besides steps and bundle, oldest first. */
  notices?: Notice[];
  /** The last change that counts as activity (a reminder or a delivery report does not); absent: updatedAt. */
  activeAt?: string;
  /** The idle period (its `activeAt`) a reminder was posted for: one reminder per idle period. */
  remindedFor?: string;
  /** Set when abandoned: how long no one had acted (ms). */
  abandonedAfterMs?: number;
  /** The PagerDuty `resolve` sent when the triage was resolved. */
  pagerdutyResolve?: Delivery;
  createdAt: string;
  updatedAt: string;
}

/** Since when no one has acted on a triage: its last activity. */
export function idleSince(r: Pick<TriageRecord, 'activeAt' | 'updatedAt'>): string {
  return r.activeAt ?? r.updatedAt;
}
