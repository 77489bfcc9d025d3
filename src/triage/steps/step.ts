/**
 * The shape every denied-call step has: the evidence it needs (so the session gathers only
 * that, in parallel with the other steps) and a pure judge that turns evidence into a verdict.
 */
import type { EvidenceFor, EvidenceKey, Fetched, JudgeContext } from '../evidence-model';
import type { Evidence, StepId, StepResult } from '../model';

export interface StepDefinition<K extends EvidenceKey = EvidenceKey> {
  id: StepId;
  needs: readonly K[];
  judge(evidence: EvidenceFor<K>, ctx: JudgeContext): StepResult;
}

/** Keeps `needs` and the judge's evidence type in sync. */
export function defineStep<K extends EvidenceKey>(step: StepDefinition<K>): StepDefinition<K> {
  return step;
}

export const pass = (id: StepId, summary: string, evidence: Evidence = {}): StepResult => ({ id, verdict: 'pass', summary, evidence });
export const fail = (id: StepId, cause: string, summary: string, evidence: Evidence = {}): StepResult => ({ id, verdict: 'fail', cause, summary, evidence });
/** Could not check; `cause` says why (e.g. `timeout`, `admin_token_read_only`, `not_configured`). */
export const unknown = (id: StepId, summary: string, evidence: Evidence = {}, cause?: string): StepResult =>
  cause ? { id, verdict: 'unknown', cause, summary, evidence } : { id, verdict: 'unknown', summary, evidence };
export const manual = (id: StepId, summary: string, evidence: Evidence = {}): StepResult => ({ id, verdict: 'manual', summary, evidence });

/** Evidence form of a fetch: the value, or the failure in a form a person can read. */
export function shown<T>(f: Fetched<T>): unknown {
  return f.ok ? f.value : { unavailable: f.error };
}

/** "why a read did not work", for summaries. */
export function whyUnavailable(f: Fetched<unknown>): string {
  if (f.ok) return '';
  const e = f.error;
  if (e.code === 'admin_token_read_only') return 'the admin token is read-only';
  if (e.code === 'timeout') return `the call timed out (${e.message})`;
  // A refusal of this one read (others were answered: a token refused everywhere stops the triage).
  if (e.kind === 'api' && e.status === 401) return `Caracal refused the admin token for this read (${e.message})`;
  if (e.kind === 'api' && e.status === 403) return `the admin token may not make this read (${e.message})`;
  return e.message;
}

/**
 * An outside value as a code span in a summary. Renderers draw the summary's paired backticks as
 * code (src/render/outside-text.ts, sentenceParts), so a backtick inside the value becomes
 * U+02CB here and the span's delimiters stay the bot's own.
 */
export const tick = (x: string): string => `\`${x.replace(/`/g, 'ˋ')}\``;

export const list = (xs: readonly string[]): string => xs.map(tick).join(', ');

/** "1 zone", "2 zones": a count with its noun in the right number. */
export const count = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
