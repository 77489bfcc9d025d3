/**
 * Step 6, requested scopes: every scope the SDK asked for is defined on the resource
 * (`scope_mismatch`, the silent typo), and, when STS allowed but the resource refused, the
 * scope the called operation needs is one the mandate carries (`operation_scope_not_granted`,
 * the "scope_insufficient after allow" case). Pre-policy rows often do not record the
 * requested scopes, so the evaluation status is read first.
 */
import type { JudgeContext, OperationView, ResourceView } from '../evidence-model';
import type { StepResult } from '../model';
import { closest, requestFacts, type RequestFacts } from '../request-facts';
import { defineStep, fail, list, manual, pass, unknown, whyUnavailable } from './step';

/** Did the resource refuse the call after STS allowed it? */
function resourceRefused(facts: RequestFacts, ctx: JudgeContext): boolean {
  if (ctx.symptom === 'scope_insufficient_after_allow') return true;
  if (ctx.error?.code === 'scope_insufficient' || ctx.error?.code === 'insufficient_scope') return true;
  return facts.gateway.some((g) => g.gateway?.status === 403 || g.gateway?.upstreamStatus === 403);
}

/** Operations the refused call could have been: those with the Gateway's method, else all. */
function candidateOperations(facts: RequestFacts, operations: OperationView[]): OperationView[] {
  const refused = facts.gateway.filter((g) => (g.gateway?.status ?? 0) >= 400 || (g.gateway?.upstreamStatus ?? 0) >= 400);
  const methods = new Set(refused.map((g) => g.gateway?.method?.toUpperCase()).filter((m): m is string => !!m));
  return methods.size > 0 ? operations.filter((o) => methods.has((o.method ?? '').toUpperCase())) : operations;
}

/**
 * The resource refused a call STS allowed, and no exchange of this request recorded which
 * scopes it asked for: the Gateway's use-exchange asks for none, and the mandate was minted
 * earlier (usually under another request ID). For an operation-enforced resource STS allowed
 * the use-exchange only because the mandate carries the operation's scope, so the scope is not
 * why the upstream refused; for any other resource the trace cannot tell which scopes the
 * mandate held, and this says so instead of guessing.
 */
function mandateScopesUnrecorded(facts: RequestFacts, resource: ResourceView, ops: OperationView[], evidence: Record<string, unknown>): StepResult {
  const needed = ops.filter((o) => o.scope).map((o) => `${o.method ?? '?'} ${o.path ?? '?'} needs \`${o.scope}\``);
  const needs = needed.length > 0 ? ` (${needed.join('; ')})` : '';
  const through = facts.useExchange ? "The Gateway's exchange for this call asks for no scopes" : 'No exchange of this request records the scopes it asked for';
  const more = { ...evidence, mintedScopes: null, operations: ops, operationEnforcement: resource.operation_enforcement ?? null };
  if (facts.useExchange && resource.operation_enforcement === 'enforced') {
    return pass(
      'requested_scopes',
      `${through}, and STS allowed it, which for ${resource.identifier} (operations enforced) it does only when the mandate carries the operation's scope${needs}; the scope is not why the resource refused the call.`,
      more,
    );
  }
  return unknown(
    'requested_scopes',
    `${through}, and ${resource.identifier} is ${resource.operation_enforcement ?? 'not known to be operation-enforced'}, so STS did not check the operation's scope: the trace cannot tell which scopes the mandate held${needs}. Compare the scopes the SDK minted the mandate with (its own request ID) against the operation's.`,
    more,
    'mandate_scopes_not_recorded',
  );
}

export const requestedScopesStep = defineStep({
  id: 'requested_scopes',
  needs: ['location', 'resources'],
  judge({ location, resources }, ctx) {
    if (!resources.ok && location.trace) {
      return unknown('requested_scopes', `Could not read the zone's resources: ${whyUnavailable(resources)}.`, {}, resources.error.code);
    }
    const facts = requestFacts(location, resources);
    if (!facts) return unknown('requested_scopes', 'No trace, so no requested scopes to compare with the resource.', {}, 'no_trace');
    const resource = facts.resource;
    if (!resource) {
      return unknown('requested_scopes', `Resource ${facts.resourceIdentifier ?? '(not recorded)'} is not an active resource of the zone, so its scopes cannot be compared (see configuration).`, {}, 'resource_unknown');
    }
    const requested = facts.requestedScopes;
    const undefinedScopes = (requested ?? []).filter((s) => !resource.scopes.includes(s));
    const evidence: Record<string, unknown> = { resource: resource.identifier, resourceScopes: resource.scopes, requestedScopes: requested };

    if (facts.sts?.evaluationStatus === 'scope_mismatch' || undefinedScopes.length > 0) {
      if (undefinedScopes.length > 0) {
        const hints = undefinedScopes.map((s) => [s, closest(s, resource.scopes)] as const).filter(([, h]) => h);
        const hint = hints.length > 0 ? ` (did you mean ${hints.map(([, h]) => `\`${h}\``).join(', ')}?)` : '';
        return fail(
          'requested_scopes',
          'scope_mismatch',
          `STS denied the exchange because ${list(undefinedScopes)} ${undefinedScopes.length === 1 ? 'is not a scope' : 'are not scopes'} of ${resource.identifier}${hint}; fix the scope the SDK requests or add it to the resource.`,
          { ...evidence, undefinedScopes, confidence: 'high' },
        );
      }
      return fail(
        'requested_scopes',
        'scope_mismatch',
        `STS denied the exchange with \`scope_mismatch\`: a requested scope is not defined on ${resource.identifier} (it defines ${list(resource.scopes)}); the audit row does not record which, so check the scopes the SDK requests or add the scope to the resource.`,
        { ...evidence, confidence: 'high' },
      );
    }

    if (facts.sts?.decision === 'allow' && resourceRefused(facts, ctx)) {
      const ops = candidateOperations(facts, resource.operations ?? []);
      if (facts.mintedScopes === null) return mandateScopesUnrecorded(facts, resource, ops, evidence);
      const minted = facts.mintedScopes;
      const lacking = ops.filter((o) => o.scope && !minted.includes(o.scope));
      if (lacking.length > 0) {
        const op = lacking[0]!;
        return fail(
          'requested_scopes',
          'operation_scope_not_granted',
          `STS minted ${list(minted)} but ${op.method ?? '?'} ${op.path ?? '?'} on ${resource.identifier} requires \`${op.scope}\`; request that scope (and grant it) or change the operation's scope on the resource.`,
          { ...evidence, mintedScopes: minted, operationsNeedingMore: lacking, confidence: 'high' },
        );
      }
      return manual(
        'requested_scopes',
        `STS minted ${list(minted)}, which covers the operations ${resource.identifier} declares; check which scope the resource server's verifier requires.`,
        { ...evidence, mintedScopes: minted, operations: ops },
      );
    }
    if (!requested || requested.length === 0) {
      const why = facts.useExchange ? "the Gateway's exchange asks for none" : 'the trace does not record them';
      return pass('requested_scopes', `No requested scopes to compare (${why}) and STS reported no scope mismatch; ${resource.identifier} defines ${list(resource.scopes)}.`, evidence);
    }
    return pass('requested_scopes', `Requested ${list(requested)} ${requested.length === 1 ? 'is' : 'are all'} defined on ${resource.identifier}.`, evidence);
  },
});
