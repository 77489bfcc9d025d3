/**
 * The worker's side of an escalation (the web only records the click and queues this job):
 *
 *   escalate (n)        the PagerDuty Events v2 trigger of escalation n, then, for a triage a
 *                       PagerDuty incident opened, a note on that incident
 *   pagerduty_resolve   the `resolve` of the triage's PagerDuty alert, once the triage is resolved
 *
 * Exactly once across retries: the job ID is the triage and escalation version (effects.ts);
 * each outcome is applied with a `done:` mark in the same compare-and-set, so a run that died
 * after recording does not record (or audit) again; a trigger sent again after a crash is the
 * same event to PagerDuty (one dedup key per triage); a note carries a tag a retried run looks
 * for before adding it again (its intent is written first). PagerDuty's "try again" (429, 5xx,
 * no answer) delays the job with backoff (Retry-After when given); a 400 is recorded as refused
 * and never sent again. What leaves for PagerDuty is redacted first.
 *
 * A resolve waits for triggers still in flight, so PagerDuty never sees a trigger after the
 * resolve of the same alert; a trigger whose triage ended before it went out is not sent.
 */
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { Redactor } from '../redact/redact';
import { carryOutEffects, type EffectContext } from '../queue/effects';
import { EscalateJobData } from '../queue/jobs';
import type { TriageStore, TriageView } from '../store/triage-store';
import type { TriageEvent } from '../triage/machine';
import { FINAL_STATES, type Delivery, type Escalation } from '../triage/record';
import type { PagerDutyEventsSettings, PagerDutyNotesSettings } from './config';
import { addNote, findNote, sendEvent, type CallResult } from './pagerduty';
import { noteContent, noteTag, resolveEvent, triggerEvent } from './pagerduty-event';

export interface EscalationDeps extends EffectContext {
  store: TriageStore;
  logger: Logger;
  redactor: Redactor;
  /** null: PAGERDUTY_ROUTING_KEY is not set here (a trigger asked for is then recorded as failed). */
  pagerduty: PagerDutyEventsSettings | null;
  /** null: no notes on PagerDuty incidents. */
  notes: PagerDutyNotesSettings | null;
  /** First wait after PagerDuty asked to try again; doubles each time (default 2 s). */
  retryDelayMs?: number;
  /** Longest wait between tries (default 5 min). */
  maxRetryDelayMs?: number;
  /** Calls per delivery before it is recorded as failed (default 10: about 14 minutes of retries). */
  maxTries?: number;
  /** Waits of `cardWaitMs` for the card to be posted, so the page can link it (default 10 × 1 s). */
  cardWaits?: number;
  cardWaitMs?: number;
  now?: () => Date;
}

export type EscalationOutcome = { done: string } | { skipped: string };

const SYSTEM_ATTEMPTS = 20;

export function createEscalationProcessor(deps: EscalationDeps) {
  const { store, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const maxTries = deps.maxTries ?? 10;
  const at = (): string => now().toISOString();
  const failed = (reason: string): Delivery => ({ status: 'failed', at: at(), reason });

  async function delay(job: Job, token: string | undefined, data: EscalateJobData, ms: number, update: Partial<EscalateJobData>): Promise<never> {
    await job.updateData({ ...data, ...update });
    await job.moveToDelayed(Date.now() + Math.max(1, Math.ceil(ms)), token);
    throw new DelayedError();
  }

  /** PagerDuty said "try again": the job waits (its tries counted), or the delivery has failed for good. */
  async function again<T>(job: Job, token: string | undefined, data: EscalateJobData, r: Extract<CallResult<T>, { ok: false }>): Promise<Delivery> {
    const tries = (data.tries ?? 0) + 1;
    if (!r.retry) return failed(r.reason);
    if (tries >= maxTries) return failed(`${r.reason}; gave up after ${tries} tries`);
    const backoff = Math.min(deps.maxRetryDelayMs ?? 300_000, (deps.retryDelayMs ?? 2000) * 2 ** (tries - 1));
    const wait = Math.max(r.retryAfterMs ?? 0, backoff * (0.8 + Math.random() * 0.4));
    logger.warn({ triageId: data.triageId, escalation: data.n ?? null, tries, retryInMs: Math.round(wait), reason: r.reason }, 'PagerDuty asked to try again; the escalation job waits');
    return delay(job, token, data, wait, { tries });
  }

  /** Records an outcome once (the mark), then carries out its effects (card update, audit). */
  async function record(triageId: string, event: TriageEvent, mark: string): Promise<void> {
    const r = await store.apply(triageId, event, { mark, maxAttempts: SYSTEM_ATTEMPTS });
    if (r.ok) {
      if (!r.duplicate) await carryOutEffects(deps, r, 'worker');
      return;
    }
    if (r.reason === 'not_found') return;
    throw new Error(`could not record ${event.type} for ${triageId}: ${r.message}`);
  }

  const redacted = <T>(value: T): T => deps.redactor.redact(value).value;

  async function trigger(job: Job, token: string | undefined, data: EscalateJobData, view: TriageView, e: Escalation): Promise<void> {
    const r = view.record;
    let delivery: Delivery;
    if (FINAL_STATES.includes(r.state)) delivery = { status: 'skipped', at: at(), reason: `the triage was ${r.state} before PagerDuty was called` };
    else if (!deps.pagerduty) delivery = failed('PAGERDUTY_ROUTING_KEY is not set where the worker runs');
    else {
      const sent = await sendEvent(deps.pagerduty, redacted(triggerEvent(r, e, view.cardLink)));
      delivery = sent.ok ? { status: 'sent', at: at(), detail: `dedup key ${sent.value.dedupKey}` } : await again(job, token, data, sent);
    }
    await record(r.id, { type: 'escalation_delivered', n: e.n, channel: 'pagerduty', delivery }, `done:escalate-${e.n}-pagerduty`);
    logger.info({ triageId: r.id, escalation: e.n, outcome: delivery.status }, 'PagerDuty trigger');
  }

  async function note(job: Job, token: string | undefined, data: EscalateJobData, view: TriageView, e: Escalation, incidentId: string, notes: PagerDutyNotesSettings): Promise<void> {
    const r = view.record;
    const hash = store.keys.triage(r.id);
    const intent = `intent:pdnote.${e.n}`;
    let delivery: Delivery | null = null;
    if (await store.redis.hexists(hash, intent)) {
      // An earlier run may have added it and died before recording it: look first.
      const found = await findNote(notes, incidentId, noteTag(r, e));
      if (found.ok && found.value) delivery = { status: 'sent', at: at(), detail: `note ${found.value.id}` };
      else if (!found.ok && found.retry) delivery = await again(job, token, data, found);
    }
    if (!delivery) {
      await store.redis.ctSetIfExists(hash, intent, String(Date.now()));
      const added = await addNote(notes, incidentId, redacted(noteContent(r, e, view.cardLink)));
      delivery = added.ok ? { status: 'sent', at: at(), detail: `note ${added.value.id}` } : await again(job, token, data, added);
    }
    await record(r.id, { type: 'escalation_delivered', n: e.n, channel: 'note', delivery }, `done:escalate-${e.n}-note`);
    await store.redis.hdel(hash, intent);
    logger.info({ triageId: r.id, escalation: e.n, outcome: delivery.status }, 'PagerDuty incident note');
  }

  async function resolve(job: Job, token: string | undefined, data: EscalateJobData, view: TriageView): Promise<EscalationOutcome> {
    const r = view.record;
    if (r.pagerdutyResolve) return { skipped: 'already resolved in PagerDuty' };
    const asked = (r.escalations ?? []).filter((e) => e.pagerduty !== null);
    if (asked.length === 0) return { skipped: 'PagerDuty was never asked' };
    if (!deps.pagerduty) {
      logger.warn({ triageId: r.id }, 'cannot resolve the PagerDuty alert: PAGERDUTY_ROUTING_KEY is not set where the worker runs');
      return { skipped: 'no routing key' };
    }
    // A trigger still in flight goes first, so PagerDuty never sees it after the resolve.
    const waits = data.waits ?? 0;
    if (asked.some((e) => e.pagerduty?.status === 'pending') && waits < maxTries) return delay(job, token, data, Math.min(30_000, (deps.retryDelayMs ?? 2000) * 2 ** waits), { waits: waits + 1 });
    const sent = await sendEvent(deps.pagerduty, resolveEvent(r));
    const delivery: Delivery = sent.ok ? { status: 'sent', at: at(), detail: `dedup key ${sent.value.dedupKey}` } : await again(job, token, data, sent);
    await record(r.id, { type: 'pagerduty_resolved', delivery }, 'done:pdresolve');
    logger.info({ triageId: r.id, outcome: delivery.status }, 'PagerDuty resolve');
    return { done: `resolve ${delivery.status}` };
  }

  return async function processEscalation(job: Job, token?: string): Promise<EscalationOutcome> {
    const parsed = EscalateJobData.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid escalation job data: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    const data = parsed.data;
    const view = await store.view(data.triageId);
    if (!view) return { skipped: 'triage gone' };
    if (data.n === undefined) return resolve(job, token, data, view);
    const e = view.record.escalations?.find((x) => x.n === data.n);
    if (!e) throw new UnrecoverableError(`triage ${data.triageId} has no escalation ${data.n}`);
    // The page links the card: give a card that is being posted a moment to exist, and its link
    // (stored just after the card's reference, where the platform has links) one more moment.
    const waits = data.waits ?? 0;
    const cardComing = !view.ref && !view.cardFailed && waits < (deps.cardWaits ?? 10);
    const linkComing = !!view.ref && !view.cardLink && !data.linkWait;
    if (e.pagerduty?.status === 'pending' && (cardComing || linkComing)) return delay(job, token, data, deps.cardWaitMs ?? 1000, cardComing ? { waits: waits + 1 } : { linkWait: true });
    if (e.pagerduty?.status === 'pending') await trigger(job, token, data, view, e);
    const incidentId = view.record.incident?.source === 'pagerduty' ? view.record.incident.sourceId : null;
    if (incidentId && deps.notes && e.note === undefined) await note(job, token, data, (await store.view(data.triageId)) ?? view, e, incidentId, deps.notes);
    return { done: `escalation ${e.n}` };
  }
}
