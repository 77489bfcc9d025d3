/**
 * Step 5, policy-set activation: the zone has an active policy set and STS has loaded it.
 * The active set is the one with a non-null `active_version_id` (at most one per zone).
 * activation-status answers 404 for sets that are not active, and `waiting_for_sts` with
 * `sts.state: not_configured` only means the API cannot ask STS (FACTS §11): "cannot tell".
 */
import type { ActivationView } from '../evidence-model';
import { requestFacts } from '../request-facts';
import { ranWithoutActivePolicySet } from '../trace';
import { defineStep, fail, pass, unknown, whyUnavailable } from './step';

function describeActivation(a: ActivationView): Record<string, unknown> {
  return {
    propagationStatus: a.propagation_status,
    activeVersionId: a.active_version_id ?? null,
    outbox: a.outbox ?? null,
    sts: a.sts ?? null,
  };
}

export const policySetActivationStep = defineStep({
  id: 'policy_set_activation',
  needs: ['location', 'policySets', 'activation'],
  judge({ location, policySets, activation }) {
    const zoneId = location.zoneId;
    if (!zoneId) return unknown('policy_set_activation', 'No zone to check policy sets in.', {}, 'no_zone');
    if (!policySets.ok) {
      return unknown('policy_set_activation', `Could not read the policy sets of zone ${zoneId}: ${whyUnavailable(policySets)}.`, { policySets: { unavailable: policySets.error } }, policySets.error.code);
    }
    const facts = requestFacts(location);
    const sts = facts?.sts ?? null;
    const active = policySets.value.filter((s) => !!s.active_version_id);
    const evidence: Record<string, unknown> = {
      policySets: policySets.value.map((s) => ({ id: s.id, name: s.name ?? null, activeVersionId: s.active_version_id || null })),
      ...(sts ? { evaluated: { policySetVersionId: sts.policySetVersionId, manifestSha: sts.manifestSha } } : {}),
    };
    if (active.length === 0) {
      return fail(
        'policy_set_activation',
        'no_active_policy_set',
        `Zone ${zoneId} has ${policySets.value.length} policy set(s) but none is active, so STS denies every exchange; activate a version.`,
        { ...evidence, confidence: 'high' },
      );
    }
    const set = active[0]!;
    if (!activation.ok) {
      if (activation.error.code === 'active_policy_set_version_not_found') {
        return fail('policy_set_activation', 'no_active_policy_set', `Policy set ${set.name ?? set.id} has no active version any more; activate one.`, { ...evidence, confidence: 'high' });
      }
      return unknown('policy_set_activation', `Could not read the activation status of ${set.name ?? set.id}: ${whyUnavailable(activation)}.`, { ...evidence, activation: { unavailable: activation.error } }, activation.error.code);
    }
    const a = activation.value;
    const withStatus = { ...evidence, activation: describeActivation(a) };
    const staleEvaluation = sts?.policySetVersionId && a.active_version_id && sts.policySetVersionId !== a.active_version_id;
    const staleNote = staleEvaluation ? ` STS evaluated the request with version ${sts!.policySetVersionId}, not the active ${a.active_version_id}.` : '';
    if (a.propagation_status === 'failed') {
      return fail(
        'policy_set_activation',
        'propagation_failed',
        `Activation of ${set.name ?? set.id} failed to reach STS (outbox ${a.outbox?.state ?? '?'}${a.outbox?.last_error ? `: ${a.outbox.last_error}` : ''}, STS ${a.sts?.state ?? '?'}).${staleNote} Fix STS policy loading and re-activate.`,
        { ...withStatus, confidence: 'high' },
      );
    }
    if (a.outbox?.state === 'dead') {
      return fail('policy_set_activation', 'outbox_dead', `The activation message for ${set.name ?? set.id} is dead in the outbox after ${a.outbox.attempts ?? '?'} attempt(s); re-activate once STS is reachable.${staleNote}`, {
        ...withStatus,
        confidence: 'high',
      });
    }
    if (a.sts?.state === 'failed') {
      return fail('policy_set_activation', 'sts_load_failed', `STS failed to load ${set.name ?? set.id}${a.sts.detail ? ` (${a.sts.detail})` : ''}; check opa.compile_errors and re-activate.`, { ...withStatus, confidence: 'high' });
    }
    if (sts?.evaluationStatus === 'policy_eval_failed') {
      return fail('policy_set_activation', 'policy_eval_failed', `STS could not evaluate the active policy bundle for this request; check STS opa.compile_errors and the active version of ${set.name ?? set.id}.`, {
        ...withStatus,
        confidence: 'medium',
      });
    }
    if (a.propagation_status === 'loaded') {
      const note = sts && ranWithoutActivePolicySet(sts) ? ' The request was evaluated before a set was active; retry it.' : staleNote;
      return pass('policy_set_activation', `Policy set ${set.name ?? set.id} is active and loaded by STS.${note}`, withStatus);
    }
    if (a.propagation_status === 'waiting_for_sts' && a.sts?.state === 'not_configured') {
      return unknown(
        'policy_set_activation',
        `Policy set ${set.name ?? set.id} is active, but the API cannot ask STS whether it is loaded (GATEWAY_STS_HMAC_KEY is not set on the API).${staleNote}`,
        withStatus,
        'sts_state_not_configured',
      );
    }
    return unknown('policy_set_activation', `Policy set ${set.name ?? set.id} is active; propagation is ${a.propagation_status} (STS ${a.sts?.state ?? 'unknown'}).${staleNote}`, withStatus, a.propagation_status);
  },
});
