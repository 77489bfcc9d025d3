/**
 * What a stopped triage's card says, whatever platform draws it: which part failed (collecting
 * evidence, or posting to chat), the job's last error, and what *Retry* will do. Plain text
 * parts; each platform marks them up (the error is outside text: drawn as code).
 */
import type { TriageRecord } from '../../triage/record';
import { STEP_IDS } from '../../triage/model';

export interface FailureParts {
  /** `Collecting evidence failed` / `Posting to chat failed`. */
  title: string;
  /** What was done before it stopped (`5 of 8 steps checked`, `the card was not posted`). */
  progress: string;
  /** The job's last error (outside text). */
  reason: string;
  /** What Retry does. */
  retry: string;
}

const POST_JOBS: Record<string, string> = {
  post_card: 'the card was not posted',
  update_card: 'this card was not updated',
  post_step: 'a step reply was not posted',
  post_bundle: 'the diagnostic bundle was not posted',
  post_notice: 'a notice in the thread was not posted',
};

export function failureParts(r: TriageRecord): FailureParts | null {
  const f = r.failure;
  if (r.state !== 'failed' || !f) return null;
  if (f.stage === 'collect') {
    const missing = r.pending.length;
    return {
      title: 'Collecting evidence failed',
      progress: `${STEP_IDS.length - missing} of ${STEP_IDS.length} steps checked`,
      reason: f.reason,
      retry: `Retry collects the ${missing === 1 ? 'missing step' : `${missing} missing steps`} again.`,
    };
  }
  // Steps still pending when a post stopped are collected again by Retry only if their own job
  // stopped too (src/triage/stopped.ts retryPlan), which the card cannot see: it says both.
  const pending = r.pending.length;
  const retry =
    pending === 0
      ? 'Retry posts what is missing.'
      : `Retry posts what is missing, and collects the ${pending === 1 ? 'step' : `${pending} steps`} still unchecked if ${pending === 1 ? 'its' : 'their'} collection stopped too.`;
  return { title: 'Posting to chat failed', progress: POST_JOBS[f.job] ?? 'a post was not made', reason: f.reason, retry };
}
