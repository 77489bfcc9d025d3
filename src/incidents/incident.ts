/**
 * What an incident source hands the command flow: everything starting (or updating, or
 * resolving) a triage needs, derived purely from a validated payload. Nothing here does I/O.
 *
 * Lifecycle, one triage per incident (an Alertmanager group, a PagerDuty incident, a generic
 * `incident_id`), decided by `lifecycleAction` from the payload's signal and time and what the
 * store holds for the incident key:
 *
 *   signal     nothing stored / resolved /   open, same alerts    open, alerts changed
 *              closed in chat
 *   firing     open (a new triage)           ignore               update the card
 *   resolved   ignore                        resolve              resolve
 *   ignored    ignore                        ignore               ignore
 *
 * Incidents apply in order, once: a firing or resolved notice whose time is older than the
 * latest one applied to the incident is `stale` (acknowledged, changes nothing), whatever the
 * row. So a late notice cannot bring back an older alert set, and a resolved incident opens
 * again only for a notice newer than its resolution. A triage closed in chat (resolved,
 * escalated, abandoned) frees its incident: the next notice, even a repeat of the last one,
 * opens a new triage.
 */
import { createHash } from 'node:crypto';
import type { TriageInput } from '../triage/record';
import type { BundleItemId, StepId } from '../triage/model';
import type { AlertGuide } from './catalogue';
import type { ChannelAddress } from './channel';

export const INCIDENT_SOURCES = ['alertmanager', 'pagerduty', 'generic', 'watch'] as const;
export type IncidentSource = (typeof INCIDENT_SOURCES)[number];

/** What the payload says happened: the incident fires (or fires again), resolves, or is nothing to act on. */
export type IncidentSignal = 'firing' | 'resolved' | 'ignored';

export interface IncidentAlert {
  /** `alertname`, or the Caracal alert named in a PagerDuty title; null when there is none. */
  name: string | null;
  status: 'firing' | 'resolved';
  severity: string | null;
  component: string | null;
  summary: string | null;
  startsAt: string | null;
  /** null while firing. */
  endsAt: string | null;
  fingerprint: string | null;
  /** Where the alert came from (Prometheus graph, PagerDuty incident page). */
  link: string | null;
  runbookUrl: string | null;
}

/** What the routes file matches on (incidents, and approval holds: source `caracal`). */
export interface RoutingFacts {
  source: IncidentSource | 'caracal';
  alertname: string | null;
  severity: string | null;
  component: string | null;
  /** PagerDuty service (ID and name). */
  service: { id: string; name: string | null } | null;
  zone: string | null;
  /** The deny watcher's pattern (source `watch`): the denied application, the resource and the reason. */
  resource?: string | null;
  reason?: string | null;
  /** An approval hold's tier (source `caracal`). */
  tier?: string | null;
  /** The application ID: an approval hold's (source `caracal`) or the deny watcher pattern's (source `watch`). */
  application?: string | null;
}

export interface IncidentTriage {
  source: IncidentSource;
  /**
   * The same for every notice of one incident. Letters, digits and `-` only (safe in Redis
   * keys and BullMQ job IDs): `am-<32 hex>`, `pd-<incident ID>`, `hook-<32 hex>`.
   */
  incidentKey: string;
  /** The incident as a person recognises it, for logs and the card (group labels, PagerDuty #number, incident_id). */
  incidentRef: string;
  /** The same for redeliveries of this very notice, different for the next notice. Same charset as incidentKey. */
  deliveryKey: string;
  signal: IncidentSignal;
  /** Why the signal is `ignored` (logged; the route still answers 2xx). */
  ignoredBecause: string | null;
  /** What the triage starts with (symptom and error are never known from an alert). */
  input: TriageInput;
  /** One line for the card, whitespace collapsed, at most 300 characters. */
  title: string;
  alerts: IncidentAlert[];
  /** Alerts Alertmanager left out of the body (`max_alerts`). */
  truncatedAlerts: number;
  /** Equal on a mere re-notification, different when an alert is added or changes status. */
  alertsDigest: string;
  /** The guide of the most severe alert: surface, first action, runbook. */
  guide: AlertGuide;
  /** Steps and bundle items to collect first: the guide's, then those of the group's other alerts. */
  steps: StepId[];
  bundleItems: BundleItemId[];
  routing: RoutingFacts;
  /** The incident in its own tool (PagerDuty page, Alertmanager UI), when known. */
  link: string | null;
  /** Set by the generic hook, whose body names its channel; the routes file decides otherwise. */
  channel: ChannelAddress | null;
  /**
   * When the source says this happened (ms since the epoch): PagerDuty's `occurred_at`; for an
   * Alertmanager group the latest of its firing alerts' `startsAt` and resolved alerts' `endsAt`;
   * the generic hook's signed timestamp; the deny watcher's newest denial (a close: when the
   * pattern went quiet). null when the payload carries none.
   */
  occurredAt: number | null;
}

/**
 * What the desk holds for an incident: its triage is open, was resolved by the source, or was
 * closed in chat (the key is free again); and the time of the latest notice applied to it.
 */
export type IncidentState = { status: 'open' | 'resolved' | 'closed'; alertsDigest: string; lastEventAt?: number | null } | null;
export type LifecycleAction = 'open' | 'update' | 'resolve' | 'ignore' | 'stale';

export function lifecycleAction(t: Pick<IncidentTriage, 'signal' | 'alertsDigest'> & { occurredAt?: number | null }, current: IncidentState): LifecycleAction {
  if (t.signal === 'ignored') return 'ignore';
  if (current?.lastEventAt != null && t.occurredAt != null && t.occurredAt < current.lastEventAt) return 'stale';
  const open = current?.status === 'open';
  if (t.signal === 'resolved') return open ? 'resolve' : 'ignore';
  if (!open) return 'open';
  return current.alertsDigest === t.alertsDigest ? 'ignore' : 'update';
}

/** 32 hex digits of SHA-256 over the parts (NUL-separated, so parts cannot run into each other). */
export function digest(...parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 32);
}

const TITLE_MAX = 300;

/** Text from outside as one line: control characters and runs of whitespace become one space; clipped with `…`. */
export function oneLine(text: string, max = TITLE_MAX): string {
  const flat = text.replace(/[\s\x00-\x1f\x7f]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Union of the guides' steps and items, in order, without repeats. */
export function collectFirst(guides: readonly AlertGuide[]): { steps: StepId[]; bundleItems: BundleItemId[] } {
  const steps = new Set<StepId>();
  const items = new Set<BundleItemId>();
  for (const g of guides) {
    g.steps.forEach((s) => steps.add(s));
    g.bundleItems.forEach((i) => items.add(i));
  }
  return { steps: [...steps], bundleItems: [...items] };
}

const SEVERITY_RANK: Record<string, number> = { critical: 4, error: 3, high: 3, warning: 2, low: 1, info: 1 };
export const severityRank = (s: string | null | undefined): number => (s ? (SEVERITY_RANK[s.toLowerCase()] ?? 0) : 0);
