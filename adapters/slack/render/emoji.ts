/** Slack emoji for verdicts, bundle statuses and triage states. */
import type { TriageState } from '../../../src/triage/record';
import type { BundleStatus, Verdict } from '../../../src/triage/model';

export const VERDICT_EMOJI: Record<Verdict, string> = {
  pass: ':white_check_mark:',
  fail: ':x:',
  unknown: ':grey_question:',
  manual: ':raising_hand:',
  skipped: ':fast_forward:',
};

export const PENDING_EMOJI = ':hourglass_flowing_sand:';
export const NOT_CHECKED_EMOJI = ':white_circle:';

export const BUNDLE_STATUS_EMOJI: Record<BundleStatus, string> = {
  ok: ':white_check_mark:',
  warn: ':warning:',
  fail: ':x:',
  unavailable: ':grey_question:',
};

export const STATE_EMOJI: Record<TriageState, string> = {
  locating: ':mag:',
  routed: ':compass:',
  walking: ':footprints:',
  resolved: ':white_check_mark:',
  escalated: ':arrow_double_up:',
  abandoned: ':zzz:',
  failed: ':warning:',
};
