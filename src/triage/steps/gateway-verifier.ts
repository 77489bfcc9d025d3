/**
 * Step 7, Gateway route or verifier: when STS allowed but the resource refused (or a credential
 * was rejected at the resource, or revoked access still works), inspect the Gateway: its
 * readiness, its denial and revocation metrics, the resource's operations and enforcement,
 * and the trace's Gateway events. Without a Gateway the rejection came from an in-process
 * verifier, which only a person can inspect; the same holds for whether a third-party resource
 * server consumes `caracal.sessions.revoke`.
 */
import type { Symptom } from '../model';
import { gatewayDenials, gatewayRevocationFindings, readinessOf } from '../health';
import { requestFacts } from '../request-facts';
import { defineStep, fail, manual, pass, unknown, whyUnavailable } from './step';

const RESOURCE_SIDE: readonly Symptom[] = ['resource_denied', 'unauthenticated', 'scope_insufficient_after_allow', 'access_after_revocation'];

const VERIFIER_CHECKLIST = [
  'the mandate is unexpired and meant for this resource (aud / X-Caracal-Resource)',
  "the verifier trusts this zone's issuer and JWKS (/.well-known/jwks.json?zone_id=)",
  'the scope the verifier requires is one the mandate carries',
];

export const gatewayVerifierStep = defineStep({
  id: 'gateway_verifier',
  needs: ['location', 'readiness', 'metrics', 'resources', 'sessions', 'authorityRecords'],
  judge({ location, readiness, metrics, resources, sessions, authorityRecords }, ctx) {
    const facts = requestFacts(location, resources);
    const symptom = ctx.symptom;
    const failingGateway = facts?.gateway.filter((g) => (g.gateway?.status ?? 0) >= 400) ?? [];
    const resourceSide = (symptom !== null && RESOURCE_SIDE.includes(symptom)) || failingGateway.length > 0;

    if (facts?.sts?.decision === 'deny' && !resourceSide) {
      return pass('gateway_verifier', 'STS denied the exchange, so the call never reached the Gateway or a verifier.');
    }
    const probe = readiness.find((p) => p.service === 'gateway');
    const configured = !!probe?.configured;
    if (!configured) {
      if (symptom === 'access_after_revocation') {
        return manual('gateway_verifier', 'No Gateway is configured: check that the resource server consumes `caracal.sessions.revoke` (no HTTP endpoint reports it) and that its verifier checks revocation.', {
          gateway: 'not_configured',
        });
      }
      if (resourceSide) {
        return manual('gateway_verifier', `No Gateway is configured, so an in-process verifier refused the call; check: ${VERIFIER_CHECKLIST.join('; ')}.`, { gateway: 'not_configured', checklist: VERIFIER_CHECKLIST });
      }
      return unknown('gateway_verifier', 'No Gateway URL configured (CARACAL_GATEWAY_URL), and nothing points at the resource side.', { gateway: 'not_configured' }, 'not_configured');
    }

    const ready = readinessOf(probe!);
    const gm = metrics.gateway;
    const denials = gm.ok ? gatewayDenials(gm.value) : [];
    const evidence: Record<string, unknown> = {
      gatewayReadiness: { state: ready.state, ...(ready.cause ? { cause: ready.cause } : {}), detail: ready.detail },
      ...(gm.ok ? { denials: Object.fromEntries(denials.map((d) => [`denials_${d.kind}`, d.count])) } : { metrics: { unavailable: gm.error } }),
      ...(facts ? { gatewayEvents: facts.gateway.map((g) => ({ id: g.id, ...g.gateway })) } : {}),
    };

    if (!resourceSide) {
      if (facts?.sts?.decision === 'allow' || facts?.gateway.length) {
        return pass('gateway_verifier', `The Gateway passed the call${facts.gateway.length > 0 ? ` (status ${facts.gateway.map((g) => g.gateway?.status ?? '?').join(', ')})` : ''}; nothing points at it.`, evidence);
      }
      return unknown('gateway_verifier', 'Nothing in the trace or the symptom points at the Gateway or a verifier.', evidence, 'not_relevant');
    }

    if (ready.state === 'not_ready') {
      return fail('gateway_verifier', ready.cause!, `The Gateway is not ready (\`${ready.cause}\`), so it rejects calls to the resource; fix that first (${ready.detail}).`, { ...evidence, confidence: 'high' });
    }

    if (symptom === 'access_after_revocation') {
      if (!gm.ok) return unknown('gateway_verifier', `Gateway revocation metrics unavailable: ${whyUnavailable(gm)}.`, evidence, gm.error.code);
      const revocation = gatewayRevocationFindings(gm.value).filter((f) => f.status === 'fail');
      const revoked = {
        ...(authorityRecords.ok ? { revokedAuthorityRecords: authorityRecords.value.filter((r) => r.status === 'revoked') } : {}),
        ...(sessions.ok ? { terminatedSessions: sessions.value.filter((s) => s.status === 'terminated') } : {}),
      };
      if (revocation.length > 0) {
        const f = revocation[0]!;
        return fail('gateway_verifier', f.code, `The Gateway's revocation state is not current (${revocation.map((r) => r.detail).join('; ')}), so revoked sessions still pass; fix revocation reloads.`, {
          ...evidence,
          ...revoked,
          confidence: 'high',
        });
      }
      return manual('gateway_verifier', 'The Gateway applies revocations (snapshot fresh, no reload errors); check whether the resource server consumes `caracal.sessions.revoke` and whether the call went through the Gateway at all.', {
        ...evidence,
        ...revoked,
      });
    }

    const replay = facts?.trace.events.find((e) => e.eventType === 'replay_detected');
    if (replay) {
      return fail('gateway_verifier', 'replay_detected', 'The Gateway saw this mandate replayed and rejected it; each mandate (jti) works once, so mint a new one per call.', { ...evidence, confidence: 'high' });
    }
    if (facts?.sts?.evaluationStatus === 'operation_not_permitted') {
      const r = facts.resource;
      return fail(
        'gateway_verifier',
        'operation_not_permitted',
        `The called operation is not declared on ${r?.identifier ?? facts.resourceIdentifier ?? 'the resource'}${r?.operation_enforcement ? ` (enforcement ${r.operation_enforcement})` : ''}; declare it or use transport_uniform enforcement.`,
        { ...evidence, operations: r?.operations ?? null, confidence: 'high' },
      );
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
