/**
 * The triage model: stable ids for surfaces, symptoms, steps, verdicts and bundle items,
 * and the shapes of a step result, a diagnosis and the whole report (the `--json` contract
 * in the README). Platform-free; every adapter and the CLI speak these types.
 */
import { z } from 'zod';
import { isDotSegment } from '../caracal/path';
import type { Change } from './changes/change';
import type { NameBook } from './names';
import { SYMPTOMS } from './symptoms';

export const SURFACES = [
  'infrastructure',
  'configuration',
  'authentication',
  'sts_policy',
  'resource_verifier',
  'resource_definition',
  'audit_pipeline',
  'revocation',
  'unknown',
] as const;
export const Surface = z.enum(SURFACES);
export type Surface = z.infer<typeof Surface>;

export { SYMPTOMS };
export const Symptom = z.enum(SYMPTOMS);
export type Symptom = z.infer<typeof Symptom>;

/** The eight denied-call steps, in the order they are walked. */
export const STEP_IDS = [
  'readiness',
  'configuration',
  'request_trace',
  'grant_policy',
  'policy_set_activation',
  'requested_scopes',
  'gateway_verifier',
  'audit_trace',
] as const;
export const StepId = z.enum(STEP_IDS);
export type StepId = z.infer<typeof StepId>;

export const STEP_TITLES: Record<StepId, string> = {
  readiness: 'Runtime readiness',
  configuration: 'Configuration (zone, resource, application)',
  request_trace: 'Request trace',
  grant_policy: 'Grant and policy',
  policy_set_activation: 'Policy-set activation',
  requested_scopes: 'Requested scopes',
  gateway_verifier: 'Gateway route or verifier',
  audit_trace: 'Audit trace',
};

export const VERDICTS = ['pass', 'fail', 'unknown', 'manual', 'skipped'] as const;
export const Verdict = z.enum(VERDICTS);
export type Verdict = z.infer<typeof Verdict>;

/** Evidence is a JSON object; it is always redacted before it leaves the engine. */
export type Evidence = Record<string, unknown>;

export interface StepResult {
  id: StepId;
  verdict: Verdict;
  /** One sentence a person can read in chat. */
  summary: string;
  /** Machine-readable cause when verdict is `fail` (e.g. `scope_mismatch`, `no_active_policy_set`). */
  cause?: string;
  evidence: Evidence;
  /** When a stored triage recorded this result (ISO, set by the state machine); absent in a terminal report. */
  at?: string;
}

export const CONFIDENCES = ['high', 'medium', 'low'] as const;
export type Confidence = (typeof CONFIDENCES)[number];

export interface Diagnosis {
  surface: Surface;
  /** Id of the step that holds the root cause. */
  step: StepId;
  /** Machine-readable cause, e.g. `scope_mismatch`, `redis_unreachable`, `request_not_found`. */
  cause: string;
  summary: string;
  confidence: Confidence;
  /**
   * The admin change the evidence names as the cause (its sentence is in `summary`), or null.
   * Set by the session's conclusion; absent only on diagnoses made without the bundle.
   */
  change?: Change | null;
}

export const BUNDLE_ITEM_IDS = [
  'config_summary',
  'readiness',
  'zones',
  'preflight',
  'provider_binding',
  'request_trace',
  'recent_changes',
] as const;
export const BundleItemId = z.enum(BUNDLE_ITEM_IDS);
export type BundleItemId = z.infer<typeof BundleItemId>;

export const BUNDLE_STATUSES = ['ok', 'warn', 'fail', 'unavailable'] as const;
export type BundleStatus = (typeof BUNDLE_STATUSES)[number];

export interface BundleItem {
  id: BundleItemId;
  status: BundleStatus;
  summary: string;
  evidence: Evidence;
}

export interface Bundle {
  items: BundleItem[];
  /** How many secret values were replaced by redaction across the bundle. */
  redactions: number;
}

export const HEADLINE_STATES = ['failing', 'clear', 'undetermined'] as const;
export type HeadlineState = (typeof HEADLINE_STATES)[number];

/** What a finished triage leads with (built by headline.ts). */
export interface Headline {
  state: HeadlineState;
  /** One sentence; for `undetermined` it names the unchecked steps and what to give. */
  text: string;
  /** Steps whose verdict is `unknown` (could not be checked). */
  unchecked: StepId[];
  /** What the user can give to check more (empty when nothing given would help). */
  give: string[];
}

/** The `--json` output of `caracal-triage triage`. */
export interface TriageReport {
  requestId: string | null;
  zoneId: string | null;
  symptom: Symptom | null;
  surface: Surface | null;
  diagnosis: Diagnosis | null;
  /** The headline every renderer leads with: failing, clear, or not determined (headline.ts). */
  headline: Headline;
  steps: Array<Pick<StepResult, 'id' | 'verdict' | 'summary' | 'evidence'> & { cause?: string }>;
  bundle: Bundle;
  /** Admin changes in the window before the denial, ranked (at most 20; `recent_changes` in the bundle holds the window). */
  changes: Change[];
  /** What people call the zones, applications, resources and policy sets read, by ID (names.ts). */
  names: NameBook;
  /** The Caracal deployment read (`default` for the single-deployment variables); absent from an engine built without one. */
  deployment?: string;
}

/** Request IDs as the API and Coordinator keep them. */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9_.\-:]{1,128}$/;
/** Gateway keeps any 1–128 printable ASCII; such IDs are looked up through `/audit?request_id=`. */
export const GATEWAY_REQUEST_ID_PATTERN = /^[\x21-\x7e]{1,128}$/;
/** `.` and `..` would name a parent path in the URLs the IDs go into (src/caracal/path.ts). */
export const RequestId = z
  .string()
  .regex(GATEWAY_REQUEST_ID_PATTERN, 'a request ID is 1 to 128 printable ASCII characters without spaces, e.g. 0190a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b')
  .refine((v) => !isDotSegment(v), 'a request ID cannot be "." or ".." (it would name a parent path)');
export const ZoneId = z
  .string()
  .regex(REQUEST_ID_PATTERN, 'a zone ID is 1 to 128 characters of A-Z a-z 0-9 _ . - :')
  .refine((v) => !isDotSegment(v), 'a zone ID cannot be "." or ".." (it would name a parent path)');

/**
 * A zone as a person names it on the command line: its ID, slug or name (names may hold
 * spaces). Resolved to the ID through `GET /v1/zones` before any URL is built (locate.ts); only
 * visible characters, so nothing it holds can hide in an answer that echoes it.
 */
export const ZoneRef = z
  .string()
  .min(1, 'a zone is its ID, slug or name')
  .max(128, 'a zone ID, slug or name is at most 128 characters')
  .refine((v) => !/[\p{Cc}\p{Cf}]/u.test(v) && v.trim() === v, 'a zone ID, slug or name holds no control or invisible characters and no surrounding spaces')
  .refine((v) => !isDotSegment(v), 'a zone cannot be "." or ".." (it would name a parent path)');
