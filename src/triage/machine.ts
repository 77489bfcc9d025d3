/**
 * The triage state machine as a pure function: `(record, event, now) → {record, effects}`.
 *
 *   locating ──collection_finished──▶ routed ──next/skip/recheck──▶ walking
 *      ▲                                 │                             │
 *      └──────symptom_chosen─────────────┘        escalate ▶ escalated │ resolve ▶ resolved
 *   any non-final state ──expire──▶ abandoned
 *   any non-final state ──job_failed──▶ failed ──retry──▶ the state it failed in (collecting again)
 *
 * Escalation, reminders and deliveries (escalation.ts): *Escalate* records whom it names (the
 * route's targets, else the defaults the click carries) and asks for the thread mention and the
 * worker's PagerDuty calls; `remind` posts one reminder per idle period; the worker reports each
 * delivery back (`escalation_delivered`, `pagerduty_resolved`), even after the triage ended.
 * Reminders and delivery reports are not activity: they keep `activeAt`, so they neither reset
 * the idle clock nor postpone abandonment.
 *
 * Nothing here does I/O. The caller persists the new record (compare-and-set on `version`)
 * and carries out the effects (collect evidence, post or update chat messages, audit).
 */
import type { Change } from './changes/change';
import type { NameBook } from './names';
import type { Bundle, Diagnosis, StepId, StepResult, Surface, Symptom } from './model';
import { STEP_IDS } from './model';
import { formatDuration } from '../config/duration';
import { describeTargets, needsWorker, newEscalation, noticeKey, pagedPagerDuty, WAITING_STATES, withDelivery } from './escalation';
import { retryPlan, STOPPED, stopFor } from './stopped';
import { applyDeploymentSearch, type DeploymentSearched } from './deployment-event';
import { FINAL_STATES, idleSince, type Actor, type Delivery, type EscalationTargets, type HistoryEntry, type IncidentView, type TriageFailure, type TriageInput, type TriageRecord, type TriageState } from './record';

export type TriageEvent =
  | { type: 'step_collected'; result: StepResult }
  | {
      type: 'collection_finished';
      zoneId: string | null;
      symptom: Symptom | null;
      surface: Surface | null;
      diagnosis: Diagnosis | null;
      bundle: Bundle | null;
      /** Admin changes before the denial, ranked; absent: keep what the record has. */
      changes?: Change[];
      /** Names of what was read, by ID; absent: keep what the record has. */
      names?: NameBook;
    }
  | DeploymentSearched
  | { type: 'symptom_chosen'; actor: Actor; symptom: Symptom; expectedVersion?: number }
  | { type: 'next'; actor: Actor; expectedVersion?: number }
  | { type: 'recheck'; actor: Actor; step?: StepId; expectedVersion?: number }
  | { type: 'skip'; actor: Actor; step?: StepId; expectedVersion?: number }
  /** `defaults`: whom to reach when the triage's route named no one (TRIAGE_ESCALATE; the service adds it). */
  | { type: 'escalate'; actor: Actor; expectedVersion?: number; defaults?: EscalationTargets | null }
  | { type: 'resolve'; actor: Actor; expectedVersion?: number }
  /** The incident's source notified again: new or changed alerts, or (with status resolved) the end. */
  | { type: 'incident_updated'; actor: Actor; incident: IncidentView; expectedVersion?: undefined }
  /**
   * A job failed for good (its retries used up, or refused outright): the triage stops where it
   * is, visibly. `collectVersion`: the collection the failed job ran (an older one's failure
   * changes nothing).
   */
  | { type: 'job_failed'; stage: TriageFailure['stage']; job: string; reason: string; collectVersion?: number }
  /**
   * Start again what stopped: a person's *Retry* on a failed triage, or the bot itself (a
   * redelivered incident, a repeated command, the reconciler) for a triage whose collection job
   * is gone. A collection restarts for the steps still pending; posts are queued again.
   */
  | { type: 'retry'; actor: Actor; expectedVersion?: number; collectionStopped?: boolean }
  /** No activity for `afterMs` (TRIAGE_ABANDON_AFTER; absent on events from before it was carried). */
  | { type: 'expire'; afterMs?: number }
  /** No activity for `afterMs` (TRIAGE_REMIND_AFTER): one reminder in the thread, naming the step that waits. */
  | { type: 'remind'; afterMs: number }
  /** The worker's report of one delivery of escalation `n` (PagerDuty event, incident note). */
  | { type: 'escalation_delivered'; n: number; channel: 'pagerduty' | 'note'; delivery: Delivery }
  /** The worker's report of the PagerDuty `resolve` sent when the triage was resolved. */
  | { type: 'pagerduty_resolved'; delivery: Delivery };

export type Effect =
  | { type: 'collect'; steps: StepId[] }
  /** Queue again whatever chat posts are missing (the card, its thread, the bundle), under new job IDs. */
  | { type: 'repost' }
  | { type: 'post_step'; step: StepId }
  | { type: 'update_card' }
  | { type: 'audit'; action: string; actor: Actor; from: TriageState; to: TriageState; step?: StepId }
  /** Post a notice (an escalation's mention, a reminder) in the thread. */
  | { type: 'post_notice'; key: string }
  /** The worker's calls for escalation `n` (PagerDuty trigger, incident note). */
  | { type: 'escalate'; n: number }
  /** Resolve the triage's PagerDuty alert. */
  | { type: 'pagerduty_resolve' };

/** Events that report, rather than act: applied even to a finished triage, and never counted as activity. */
const BOOKKEEPING: ReadonlySet<TriageEvent['type']> = new Set(['escalation_delivered', 'pagerduty_resolved']);
const SYSTEM: Actor = { kind: 'system', id: 'caracal-triage' };

export type TransitionResult =
  | { ok: true; record: TriageRecord; effects: Effect[] }
  | { ok: false; reason: 'stale' | 'finished' | 'not_allowed'; message: string };

export function newTriage(id: string, input: TriageInput, now: Date, incident: IncidentView | null = null): { record: TriageRecord; effects: Effect[] } {
  const at = now.toISOString();
  const record: TriageRecord = {
    id,
    version: 1,
    state: 'locating',
    input,
    zoneId: input.zoneId,
    steps: [],
    pending: [...STEP_IDS],
    current: null,
    symptom: input.symptom,
    // An incident that names its surface (a Caracal alert from the catalogue) starts there.
    surface: incidentSurface(incident),
    diagnosis: null,
    bundle: null,
    history: [{ at, actor: { kind: 'system', id: 'caracal-triage' }, action: 'started' }],
    ...(incident ? { incident } : {}),
    collectVersion: 1,
    createdAt: at,
    updatedAt: at,
  };
  return { record, effects: [{ type: 'collect', steps: [...STEP_IDS] }, { type: 'update_card' }] };
}

const stepIndex = (id: StepId): number => STEP_IDS.indexOf(id);

/** The surface an incident points at before any evidence (its alert's, from the catalogue); null when it does not know. */
function incidentSurface(incident: IncidentView | null): Surface | null {
  return incident && incident.surface !== 'unknown' ? incident.surface : null;
}

function upsertStep(steps: StepResult[], result: StepResult): StepResult[] {
  const others = steps.filter((s) => s.id !== result.id);
  return [...others, result].sort((a, b) => stepIndex(a.id) - stepIndex(b.id));
}

/** First step at or after `from` that is not yet passed or skipped; null past the end. */
function nextOpenStep(record: TriageRecord, after: StepId | null): StepId | null {
  const start = after === null ? 0 : stepIndex(after) + 1;
  for (let i = start; i < STEP_IDS.length; i++) {
    const id = STEP_IDS[i];
    const verdict = record.steps.find((s) => s.id === id)?.verdict;
    if (verdict !== 'pass' && verdict !== 'skipped') return id;
  }
  return null;
}

/** Where on-call starts walking: the diagnosed step, else the first step that did not pass. */
function startingStep(record: TriageRecord): StepId | null {
  return record.diagnosis?.step ?? nextOpenStep(record, null);
}

function isHumanEvent(e: TriageEvent): e is Extract<TriageEvent, { actor: Actor }> {
  return 'actor' in e;
}

export function transition(record: TriageRecord, event: TriageEvent, now: Date): TransitionResult {
  if (FINAL_STATES.includes(record.state) && !BOOKKEEPING.has(event.type)) {
    return { ok: false, reason: 'finished', message: `This triage is already ${record.state}.` };
  }
  if (isHumanEvent(event) && event.expectedVersion !== undefined && event.expectedVersion !== record.version) {
    return {
      ok: false,
      reason: 'stale',
      message: 'This card has already advanced since you opened it; nothing was changed. Use the latest card.',
    };
  }
  const at = now.toISOString();
  const from = record.state;
  const base: TriageRecord = { ...record, version: record.version + 1, updatedAt: at, activeAt: at };
  /** The same, for an event that is not activity (the idle clock keeps running). */
  const quiet: TriageRecord = { ...base, activeAt: idleSince(record) };
  const log = (actor: Actor, action: string, step?: StepId): HistoryEntry[] => [
    ...record.history,
    step ? { at, actor, action, step } : { at, actor, action },
  ];
  const audit = (actor: Actor, action: string, to: TriageState, step?: StepId): Effect =>
    step ? { type: 'audit', action, actor, from, to, step } : { type: 'audit', action, actor, from, to };

  if (record.state === 'failed' && (event.type === 'next' || event.type === 'recheck' || event.type === 'skip' || event.type === 'symptom_chosen')) return { ok: false, reason: 'not_allowed', message: STOPPED };
  if (event.type === 'deployment_searched') return applyDeploymentSearch(record, base, event, at);
  switch (event.type) {
    case 'step_collected': {
      const steps = upsertStep(record.steps, { ...event.result, at });
      const pending = record.pending.filter((s) => s !== event.result.id);
      return {
        ok: true,
        record: { ...base, steps, pending },
        effects: [{ type: 'post_step', step: event.result.id }, { type: 'update_card' }],
      };
    }
    case 'collection_finished': {
      const next: TriageRecord = {
        ...base,
        state: record.state === 'locating' ? 'routed' : record.state,
        zoneId: event.zoneId ?? record.zoneId,
        symptom: event.symptom ?? record.symptom,
        surface: event.surface ?? incidentSurface(record.incident ?? null),
        diagnosis: event.diagnosis,
        bundle: event.bundle ?? record.bundle,
        ...(event.changes ?? record.changes ? { changes: event.changes ?? record.changes } : {}),
        ...(event.names ?? record.names ? { names: event.names ?? record.names } : {}),
        pending: [],
      };
      if (next.state === 'walking' && next.current === null) next.current = startingStep(next);
      return { ok: true, record: next, effects: [{ type: 'update_card' }] };
    }
    case 'symptom_chosen': {
      if (record.state !== 'routed' && record.state !== 'walking') {
        return { ok: false, reason: 'not_allowed', message: `A symptom can be chosen once the first checks are done (now ${record.state}).` };
      }
      return {
        ok: true,
        record: {
          ...base,
          state: 'locating',
          symptom: event.symptom,
          input: { ...record.input, symptom: event.symptom },
          pending: [...STEP_IDS],
          collectVersion: base.version,
          history: log(event.actor, `symptom ${event.symptom}`),
        },
        effects: [{ type: 'collect', steps: [...STEP_IDS] }, { type: 'update_card' }, audit(event.actor, `symptom ${event.symptom}`, 'locating')],
      };
    }
    case 'next': {
      if (record.state === 'locating') {
        return { ok: false, reason: 'not_allowed', message: 'Evidence is still being collected; wait for the first results.' };
      }
      const current = record.state === 'routed' ? startingStep(record) : nextOpenStep(record, record.current);
      return {
        ok: true,
        record: { ...base, state: 'walking', current, history: log(event.actor, 'next step', current ?? undefined) },
        effects: [{ type: 'update_card' }, audit(event.actor, 'next', 'walking', current ?? undefined)],
      };
    }
    case 'recheck': {
      if (record.state === 'locating') {
        return { ok: false, reason: 'not_allowed', message: 'Evidence is still being collected; wait for the first results.' };
      }
      const step = event.step ?? record.current ?? startingStep(record) ?? 'readiness';
      const state: TriageState = record.state === 'escalated' ? 'escalated' : 'walking';
      return {
        ok: true,
        record: {
          ...base,
          state,
          current: step,
          pending: [...new Set([...record.pending, step])],
          collectVersion: base.version,
          history: log(event.actor, 'fixed, re-check', step),
        },
        effects: [{ type: 'collect', steps: [step] }, { type: 'update_card' }, audit(event.actor, 'recheck', state, step)],
      };
    }
    case 'skip': {
      if (record.state === 'locating') {
        return { ok: false, reason: 'not_allowed', message: 'Evidence is still being collected; wait for the first results.' };
      }
      const step = event.step ?? record.current ?? startingStep(record);
      if (step === null) return { ok: false, reason: 'not_allowed', message: 'There is no open step left to skip.' };
      const prior = record.steps.find((s) => s.id === step);
      const skipped: StepResult = {
        id: step,
        verdict: 'skipped',
        summary: `Skipped by ${event.actor.name ?? event.actor.id}.`,
        evidence: prior ? { before: { verdict: prior.verdict, summary: prior.summary } } : {},
        at,
      };
      const withSkip: TriageRecord = { ...base, steps: upsertStep(record.steps, skipped) };
      const current = nextOpenStep(withSkip, step);
      return {
        ok: true,
        record: { ...withSkip, state: 'walking', current, history: log(event.actor, 'skip', step) },
        effects: [{ type: 'post_step', step }, { type: 'update_card' }, audit(event.actor, 'skip', 'walking', step)],
      };
    }
    case 'escalate': {
      if (record.state === 'escalated') {
        return { ok: false, reason: 'not_allowed', message: 'This triage is already escalated.' };
      }
      const { escalation, notice } = newEscalation(record, event.actor, event.defaults, at);
      const next: TriageRecord = {
        ...base,
        state: 'escalated',
        history: log(event.actor, 'escalate'),
        escalations: [...(record.escalations ?? []), escalation],
        notices: [...(record.notices ?? []), notice],
      };
      return {
        ok: true,
        record: next,
        effects: [
          { type: 'update_card' },
          audit(event.actor, 'escalate', 'escalated'),
          // Whom it named, when it named anyone (the click alone is the `escalate` entry).
          ...(escalation.mentions.length || escalation.pagerduty ? [audit(event.actor, `escalation ${escalation.n} to ${describeTargets({ mentions: escalation.mentions, pagerduty: escalation.pagerduty !== null })}`, 'escalated')] : []),
          { type: 'post_notice', key: notice.key },
          ...(needsWorker(next, escalation) ? [{ type: 'escalate' as const, n: escalation.n }] : []),
        ],
      };
    }
    case 'resolve': {
      return {
        ok: true,
        record: { ...base, state: 'resolved', current: null, pending: [], history: log(event.actor, 'resolve') },
        effects: [{ type: 'update_card' }, audit(event.actor, 'resolve', 'resolved'), ...(pagedPagerDuty(record) ? [{ type: 'pagerduty_resolve' as const }] : [])],
      };
    }
    case 'incident_updated': {
      const action = event.incident.status === 'resolved' ? `${event.incident.source} resolved the incident` : `${event.incident.source} updated the incident`;
      return {
        ok: true,
        record: { ...base, incident: event.incident, history: log(event.actor, action) },
        effects: [{ type: 'update_card' }, audit(event.actor, 'incident_updated', record.state)],
      };
    }
    case 'job_failed': {
      const stop = stopFor(record, event, at);
      if (!stop.ok) return { ok: false, reason: 'not_allowed', message: stop.message };
      return {
        ok: true,
        record: { ...base, state: 'failed', failure: stop.failure, history: log(SYSTEM, stop.action) },
        effects: [{ type: 'update_card' }, audit(SYSTEM, 'job_failed', 'failed')],
      };
    }
    case 'retry': {
      const plan = retryPlan(record, event.collectionStopped ?? false);
      if (!plan.ok) return { ok: false, reason: 'not_allowed', message: plan.message };
      const steps = plan.collect;
      const next: TriageRecord = {
        ...base,
        state: plan.state,
        failure: null,
        restartVersion: base.version,
        ...(steps ? { pending: steps, collectVersion: base.version } : {}),
        history: log(event.actor, 'retry'),
      };
      // Posts that did not go out are queued again; those that did are marked and skipped.
      const effects: Effect[] = [...(steps ? [{ type: 'collect' as const, steps }] : []), { type: 'repost' }, { type: 'update_card' }, audit(event.actor, 'retry', plan.state)];
      return { ok: true, record: next, effects };
    }
    case 'expire': {
      const why = event.afterMs !== undefined ? `abandoned: no one acted for ${formatDuration(event.afterMs)}` : 'abandoned (no activity)';
      return {
        ok: true,
        record: { ...quiet, state: 'abandoned', pending: [], history: log(SYSTEM, why), ...(event.afterMs !== undefined ? { abandonedAfterMs: event.afterMs } : {}) },
        effects: [{ type: 'update_card' }, audit(SYSTEM, 'expire', 'abandoned')],
      };
    }
    case 'remind': {
      if (!WAITING_STATES.includes(record.state)) {
        return { ok: false, reason: 'not_allowed', message: `Nothing waits on a person while the triage is ${record.state}.` };
      }
      const since = idleSince(record);
      if (record.remindedFor === since) return { ok: false, reason: 'not_allowed', message: 'A reminder was already posted for this idle period.' };
      const key = noticeKey.reminder(base.version);
      const step = record.current ?? record.diagnosis?.step ?? nextOpenStep(record, null);
      const idleMs = Math.max(event.afterMs, now.getTime() - Date.parse(since));
      return {
        ok: true,
        record: {
          ...quiet,
          remindedFor: since,
          notices: [...(record.notices ?? []), { key, kind: 'reminder', at, step, idleMs }],
          history: log(SYSTEM, `reminder: no one acted for ${formatDuration(idleMs)}`, step ?? undefined),
        },
        effects: [{ type: 'post_notice', key }, { type: 'update_card' }, audit(SYSTEM, 'remind', record.state, step ?? undefined)],
      };
    }
    case 'escalation_delivered': {
      const escalations = withDelivery(record, event.n, event.channel, event.delivery);
      if (!escalations) return { ok: false, reason: 'not_allowed', message: `This triage has no escalation ${event.n}.` };
      const what = event.channel === 'pagerduty' ? 'PagerDuty trigger' : 'PagerDuty incident note';
      return {
        ok: true,
        record: { ...quiet, escalations },
        effects: [{ type: 'update_card' }, audit(SYSTEM, `escalation ${event.n}: ${what} ${deliveryWord(event.delivery)}`, record.state)],
      };
    }
    case 'pagerduty_resolved': {
      return {
        ok: true,
        record: { ...quiet, pagerdutyResolve: event.delivery },
        effects: [{ type: 'update_card' }, audit(SYSTEM, `PagerDuty resolve ${deliveryWord(event.delivery)}`, record.state)],
      };
    }
  }
}

function deliveryWord(d: Delivery): string {
  switch (d.status) {
    case 'pending':
      return 'pending';
    case 'sent':
      return 'sent';
    case 'failed':
      return `failed: ${d.reason}`;
    case 'skipped':
      return `skipped: ${d.reason}`;
  }
}
