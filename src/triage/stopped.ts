/**
 * A triage that stopped because a job failed for good, and *Retry*: the two decisions the machine
 * makes about them, as pure functions (the machine builds the record and effects around them).
 *
 *   stopFor   may this job failure stop the triage, and with what failure on the record
 *   retryPlan may the triage start again, into which state, collecting which steps
 */
import { STEP_IDS, type StepId } from './model';
import type { TriageFailure, TriageRecord, TriageState } from './record';

/** A job's error as one bounded line for the card and the history. */
export function failureLine(reason: string): string {
  const flat = reason.replace(/[\s\x00-\x1f\x7f]+/g, ' ').trim() || 'no reason given';
  return flat.length > 300 ? `${flat.slice(0, 299)}…` : flat;
}

/** Walking the steps needs the evidence a failed triage does not have yet. */
export const STOPPED = 'This triage stopped because a job failed; click Retry first (or resolve or escalate it).';

export type Refusal = { ok: false; message: string };

/**
 * The failure a failed job puts on the record. Refused when the triage already stopped, when a
 * collection's job fails after the collection finished, or when an older collection's job fails
 * (a later one runs).
 */
export function stopFor(
  record: TriageRecord,
  event: { stage: TriageFailure['stage']; job: string; reason: string; collectVersion?: number },
  at: string,
): Refusal | { ok: true; failure: TriageFailure; action: string } {
  if (record.state === 'failed') return { ok: false, message: 'This triage has already stopped.' };
  if (event.stage === 'collect') {
    if (record.pending.length === 0) return { ok: false, message: 'The collection had finished; nothing stopped.' };
    if (event.collectVersion !== undefined && event.collectVersion !== (record.collectVersion ?? 1)) {
      return { ok: false, message: 'An earlier collection failed; a later one runs.' };
    }
  }
  const failure: TriageFailure = { stage: event.stage, job: event.job, reason: failureLine(event.reason), at, from: record.state };
  return { ok: true, failure, action: event.stage === 'collect' ? 'collecting evidence failed' : 'posting to chat failed' };
}

/**
 * Where *Retry* (or the bot's own restart) takes a triage. A failed collection, or (no failure
 * recorded) a collection whose job is gone, collects again: the steps still pending. A failed post
 * queues the posts again and nothing more (a collection still running carries on), unless the
 * caller looked and saw the collection's job stopped too (`collectionStopped`: it failed for good
 * or is gone, as after Redis refused writes for a while, when a post's failure is the one the
 * record kept): then the pending steps are collected again as well. Back where it stopped; a
 * collection that finished meanwhile leaves `locating` behind.
 */
export function retryPlan(record: TriageRecord, collectionStopped = false): Refusal | { ok: true; state: TriageState; collect: StepId[] | null } {
  const stranded = record.pending.length > 0;
  if (record.state !== 'failed' && !stranded) return { ok: false, message: 'Nothing to retry: this triage has not stopped.' };
  const failure = record.failure ?? null;
  const collect = failure ? failure.stage === 'collect' || (stranded && collectionStopped) : true;
  const back = failure?.from ?? record.state;
  const state: TriageState = back === 'locating' && !collect && !stranded ? 'routed' : back;
  return { ok: true, state, collect: collect ? (stranded ? [...record.pending] : [...STEP_IDS]) : null };
}
