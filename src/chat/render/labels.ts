/**
 * Words and small formatters every chat renderer shares (Slack Block Kit, Teams Adaptive
 * Cards): labels for states, verdicts, symptoms and surfaces, elapsed time, clipping. Plain
 * text only; each platform escapes for its own markup.
 */
import type { TriageRecord, TriageState } from '../../triage/record';
import type { BundleStatus, StepId, Surface, Symptom, Verdict } from '../../triage/model';
import { STEP_IDS } from '../../triage/model';

/** Each state in a word or two (src/report/state-words.ts says where a triage stands in full). */
export const STATE_LABELS: Record<TriageState, string> = {
  locating: 'Collecting evidence',
  routed: 'Needs you',
  walking: 'Needs you',
  resolved: 'Resolved',
  escalated: 'Escalated',
  abandoned: 'Abandoned (no activity)',
  failed: 'Stopped: a job failed',
};

export const VERDICT_LABELS: Record<Verdict, string> = {
  pass: 'pass',
  fail: 'fail',
  unknown: 'unknown',
  manual: 'manual check',
  skipped: 'skipped',
};

/** What on-call sees on the symptom buttons. */
export const SYMPTOM_LABELS: Record<Symptom, string> = {
  config_error: 'Config / startup error',
  unauthenticated: '401 Unauthenticated',
  token_exchange_denied: '403 at token exchange',
  resource_denied: '403 at the resource',
  scope_insufficient_after_allow: 'scope_insufficient after allow',
  no_audit_event: 'No audit event',
  access_after_revocation: 'Access after revocation',
};

export const SURFACE_LABELS: Record<Surface, string> = {
  infrastructure: 'Infrastructure',
  configuration: 'Configuration',
  authentication: 'Authentication',
  sts_policy: 'STS policy',
  resource_verifier: 'Resource verifier',
  resource_definition: 'Resource definition',
  audit_pipeline: 'Audit pipeline',
  revocation: 'Revocation',
  unknown: 'Unknown',
};

export const BUNDLE_STATUS_LABELS: Record<BundleStatus, string> = {
  ok: 'ok',
  warn: 'warning',
  fail: 'fail',
  unavailable: 'unavailable',
};

/** 1-based position of a step ("step 4/8"). */
export function stepNumber(id: StepId): number {
  return STEP_IDS.indexOf(id) + 1;
}

/** `3m 12s`, `1h 04m`, `12s`. */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** Elapsed time of a triage: until now while open, until its last change once final. */
export function triageElapsed(record: TriageRecord, now: Date): string {
  const end = record.state === 'resolved' || record.state === 'abandoned' ? Date.parse(record.updatedAt) : now.getTime();
  return formatElapsed(end - Date.parse(record.createdAt));
}

/** First line only, whitespace collapsed: summaries from Caracal can carry newlines. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Evidence as people read it: indented JSON. */
export function evidenceText(evidence: unknown): string {
  try {
    return JSON.stringify(evidence, null, 2) ?? 'null';
  } catch {
    return String(evidence);
  }
}

/** `HH:MM:SSZ` of an ISO time, for compact history lines. */
export function clock(iso: string): string {
  return iso.length >= 19 ? `${iso.slice(11, 19)}Z` : iso;
}

export const BUNDLE_ITEM_LABELS: Record<import('../../triage/model').BundleItemId, string> = {
  config_summary: 'Configuration summary',
  readiness: 'Service readiness',
  zones: 'Zones',
  preflight: 'Provider preflight',
  provider_binding: 'Provider binding',
  request_trace: 'Request trace',
  recent_changes: 'Recent admin changes',
};
