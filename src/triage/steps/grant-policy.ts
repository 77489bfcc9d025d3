/**
 * Step 4, grant and policy: an active grant binds the application to the resource with the
 * requested scopes, and the policy decision does not say otherwise. Grants are not what STS
 * decides on, so a covering grant does not prove an allow; but a missing grant or
 * scope is a strong signal, and the policy's own diagnostics (`{code}` or `{reason}`) name the
 * cause when there are any. Revoked grants stay listed and several active ones may exist.
 */
import type { GrantView } from '../evidence-model';
import { STS_DENIAL_REASONS } from '../error-codes';
import { requestFacts, type RequestFacts } from '../request-facts';
import { isPolicyDecision, policyEvaluationFailed, ranWithoutActivePolicySet, replayDenial } from '../trace';
import { count, defineStep, fail, list, pass, unknown, whyUnavailable } from './step';

/**
 * Pre-policy denials that are about the application's authority, approvals or provider
 * credentials: every STS denial reason except those another step owns (the resource and its
 * scopes and operations: configuration, requested_scopes, gateway_verifier; policy evaluation:
 * policy_set_activation).
 */
const OWNED_BY_OTHER_STEPS: ReadonlySet<string> = new Set(['resource_not_found', 'scope_mismatch', 'operation_not_permitted', 'policy_eval_failed']);
export const GRANT_POLICY_DENIALS: readonly string[] = STS_DENIAL_REASONS.filter((r) => !OWNED_BY_OTHER_STEPS.has(r));

const DENIAL_FIX: Record<string, string> = {
  rate_limited: 'the STS mint limit for this zone, resource and application was reached (STS_MINT_RATE_LIMIT_PER_MIN); slow the caller down or raise the limit',
  resource_outside_delegation: 'the resource is outside what the delegation edge allows; delegate it or call without the delegation',
  control_resource_requires_control_key: 'the control resource needs an application with the control trait',
  credential_not_provisioned: 'the subject has no provider credential for this resource; connect the provider grant',
  credential_refresh_failed: 'STS could not refresh the provider credential; reconnect the provider grant',
  provider_unavailable: 'the credential provider was unavailable',
  provider_credential_unavailable: 'the provider credential could not be read',
  credential_injection_denied: 'the provider credential may not be injected for this resource',
  subject_federation_invalid: 'the federated subject assertion is invalid',
  subject_federation_rejected: 'the federated subject was rejected',
  approval_invalid: 'the approval the caller presented (challenge_id) does not exist or does not bind this exact exchange (principal, session, resources, scopes); request a new approval for this call',
  approval_rejected: 'an approver rejected the approval this exchange waited on; request a new approval or change the request',
  approval_expired: 'the approval expired before the caller came back with it; request a new approval and retry within its lifetime',
  approval_already_consumed: 'another retry already used this approval, and each approval works once; request a new one',
  approval_class_conflict: 'the policies gating this exchange ask for approvals of conflicting classes; align their approval tiers in the policy set',
  approval_policy_changed: 'the policy set changed after the approval was granted, so it no longer binds; request a new approval',
};

/**
 * What to do about the reasons Caracal's STS policy writes in its diagnostics (`{reason}` on real
 * rows): every deny reason of its decision contract (services/sts/internal/decision_contract.rego
 * at 6b5b47f, checked in this order, at most one per decision). `no_active_policy_set`, written
 * by STS's engine when no set is loaded, belongs to policy-set activation. A reason not listed is
 * quoted, never given a guessed fix (see policyAdvice).
 */
const POLICY_FIX: Record<string, (app: string, resource: string) => string> = {
  restriction_active: () =>
    "The policy data holds a restriction entry (`restrict`), which freezes the zone: every request is denied until it is removed; remove it from the policy set's data and activate that version.",
  malformed_risk_data: () =>
    "The policy data's risk rules are malformed (each needs a non-empty `scope` and `tier`), so every mint fails closed; repair them in the policy set's data and activate that version.",
  malformed_approval_data: () =>
    "The policy data's approval tiers are malformed (a `tier`, an approver of operator, subject or any, a privacy of identified, pseudonymous or anonymous, a positive whole `ttl_seconds`), so every mint fails closed; repair them and activate that version.",
  resource_not_granted: (app, resource) =>
    `The policy's data does not bind ${app} to ${resource}; bind the application to the resource (with a role that carries the scopes) in the policy set's data and activate that version (a grant alone does not change STS's decision).`,
  delegation_scope_exceeded: () =>
    "The exchange asks for a scope its delegation never granted (every requested scope must be in the delegation's scopes); request only delegated scopes, or delegate the scope to this session.",
  confinement_violation: () =>
    "A confinement rule matching the session's labels caps it below the requested scopes; request fewer scopes, or change the confinement rule or the agent's labels in the policy set and activate it.",
  role_scope_mismatch: () =>
    "No role label of the session grants every requested scope on this resource (for a mandate presented at the Gateway: the role no longer grants every scope the mandate carries); add the scope to that role in the policy set and activate it, or give the agent a role that has it (a grant alone does not change STS's decision).",
  mandate_target_mismatch: (_app, resource) =>
    `The mandate was presented for ${resource}, which is not among the resources it was minted for; mint a mandate that targets this resource.`,
  no_rule_matched: (app, resource) =>
    `No rule of the policy matched this exchange of ${app} on ${resource}; add a rule that covers it to the policy set and activate that version (this is the default deny: the policy data has nothing for this resource, or no rule accepts this shape of request).`,
};

/** The fix for a policy reason, or, for one this bot does not know, the reason quoted and where to read it. */
export function policyAdvice(reason: string, app: string, resource: string): string {
  const fix = POLICY_FIX[reason];
  return fix ? fix(app, resource) : `This bot does not know what \`${reason}\` asks for; read the rule in the active policy set that writes it.`;
}

/** Diagnostics other steps own: without an active set the policy never ran. */
const NOT_GRANT_DIAGNOSTICS = new Set(['no_active_policy_set']);

interface GrantCheck {
  active: GrantView[];
  revokedCount: number;
  missing: string[];
}

function checkGrants(grants: GrantView[], facts: RequestFacts): GrantCheck {
  const mine = grants.filter(
    (g) => (!facts.applicationId || !g.application_id || g.application_id === facts.applicationId) && (!g.resource_id || g.resource_id === facts.resource!.id),
  );
  const active = mine.filter((g) => g.status === 'active');
  const covered = new Set(active.flatMap((g) => g.scopes));
  const missing = (facts.requestedScopes ?? []).filter((s) => !covered.has(s));
  return { active, revokedCount: mine.filter((g) => g.status === 'revoked').length, missing };
}

export const grantPolicyStep = defineStep({
  id: 'grant_policy',
  needs: ['location', 'resources', 'grants', 'policySets'],
  judge({ location, resources, grants, policySets }) {
    const facts = requestFacts(location, resources);
    if (!facts) return unknown('grant_policy', 'No trace, so no application, resource or scopes to check grants for.', {}, 'no_trace');
    const sts = facts.sts;
    const replay = replayDenial(facts.trace);
    if (!sts && replay) {
      return pass('grant_policy', 'The Gateway refused the call before any token exchange (`replay_detected`), so grants and policy did not decide it.', { deniedBy: replay.eventType });
    }
    if (!sts) return unknown('grant_policy', 'The trace has no STS token-exchange decision to check.', {}, 'no_sts_decision');
    const decision = { evaluationStatus: sts.evaluationStatus, diagnostics: sts.diagnostics, determiningPolicies: sts.determiningPolicies };
    if (sts.decision === 'allow') {
      return pass('grant_policy', `STS allowed the exchange${sts.determiningPolicies.length > 0 ? ` (${sts.determiningPolicies.join(', ')})` : ''}; grants and policy are not the cause.`, { decision });
    }
    const status = sts.evaluationStatus ?? '';
    if ((GRANT_POLICY_DENIALS as readonly string[]).includes(status)) {
      return fail('grant_policy', status, `STS denied the exchange before policy with \`${status}\`: ${DENIAL_FIX[status] ?? status.replace(/_/g, ' ')}.`, { decision, confidence: 'high' });
    }
    if (policyEvaluationFailed(sts)) {
      return unknown('grant_policy', `STS could not evaluate the policy for this request (\`${status}\`), so no grant-and-policy decision was made; see policy-set activation.`, { decision }, 'policy_not_evaluated');
    }
    if (!facts.resource) {
      return unknown('grant_policy', `Resource ${facts.resourceIdentifier ?? '(not recorded)'} is not an active resource of the zone, so no grant can bind it (see configuration).`, { decision }, 'resource_unknown');
    }
    if (!grants.ok) return unknown('grant_policy', `Could not read grants: ${whyUnavailable(grants)}.`, { decision, grants: { unavailable: grants.error } }, grants.error.code);

    const check = checkGrants(grants.value, facts);
    const app = facts.sts?.applicationName ?? facts.applicationId ?? 'the application';
    const evidence = {
      decision,
      application: facts.applicationId,
      resource: { id: facts.resource.id, identifier: facts.resource.identifier },
      requestedScopes: facts.requestedScopes,
      activeGrants: check.active.map((g) => ({ id: g.id, scopes: g.scopes })),
      revokedGrants: check.revokedCount,
    };
    const policyDiagnostics = sts.diagnostics.filter((d) => !NOT_GRANT_DIAGNOSTICS.has(d.code));
    if (isPolicyDecision(sts) && policyDiagnostics.length > 0) {
      const d = policyDiagnostics[0]!;
      const grantNote = check.missing.length > 0 ? ` The active ${check.active.length === 1 ? 'grant also lacks' : 'grants also lack'} ${list(check.missing)}.` : '';
      // STS decided with another version than the active one: that version's rule denied, and the active one may already allow it.
      const active = policySets.ok ? policySets.value.find((s) => !!s.active_version_id)?.active_version_id : null;
      if (active && sts.policySetVersionId && sts.policySetVersionId !== active && !ranWithoutActivePolicySet(sts)) {
        return fail(
          'grant_policy',
          d.code,
          `The policy STS evaluated (version ${sts.policySetVersionId}, not the active ${active}) denied ${app} on ${facts.resource.identifier}: \`${d.code}\`${d.message ? ` (${d.message})` : ''}.${grantNote} Check the active version before changing the policy: see policy-set activation.`,
          { ...evidence, evaluatedVersion: sts.policySetVersionId, activeVersion: active, confidence: 'medium' },
        );
      }
      return fail(
        'grant_policy',
        d.code,
        `The active policy denied ${app} on ${facts.resource.identifier}: \`${d.code}\`${d.message ? ` (${d.message})` : ''}.${grantNote} ${policyAdvice(d.code, app, facts.resource.identifier)}`,
        { ...evidence, confidence: 'high' },
      );
    }
    if (check.active.length === 0) {
      return fail(
        'grant_policy',
        'no_active_grant',
        `No active grant binds ${app} to ${facts.resource.identifier}${check.revokedCount > 0 ? ` (${count(check.revokedCount, 'revoked grant')} still listed)` : ''}; create one with the needed scopes.`,
        { ...evidence, confidence: 'medium' },
      );
    }
    if (check.missing.length > 0) {
      return fail(
        'grant_policy',
        'scope_not_granted',
        `The active ${check.active.length === 1 ? 'grant' : 'grants'} for ${app} on ${facts.resource.identifier} ${check.active.length === 1 ? 'does' : 'do'} not include ${list(check.missing)}; add ${check.missing.length === 1 ? 'the scope' : 'the scopes'} to the grant.`,
        { ...evidence, missingScopes: check.missing, confidence: 'medium' },
      );
    }
    if (isPolicyDecision(sts) && !ranWithoutActivePolicySet(sts)) {
      return fail(
        'grant_policy',
        'policy_denied',
        `The grants cover the request, but the active policy denied it without diagnostics${sts.determiningPolicies.length > 0 ? ` (${sts.determiningPolicies.join(', ')})` : ''}; read the policy for ${facts.resource.identifier}.`,
        { ...evidence, confidence: 'medium' },
      );
    }
    return pass('grant_policy', `${count(check.active.length, 'active grant')} bind ${app} to ${facts.resource.identifier} and cover the requested scopes.`, evidence);
  },
});
