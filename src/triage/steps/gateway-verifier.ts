/**
 * Step 7, Gateway route or verifier. The Gateway is judged whenever the call got past STS (the
 * trace shows an STS allow or Gateway rows) or the symptom is on the resource side, so the same
 * request gets the same verdict with or without a symptom. When STS denied the exchange the
 * Gateway is not the cause, whatever the symptom says (the one STS denial that belongs here is
 * `operation_not_permitted`: the Gateway asked for an operation the resource does not declare).
 * Evidence: Gateway readiness, its denial and revocation metrics, the resource's operations and
 * enforcement, and the trace's Gateway events. The Gateway's replay denial (`replay_detected`)
 * is written before any STS exchange and fails this step on the trace alone. Without a Gateway the rejection came from an
 * in-process verifier, which only a person can inspect; the same holds for whether a
 * third-party resource server consumes `caracal.sessions.revoke`.
 */
import type { Symptom } from '../model';
import { gatewayDenials, gatewayRevocationFindings, isAuditReason, isRevocationReason, readinessOf, type ReadinessFinding } from '../health';
import { requestFacts } from '../request-facts';
import { replayDenial } from '../trace';
import { defineStep, fail, manual, pass, unknown, whyUnavailable } from './step';

const RESOURCE_SIDE: readonly Symptom[] = ['resource_denied', 'unauthenticated', 'scope_insufficient_after_allow', 'access_after_revocation'];

const VERIFIER_CHECKLIST = [
  'the mandate is unexpired and meant for this resource (aud / X-Caracal-Resource)',
  "the verifier trusts this zone's issuer and JWKS (/.well-known/jwks.json?zone_id=)",
  'the scope the verifier requires is one the mandate carries',
];

/** What a not-ready Gateway means for calls, by its readiness reason. */
function notReadySummary(ready: ReadinessFinding, revocationDetail: string | null): string {
  const cause = ready.cause!;
  if (isRevocationReason(cause)) {
    return `The Gateway is not ready (\`${cause}\`): its revocation state is not current${revocationDetail ? ` (${revocationDetail})` : ''}, so revocations may not be applied or propagated and revoked sessions can keep their access until it reloads; fix revocation reloads on the Gateway.`;
  }
  if (cause === 'sts_unreachable' || cause === 'sts_unavailable') {
    return `The Gateway is not ready (\`${cause}\`): it cannot reach STS to exchange mandates, so it refuses calls to the resource; fix the Gateway's path to STS (${ready.detail}).`;
  }
  if (isAuditReason(cause)) {
    return `The Gateway is not ready (\`${cause}\`): it cannot record audit evidence for the calls it proxies; fix its audit path (${ready.detail}).`;
  }
  return `The Gateway is not ready (\`${cause}\`), so calls through it can fail; fix that first (${ready.detail}).`;
}

export const gatewayVerifierStep = defineStep({
  id: 'gateway_verifier',
  needs: ['location', 'readiness', 'metrics', 'resources', 'sessions', 'authorityRecords'],
  judge({ location, readiness, metrics, resources, sessions, authorityRecords }, ctx) {
    const facts = requestFacts(location, resources);
    const symptom = ctx.symptom;

    // The Gateway's own denial in the trace is the complaint, whatever the symptom, and needs no
    // Gateway probe to read: the audit row says what happened.
    const replay = facts ? replayDenial(facts.trace) : null;
    if (replay) {
      const gm = readiness.find((p) => p.service === 'gateway')?.configured ? metrics.gateway : null;
      const count = gm?.ok ? gatewayDenials(gm.value).find((d) => d.kind === 'jti_replay')?.count : undefined;
      return fail(
        'gateway_verifier',
        'replay_detected',
        `The Gateway refused this call as a replay (audit \`replay_detected\`${replay.occurredAt ? ` at ${replay.occurredAt}` : ''}; the caller got 401 invalid_token "token replay detected"): the resource mandate${replay.replay?.jti ? ` (jti ${replay.replay.jti})` : ''} for ${replay.resource ?? 'the resource'} had been used before, and each one works once. Mint a new mandate for every call; look for a client, SDK or retry layer that caches or re-sends it.`,
        {
          replay: { eventId: replay.id, jti: replay.replay?.jti ?? null, resource: replay.resource, applicationId: replay.applicationId, subjectFingerprint: replay.replay?.subjectFingerprint ?? null, occurredAt: replay.occurredAt },
          ...(count !== undefined ? { denials_jti_replay: count } : {}),
          confidence: 'high',
        },
      );
    }

    if (facts?.sts?.decision === 'deny') {
      if (facts.sts.evaluationStatus === 'operation_not_permitted') {
        const r = facts.resource;
        return fail(
          'gateway_verifier',
          'operation_not_permitted',
          `STS refused the Gateway's exchange because the called operation is not declared on ${r?.identifier ?? facts.resourceIdentifier ?? 'the resource'}${r?.operation_enforcement ? ` (enforcement ${r.operation_enforcement})` : ''}; declare it on the resource or use transport_uniform enforcement.`,
          { operations: r?.operations ?? null, confidence: 'high' },
        );
      }
      return pass('gateway_verifier', `STS denied the exchange${facts.sts.evaluationStatus ? ` (\`${facts.sts.evaluationStatus}\`)` : ''}, so the Gateway or a verifier did not refuse this call; the cause is on the STS side.`);
    }

    const failingGateway = facts?.gateway.filter((g) => (g.gateway?.status ?? 0) >= 400) ?? [];

    // The upstream itself refused a call STS allowed, and this request's trace does not record the
    // mandate's scopes (the Gateway's use-exchange asks for none): the resource server's or its
    // verifier's decision, read from the trace alone. With the scopes recorded, requested scopes judges it.
    const upstreamRefusal = facts?.sts?.decision === 'allow' && facts.mintedScopes === null ? failingGateway.find((g) => g.gateway?.upstreamStatus === 403 && !g.gateway.errorKind) : undefined;
    if (facts && upstreamRefusal) {
      const r = facts.resource;
      const call = `${upstreamRefusal.gateway!.method ?? 'the call'} to ${r?.identifier ?? facts.resourceIdentifier ?? 'the resource'}`;
      const enforced = !!facts.useExchange && r?.operation_enforcement === 'enforced';
      const why = enforced
        ? "STS allowed the Gateway's exchange only because the mandate carries the operation's scope (operations are enforced), so the refusal is the resource server's own rule: check its authorization for this caller (roles, tenancy, object ownership) and its verifier's settings."
        : `The trace cannot tell which scopes the mandate held (the Gateway's exchange asks for none${r?.operation_enforcement ? ` and ${r.identifier} is ${r.operation_enforcement}` : ''}), so it cannot tell a missing scope from the resource server's own rule: check which scope the resource server requires for this call and whether the mandate carries it (its mint is under the SDK's own request ID).`;
      return fail(
        'gateway_verifier',
        'upstream_denied',
        `STS allowed this call and the Gateway passed ${call}, but the upstream answered 403 (Gateway status ${upstreamRefusal.gateway!.status ?? '?'}): the resource server or its verifier refused it, not Caracal. ${why}`,
        {
          gatewayEvents: facts.gateway.map((g) => ({ id: g.id, ...g.gateway })),
          operationEnforcement: r?.operation_enforcement ?? null,
          mandateScopes: 'not recorded',
          confidence: enforced ? 'medium' : 'low',
        },
      );
    }
    const pastSts = !!facts && (facts.sts?.decision === 'allow' || facts.gateway.length > 0);
    const complaint = (symptom !== null && RESOURCE_SIDE.includes(symptom)) || failingGateway.length > 0;

    const probe = readiness.find((p) => p.service === 'gateway');
    if (!probe?.configured) {
      if (symptom === 'access_after_revocation') {
        return manual('gateway_verifier', 'No Gateway is configured: check that the resource server consumes `caracal.sessions.revoke` (no HTTP endpoint reports it) and that its verifier checks revocation.', {
          gateway: 'not_configured',
        });
      }
      if (complaint) {
        return manual('gateway_verifier', `No Gateway is configured, so an in-process verifier refused the call; check: ${VERIFIER_CHECKLIST.join('; ')}.`, { gateway: 'not_configured', checklist: VERIFIER_CHECKLIST });
      }
      return unknown('gateway_verifier', 'No Gateway URL configured (CARACAL_GATEWAY_URL), so the Gateway was not checked; nothing in the trace or the symptom points at it.', { gateway: 'not_configured' }, 'not_configured');
    }

    const ready = readinessOf(probe);
    const gm = metrics.gateway;
    const denials = gm.ok ? gatewayDenials(gm.value) : [];
    const revocation = gm.ok ? gatewayRevocationFindings(gm.value).filter((f) => f.status === 'fail') : [];
    const evidence: Record<string, unknown> = {
      gatewayReadiness: { state: ready.state, ...(ready.cause ? { cause: ready.cause } : {}), detail: ready.detail },
      ...(gm.ok ? { denials: Object.fromEntries(denials.map((d) => [`denials_${d.kind}`, d.count])) } : { metrics: { unavailable: gm.error } }),
      ...(facts ? { gatewayEvents: facts.gateway.map((g) => ({ id: g.id, ...g.gateway })) } : {}),
    };

    if (!pastSts && !complaint) {
      return unknown('gateway_verifier', 'Nothing in the trace or the symptom points at the Gateway or a verifier.', evidence, 'not_relevant');
    }

    // The call reached (or was meant to reach) the Gateway: a Gateway that is not ready is the finding.
    if (ready.state === 'not_ready') {
      const revocationDetail = revocation.length > 0 ? revocation.map((r) => r.detail).join('; ') : null;
      return fail('gateway_verifier', ready.cause!, notReadySummary(ready, revocationDetail), { ...evidence, confidence: 'high' });
    }

    if (symptom === 'access_after_revocation') {
      if (!gm.ok) return unknown('gateway_verifier', `Gateway revocation metrics unavailable: ${whyUnavailable(gm)}.`, evidence, gm.error.code);
      const revoked = {
        ...(authorityRecords.ok ? { revokedAuthorityRecords: authorityRecords.value.filter((r) => r.status === 'revoked') } : {}),
        ...(sessions.ok ? { terminatedSessions: sessions.value.filter((s) => s.status === 'terminated') } : {}),
      };
      if (revocation.length > 0) {
        return fail(
          'gateway_verifier',
          revocation[0]!.code,
          `The Gateway's revocation state is not current (${revocation.map((r) => r.detail).join('; ')}), so revocations may not be applied or propagated and revoked sessions can keep their access; fix revocation reloads on the Gateway.`,
          { ...evidence, ...revoked, confidence: 'high' },
        );
      }
      return manual('gateway_verifier', 'The Gateway applies revocations (snapshot fresh, no reload errors); check whether the resource server consumes `caracal.sessions.revoke` and whether the call went through the Gateway at all.', {
        ...evidence,
        ...revoked,
      });
    }

    if (!complaint) {
      const statuses = facts!.gateway.map((g) => g.gateway?.status ?? '?');
      return pass('gateway_verifier', `The Gateway is ready and passed the call${statuses.length > 0 ? ` (status ${statuses.join(', ')})` : ''}; nothing points at it.`, evidence);
    }

    const erroring = failingGateway.find((g) => g.gateway?.errorKind);
    if (erroring) {
      return fail('gateway_verifier', erroring.gateway!.errorKind!, `The Gateway answered ${erroring.gateway!.status} for this request (${erroring.gateway!.errorKind}); fix the Gateway's path to STS or the upstream.`, {
        ...evidence,
        confidence: 'high',
      });
    }
    if ((symptom === 'unauthenticated' || symptom === 'resource_denied') && denials.length > 0) {
      const code = ctx.error?.code ?? null;
      const top = denials.slice(0, 3).map((d) => `denials_${d.kind}=${d.count}`).join(', ');
      return fail(
        'gateway_verifier',
        code ?? `gateway_denied_${denials[0]!.kind}`,
        `The Gateway has been rejecting bearers (${top})${code ? `, which matches the \`${code}\` the caller got` : ''}; check that the SDK sends a current mandate signed by this zone's issuer.`,
        { ...evidence, confidence: 'medium' },
      );
    }
    if (!gm.ok) return unknown('gateway_verifier', `The Gateway is ready, but its metrics are unavailable: ${whyUnavailable(gm)}.`, evidence, gm.error.code);
    if (symptom === 'scope_insufficient_after_allow') {
      return pass('gateway_verifier', 'The Gateway is ready and records no denials; the refusal came from the resource server (see requested scopes).', evidence);
    }
    if (ready.state === 'unknown') return unknown('gateway_verifier', `Gateway readiness is unknown (${ready.cause}) and it records no denials.`, evidence, ready.cause);
    return manual('gateway_verifier', `The Gateway is ready and records no denials, so an in-process verifier refused the call; check: ${VERIFIER_CHECKLIST.join('; ')}.`, { ...evidence, checklist: VERIFIER_CHECKLIST });
  },
});
