/**
 * Step 6, requested scopes: every scope the SDK asked for is defined on the resource
 * (`scope_mismatch`, the silent typo), and, when STS allowed but the resource refused, the
 * scope the called operation needs is one the mandate carries (`operation_scope_not_granted`,
 * the "scope_insufficient after allow" case). Pre-policy rows often do not record the
 * requested scopes, so the evaluation status is read first.
 */
import type { JudgeContext, OperationView } from '../evidence-model';
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
      return unknown('requested_scopes', `Resource ${facts.resourceIdentifier ?? '(not recorded)'} is not registered in the zone, so its scopes cannot be compared (see configuration).`, {}, 'resource_unknown');
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
      const minted = facts.mintedScopes ?? [];
      const ops = candidateOperations(facts, resource.operations ?? []);
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
    if (!requested) return pass('requested_scopes', `The trace does not record requested scopes and STS reported no scope mismatch; ${resource.identifier} defines ${list(resource.scopes)}.`, evidence);
    return pass('requested_scopes', `Requested ${list(requested)} ${requested.length === 1 ? 'is' : 'are all'} defined on ${resource.identifier}.`, evidence);
  },
});
