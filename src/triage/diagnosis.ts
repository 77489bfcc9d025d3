/**
 * The diagnosis: which step holds the root cause, on which surface, how sure we are. Pure.
 *
 * Usually the first failing step, with four exceptions where the evidence points past it:
 * - readiness outranks everything (a dead dependency explains every later failure), unless a
 *   later step failed with the very same cause and that cause is not a shared dependency: then
 *   that step is the more specific home for it (a Gateway `revocation_snapshot_stale` belongs
 *   to the Gateway step, audit lag to the audit step), with its surface and fix; Redis,
 *   Postgres and unreachable services stay with readiness;
 * - a requested scope the resource does not define makes the grant check fail too, but the
 *   cause is the scope (`requested_scopes`);
 * - a broken policy-set activation explains a policy deny (STS evaluated no set or an old one),
 *   unless the step says its finding did not shape this request (`explainsRequest: false`);
 * - when STS recorded why it stopped before policy (`scope_mismatch`, `rate_limited`, …), the
 *   step that failed with that very reason holds the cause, even if an earlier step failed on
 *   something the request never reached.
 */
import type { Confidence, Diagnosis, StepId, StepResult, Surface, Symptom } from './model';
import { CONFIDENCES, STEP_IDS, SYMPTOMS } from './model';
import { isAuditReason, isRevocationReason, isSharedDependencyCause } from './health';
import { SYMPTOM_SURFACE } from './routing';
import { GATEWAY_REPLAY_EVENT } from './trace';

/** `winner` failing explains `loser` failing; the diagnosis then names `winner`. */
const EXPLAINS: ReadonlyArray<{ winner: StepId; winnerCauses?: readonly string[]; loser: StepId }> = [
  { winner: 'requested_scopes', winnerCauses: ['scope_mismatch'], loser: 'grant_policy' },
  { winner: 'policy_set_activation', loser: 'grant_policy' },
];

const order = (id: StepId): number => STEP_IDS.indexOf(id);

function explainedByAnother(step: StepResult, failing: StepResult[]): boolean {
  return EXPLAINS.some(
    (rule) =>
      rule.loser === step.id &&
      // A step may say its finding did not shape this request (e.g. a policy set deactivated after STS evaluated it).
      failing.some((w) => w.id === rule.winner && w.evidence.explainsRequest !== false && (!rule.winnerCauses || rule.winnerCauses.includes(w.cause ?? ''))),
  );
}

/** OPA statuses and the summary row: anything else STS records is the reason it stopped before policy. */
const NOT_A_REASON = new Set(['complete', 'partial', 'error', 'exchange_denied']);

/**
 * The reason STS recorded for stopping before policy (`scope_mismatch`, `rate_limited`,
 * `policy_eval_failed`, …), read from the request-trace step's evidence; null for policy
 * decisions, allows, or when the trace was not read.
 */
function recordedReason(steps: readonly StepResult[]): string | null {
  const trace = steps.find((s) => s.id === 'request_trace')?.evidence.trace as { deniedBy?: { eventType?: unknown; evaluationStatus?: unknown } } | undefined;
  if (trace?.deniedBy?.eventType !== undefined && trace.deniedBy.eventType !== 'token_exchange') return null;
  const status = trace?.deniedBy?.evaluationStatus;
  return typeof status === 'string' && !NOT_A_REASON.has(status) ? status : null;
}

/** The failing step that holds the root cause, or null when nothing failed. */
export function rootCauseStep(steps: readonly StepResult[]): StepResult | null {
  const failing = steps.filter((s) => s.verdict === 'fail').sort((a, b) => order(a.id) - order(b.id));
  if (failing.length === 0) return null;
  const readiness = failing.find((s) => s.id === 'readiness');
  if (readiness) {
    const services = Array.isArray(readiness.evidence.services) ? (readiness.evidence.services as Array<{ service?: unknown; state?: unknown }>) : [];
    const notReady = services.filter((s) => s.state === 'not_ready').map((s) => String(s.service));
    if (isSharedDependencyCause(readiness.cause ?? '', notReady)) return readiness;
    return failing.find((s) => s.id !== 'readiness' && s.cause !== undefined && s.cause === readiness.cause) ?? readiness;
  }
  // STS's own recorded reason beats an earlier step that failed on something this request never reached
  // (a zone without an active policy set does not explain a pre-policy scope_mismatch).
  const reason = recordedReason(steps);
  const recorded = reason ? failing.find((s) => s.cause === reason) : undefined;
  if (recorded) return recorded;
  return failing.find((s) => !explainedByAnother(s, failing)) ?? failing[0]!;
}

export function surfaceOf(step: StepResult, symptom: Symptom | null): Surface {
  const cause = step.cause ?? '';
  switch (step.id) {
    case 'readiness':
      if (isAuditReason(cause)) return 'audit_pipeline';
      if (isRevocationReason(cause)) return 'revocation';
      return 'infrastructure';
    case 'configuration':
      return 'configuration';
    case 'request_trace':
      return step.evidence.surface === 'audit_pipeline' ? 'audit_pipeline' : 'unknown';
    case 'grant_policy':
      return cause.startsWith('subject_federation_') ? 'authentication' : 'sts_policy';
    case 'policy_set_activation':
      return 'sts_policy';
    case 'requested_scopes':
      return 'resource_definition';
    case 'gateway_verifier':
      if (isRevocationReason(cause)) return 'revocation';
      if (cause === 'operation_not_permitted') return 'resource_definition';
      // The Gateway's replay guard refused a reused mandate: the verifier's finding, whatever the 401 suggests.
      if (cause === GATEWAY_REPLAY_EVENT) return 'resource_verifier';
      if (symptom === 'unauthenticated') return 'authentication';
      return 'resource_verifier';
    case 'audit_trace':
      return 'audit_pipeline';
  }
}

function confidenceOf(step: StepResult): Confidence {
  const c = step.evidence.confidence;
  return typeof c === 'string' && (CONFIDENCES as readonly string[]).includes(c) ? (c as Confidence) : 'high';
}

export function diagnose(steps: readonly StepResult[], symptom: Symptom | null): Diagnosis | null {
  const root = rootCauseStep(steps);
  if (!root) return null;
  return {
    surface: surfaceOf(root, symptom),
    step: root.id,
    cause: root.cause ?? 'unspecified',
    summary: root.summary,
    confidence: confidenceOf(root),
  };
}

/**
 * The symptom when none was given or routed: read from the trace the request-trace step found
 * (a deny at token exchange → token_exchange_denied; the Gateway's replay denial, which it
 * answers 401 invalid_token, or a Gateway 401/403 → unauthenticated / resource_denied).
 */
export function inferSymptom(steps: readonly StepResult[]): Symptom | null {
  const trace = steps.find((s) => s.id === 'request_trace')?.evidence.trace as
    | { finalDecision?: string; deniedBy?: { eventType?: string }; events?: Array<{ gatewayStatus?: number | null }> }
    | undefined;
  if (!trace) return null;
  if (trace.finalDecision === 'deny' && trace.deniedBy?.eventType === 'token_exchange') return 'token_exchange_denied';
  if (trace.finalDecision === 'deny' && trace.deniedBy?.eventType === GATEWAY_REPLAY_EVENT) return 'unauthenticated';
  const gatewayStatuses = (trace.events ?? []).map((e) => e.gatewayStatus).filter((s): s is number => typeof s === 'number');
  if (gatewayStatuses.includes(401)) return 'unauthenticated';
  if (gatewayStatuses.includes(403)) return 'resource_denied';
  return null;
}

/** The report's top-level surface: the diagnosis's, else the symptom's, else null. */
export function reportSurface(diagnosis: Diagnosis | null, symptom: Symptom | null): Surface | null {
  if (diagnosis) return diagnosis.surface;
  return symptom && (SYMPTOMS as readonly string[]).includes(symptom) ? SYMPTOM_SURFACE[symptom] : null;
}

/** The zone the request-trace step found the request in, if it ran (results may come from an earlier process). */
export function zoneFromSteps(steps: readonly StepResult[]): string | null {
  const trace = steps.find((s) => s.id === 'request_trace')?.evidence.trace as { zoneId?: unknown } | undefined;
  return typeof trace?.zoneId === 'string' ? trace.zoneId : null;
}
