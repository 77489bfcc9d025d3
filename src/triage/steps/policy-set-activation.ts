/**
 * Step 5, policy-set activation: the zone has an active policy set, STS has loaded it, and STS
 * could evaluate it for this request. The active set is the one with a non-null
 * `active_version_id` (at most one per zone). activation-status answers 404 for sets that are
 * not active, and `waiting_for_sts` with `sts.state: not_configured` only means the API cannot
 * ask STS: "cannot tell". The trace is direct evidence and needs no STS: a denial
 * STS wrote with manifest `no_active_policy_set`, or one it could not evaluate
 * (`policy_eval_failed`, or an OPA status `error`/`partial`), fails this step even when the
 * activation status cannot be read; STS `opa.compile_errors`, when its metrics are reachable,
 * says why evaluation failed.
 *
 * A policy deny evaluated with a version older than the active one means STS had not loaded the
 * activation when it decided: STS keeps its cached bundle when a reload fails and re-polls the
 * database about every 60 s (services/sts/internal/opa.go), so a fix activated before the
 * request never reached the decision (`activation_not_loaded`). The set's versions tell older
 * from newer; the activation's outbox `dispatched_at` tells before from after the request (an
 * activation after the request explains nothing: retry).
 */
import type { ActivationView, Fetched, PolicyVersionView } from '../evidence-model';
import { requestFacts } from '../request-facts';
import { isPolicyDecision, policyEvaluationFailed, ranWithoutActivePolicySet, type TraceEvent } from '../trace';
import { count, defineStep, fail, pass, unknown, whyUnavailable } from './step';

function describeActivation(a: ActivationView): Record<string, unknown> {
  return {
    propagationStatus: a.propagation_status,
    activeVersionId: a.active_version_id ?? null,
    outbox: a.outbox ?? null,
    sts: a.sts ?? null,
  };
}

/** `opa.compile_errors` from STS metrics, when they could be read. */
function compileErrors(stsMetrics: Fetched<Record<string, unknown>>): number | null {
  if (!stsMetrics.ok) return null;
  const opa = stsMetrics.value.opa as Record<string, unknown> | undefined;
  const n = typeof opa?.compile_errors === 'number' ? opa.compile_errors : null;
  return n;
}

function evaluationFailure(sts: TraceEvent, setName: string | null, compile: number | null, evidence: Record<string, unknown>) {
  const status = sts.evaluationStatus ?? 'unknown';
  const what = status === 'policy_eval_failed' ? 'could not evaluate' : `got an incomplete evaluation (OPA status \`${status}\`) from`;
  const diag = sts.diagnostics.length > 0 ? ` (${sts.diagnostics.map((d) => d.code).join(', ')})` : '';
  // Name compile errors only as far as the metrics show them: zero rules them out, unread leaves them to check.
  const why =
    compile === null
      ? ` Check STS opa.compile_errors and the active version${setName ? ` of ${setName}` : ''}.`
      : compile > 0
        ? ` STS reports opa.compile_errors=${compile}: the active bundle${setName ? ` of ${setName}` : ''} does not compile; fix the policy and activate a version that compiles.`
        : ` STS reports no compile errors (opa.compile_errors=0), so the bundle compiles and something else stopped the evaluation; STS's log for this request says what.`;
  return fail('policy_set_activation', 'policy_eval_failed', `STS ${what} the active policy bundle for this request${diag}, so it denied it.${why}`, {
    ...evidence,
    ...(compile !== null ? { stsCompileErrors: compile } : {}),
    confidence: compile !== null && compile > 0 ? 'high' : 'medium',
  });
}

/** How often STS re-reads the active policy set from the database (services/sts/internal/opa.go). */
const STS_POLL_SECONDS = 60;

interface StaleEvaluation {
  evaluatedId: string;
  activeId: string;
  /** `version` numbers when the set's versions could be read and hold both. */
  evaluatedVersion: number | null;
  activeVersion: number | null;
  /** Seconds from the activation being dispatched to STS until the request; null when unknown. */
  activatedBeforeRequestS: number | null;
}

/**
 * The deny was evaluated with a version other than the active one, and not a newer one: null
 * when it was the active version, the active one is newer only because it was activated after
 * the request, or the evaluated version is newer (a rollback since).
 */
function olderEvaluation(denied: TraceEvent, activeId: string | null | undefined, versions: Fetched<PolicyVersionView[]>, activation: Fetched<ActivationView>): StaleEvaluation | null {
  const evaluatedId = denied.policySetVersionId;
  if (!evaluatedId || !activeId || evaluatedId === activeId || !isPolicyDecision(denied) || ranWithoutActivePolicySet(denied)) return null;
  const find = (id: string) => (versions.ok ? versions.value.find((v) => v.id === id) : undefined);
  const evaluatedVersion = find(evaluatedId)?.version ?? null;
  const activeVersion = find(activeId)?.version ?? null;
  if (evaluatedVersion !== null && activeVersion !== null && evaluatedVersion > activeVersion) return null;
  const dispatched = activation.ok && activation.value.active_version_id === activeId ? activation.value.outbox?.dispatched_at : null;
  const gap = dispatched && denied.occurredAt ? (Date.parse(denied.occurredAt) - Date.parse(dispatched)) / 1000 : NaN;
  if (Number.isFinite(gap) && gap < 0) return null;
  return { evaluatedId, activeId, evaluatedVersion, activeVersion, activatedBeforeRequestS: Number.isFinite(gap) ? Math.round(gap) : null };
}

function notLoaded(stale: StaleEvaluation, setName: string, activation: Fetched<ActivationView>, compile: number | null, evidence: Record<string, unknown>) {
  const v = (id: string, n: number | null) => (n !== null ? `v${n} (${id})` : id);
  const when =
    stale.activatedBeforeRequestS === null
      ? ''
      : ` ${v(stale.activeId, stale.activeVersion)} was dispatched to STS ${stale.activatedBeforeRequestS} s before the request${stale.activatedBeforeRequestS < STS_POLL_SECONDS ? `, within STS's ~${STS_POLL_SECONDS} s poll, so it may simply not have been picked up yet` : ''}.`;
  const served = activation.ok ? activation.value.sts?.policy_set_version_id : null;
  const now = activation.ok
    ? activation.value.propagation_status === 'loaded'
      ? ' STS reports it loaded now, so a retry is evaluated with the active version.'
      : served && served !== stale.activeId
        ? ` STS still reports serving ${served === stale.evaluatedId ? v(served, stale.evaluatedVersion) : served} (activation-status ${activation.value.propagation_status}).`
        : ` activation-status is now ${activation.value.propagation_status}${activation.value.sts?.state ? ` (STS ${activation.value.sts.state})` : ''}.`
    : '';
  const fix =
    activation.ok && activation.value.propagation_status === 'loaded'
      ? 'Retry the call; if it recurs, check STS logs for `opa pg poll: reload zone` errors.'
      : `Check STS logs for \`opa pg poll: reload zone\` errors${compile === null ? ' and opa.compile_errors' : compile > 0 ? ` (STS reports opa.compile_errors=${compile})` : ''}, then retry; re-activate if STS still serves the old bundle.`;
  const confident = stale.activatedBeforeRequestS !== null && stale.activatedBeforeRequestS >= STS_POLL_SECONDS && stale.activeVersion !== null;
  return fail(
    'policy_set_activation',
    'activation_not_loaded',
    `STS evaluated this request with ${v(stale.evaluatedId, stale.evaluatedVersion)} of ${setName}, older than the active ${v(stale.activeId, stale.activeVersion)}: STS had not loaded the activation (it keeps its cached bundle when a reload fails and re-polls about every ${STS_POLL_SECONDS} s), so the active version's rules never reached this decision.${when}${now} ${fix}`,
    { ...evidence, staleEvaluation: stale, ...(compile !== null ? { stsCompileErrors: compile } : {}), confidence: confident ? 'high' : 'medium' },
  );
}

export const policySetActivationStep = defineStep({
  id: 'policy_set_activation',
  needs: ['location', 'policySets', 'activation', 'policyVersions', 'metrics'],
  judge({ location, policySets, activation, policyVersions, metrics }) {
    const zoneId = location.zoneId;
    if (!zoneId) return unknown('policy_set_activation', 'No zone to check policy sets in.', {}, 'no_zone');
    const facts = requestFacts(location);
    const sts = facts?.sts ?? null;
    const denied = sts?.decision === 'deny' ? sts : null;
    const evalFailed = denied && policyEvaluationFailed(denied) ? denied : null;
    const compile = compileErrors(metrics.sts);
    const evaluated = sts ? { evaluated: { policySetVersionId: sts.policySetVersionId, manifestSha: sts.manifestSha } } : {};

    if (!policySets.ok) {
      if (evalFailed) return evaluationFailure(evalFailed, null, compile, { ...evaluated, policySets: { unavailable: policySets.error } });
      return unknown('policy_set_activation', `Could not read the policy sets of zone ${zoneId}: ${whyUnavailable(policySets)}.`, { policySets: { unavailable: policySets.error } }, policySets.error.code);
    }
    const active = policySets.value.filter((s) => !!s.active_version_id);
    const evidence: Record<string, unknown> = {
      policySets: policySets.value.map((s) => ({ id: s.id, name: s.name ?? null, activeVersionId: s.active_version_id || null })),
      ...evaluated,
    };
    if (active.length === 0) {
      // STS evaluated this request with a real version: the set was deactivated afterwards, so
      // this finding did not shape the request's denial (the diagnosis then looks elsewhere).
      const evaluatedWithSet = !!denied && isPolicyDecision(denied) && !!denied.policySetVersionId && !ranWithoutActivePolicySet(denied);
      const later = evaluatedWithSet ? ` (STS still evaluated this request with version ${denied!.policySetVersionId}, so the set was deactivated after it)` : '';
      return fail(
        'policy_set_activation',
        'no_active_policy_set',
        `Zone ${zoneId} has ${count(policySets.value.length, 'policy set')} but none is active, so STS denies every exchange that reaches policy${later}; activate a version.`,
        { ...evidence, confidence: evaluatedWithSet ? 'medium' : 'high', ...(evaluatedWithSet ? { explainsRequest: false } : {}) },
      );
    }
    const set = active[0]!;
    const name = set.name ?? set.id;
    const withStatus = activation.ok ? { ...evidence, activation: describeActivation(activation.value) } : { ...evidence, activation: { unavailable: activation.error } };
    const stale = denied ? olderEvaluation(denied, activation.ok ? (activation.value.active_version_id ?? set.active_version_id) : set.active_version_id, policyVersions, activation) : null;

    if (denied && ranWithoutActivePolicySet(denied)) {
      const now = activation.ok ? ` (activation is now ${activation.value.propagation_status}${activation.value.sts?.state ? `, STS ${activation.value.sts.state}` : ''})` : '';
      return fail(
        'policy_set_activation',
        'no_active_policy_set',
        `STS denied this request because it had no active policy set for zone ${zoneId} (manifest \`no_active_policy_set\`). Policy set ${name} is active now${now}: if it was activated after the request, retry; otherwise STS has not loaded it, so check its propagation.`,
        { ...withStatus, confidence: 'high' },
      );
    }

    if (!activation.ok) {
      if (activation.error.code === 'active_policy_set_version_not_found') {
        return fail('policy_set_activation', 'no_active_policy_set', `Policy set ${name} has no active version any more; activate one.`, { ...evidence, confidence: 'high' });
      }
      if (evalFailed) return evaluationFailure(evalFailed, name, compile, withStatus);
      if (stale) return notLoaded(stale, name, activation, compile, withStatus);
      return unknown('policy_set_activation', `Could not read the activation status of ${name}: ${whyUnavailable(activation)}.`, withStatus, activation.error.code);
    }
    const a = activation.value;
    const staleEvaluation = sts?.policySetVersionId && a.active_version_id && sts.policySetVersionId !== a.active_version_id;
    const staleNote = staleEvaluation ? ` STS evaluated the request with version ${sts!.policySetVersionId}, not the active ${a.active_version_id}.` : '';
    // The API could not ask STS (no HMAC key, or STS down) and the outbox delivered: that is "cannot tell", not a failed activation.
    const stsUnaskable = (a.sts?.state === 'unreachable' || a.sts?.state === 'not_configured') && (!a.outbox?.state || a.outbox.state === 'dispatched');
    if (a.propagation_status === 'failed' && stsUnaskable && !evalFailed && !stale) {
      return unknown(
        'policy_set_activation',
        `Policy set ${name} is active and its activation was dispatched, but the API could not ask STS whether it loaded it (STS ${a.sts!.state}${a.sts?.detail ? `: ${a.sts.detail}` : ''}).${staleNote}`,
        withStatus,
        `sts_${a.sts!.state}`,
      );
    }
    if (a.propagation_status === 'failed') {
      return fail(
        'policy_set_activation',
        'propagation_failed',
        `Activation of ${name} failed to reach STS (outbox ${a.outbox?.state ?? '?'}${a.outbox?.last_error ? `: ${a.outbox.last_error}` : ''}, STS ${a.sts?.state ?? '?'}).${staleNote} Fix STS policy loading and re-activate.`,
        { ...withStatus, confidence: 'high' },
      );
    }
    if (a.outbox?.state === 'dead') {
      return fail('policy_set_activation', 'outbox_dead', `The activation message for ${name} is dead in the outbox after ${a.outbox.attempts != null ? count(a.outbox.attempts, 'attempt') : 'several attempts'}; re-activate once STS is reachable.${staleNote}`, {
        ...withStatus,
        confidence: 'high',
      });
    }
    if (a.sts?.state === 'failed') {
      const check = compile === 0 ? 'STS reports no compile errors, so read its log for the load error' : compile !== null ? `STS reports opa.compile_errors=${compile}` : 'check opa.compile_errors';
      return fail('policy_set_activation', 'sts_load_failed', `STS failed to load ${name}${a.sts.detail ? ` (${a.sts.detail})` : ''}; ${check}, then re-activate.`, {
        ...withStatus,
        ...(compile !== null ? { stsCompileErrors: compile } : {}),
        confidence: 'high',
      });
    }
    if (evalFailed) return evaluationFailure(evalFailed, name, compile, withStatus);
    if (stale) return notLoaded(stale, name, activation, compile, withStatus);
    if (a.propagation_status === 'loaded') {
      const note = sts && ranWithoutActivePolicySet(sts) ? ' The request was evaluated before a set was active.' : staleNote;
      return pass('policy_set_activation', `Policy set ${name} is active and loaded by STS.${note}`, withStatus);
    }
    if (a.propagation_status === 'waiting_for_sts' && a.sts?.state === 'not_configured') {
      return unknown(
        'policy_set_activation',
        `Policy set ${name} is active, but the API cannot ask STS whether it is loaded (GATEWAY_STS_HMAC_KEY is not set on the API).${staleNote}`,
        withStatus,
        'sts_state_not_configured',
      );
    }
    return unknown('policy_set_activation', `Policy set ${name} is active; propagation is ${a.propagation_status} (STS ${a.sts?.state ?? 'unknown'}).${staleNote}`, withStatus, a.propagation_status);
  },
});
