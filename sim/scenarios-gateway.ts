/**
 * Diagnoses a real Caracal showed the engine reading wrongly, with rows seeded as the Go STS
 * and Gateway write them:
 * - a call through the Gateway that the upstream refused: the Gateway exchanges the caller's
 *   mandate itself, and that "use" exchange asks for no scopes (`requested_scopes: []`); STS
 *   allowed it, the upstream answered 403. For an operation-enforced resource STS checked the
 *   mandate carries the operation's scope before allowing; for a transport-uniform one nothing
 *   in the trace says which scopes the mandate held;
 * - a request for an archived resource: STS denies it `resource_not_found`, and the resource
 *   list answers only active resources unless asked for `status=archived`;
 * - a policy deny with the reason STS's policy writes when the policy's data does not bind the
 *   application to the resource (`[{reason:"resource_not_granted"}]`).
 */
import type { Scenario } from './types';
import { RESOURCE_ID, ZONE_B, at, exchangeDeniedRow, gatewayRow, healthyServices, resource, stsRow, withTraffic, zoneA, zoneB } from './world';

/** The Gateway's use-exchange for one call: allowed, no scopes asked for. */
function useExchange(id: string, requestId: string, t: number): Scenario['zones'][number]['audit'][number] {
  return stsRow({ id, zoneId: ZONE_B, requestId, t, decision: 'allow', evaluationStatus: 'complete', determining: [{ policy: 'caracal-anton-mint' }], requestedScopes: [], shape: 'real' });
}

const gatewayUpstreamDenied: Scenario = {
  name: 'gateway_upstream_denied',
  description: "A call through the Gateway: STS allowed the Gateway's use-exchange (requested_scopes []), and the upstream answered 403 to GET /v1/payments on an operation-enforced resource.",
  input: { requestId: 'req-gwup-1' },
  expect: { surface: 'resource_verifier', step: 'gateway_verifier', cause: 'upstream_denied', exit: 1 },
  causeVisibleViaApi: true,
  zones: withTraffic(
    useExchange('evt-gwup-1', 'req-gwup-1', 400),
    gatewayRow({ id: 'evt-gwup-2', zoneId: ZONE_B, requestId: 'req-gwup-1', t: 401, method: 'GET', gatewayStatus: 403, upstreamStatus: 403, resultClass: 'upstream_denied' }),
  ),
  services: healthyServices(),
};

const gatewayUpstreamDeniedUniform: Scenario = {
  name: 'gateway_upstream_denied_uniform',
  description: "As gateway_upstream_denied, but the resource is transport_uniform: STS did not check the operation's scope, and the trace cannot tell which scopes the mandate held.",
  input: { requestId: 'req-gwup-2', error: '403 insufficient_scope' },
  expect: { surface: 'resource_verifier', step: 'gateway_verifier', cause: 'upstream_denied', exit: 1 },
  causeVisibleViaApi: true,
  zones: (() => {
    const [a, b] = withTraffic(
      useExchange('evt-gwup-3', 'req-gwup-2', 410),
      gatewayRow({ id: 'evt-gwup-4', zoneId: ZONE_B, requestId: 'req-gwup-2', t: 411, method: 'POST', gatewayStatus: 403, upstreamStatus: 403, resultClass: 'upstream_denied' }),
    );
    return [a!, { ...b!, resources: b!.resources.map((r) => (r.id === RESOURCE_ID ? { ...r, operation_enforcement: 'transport_uniform' } : r)) }];
  })(),
  services: healthyServices(),
};

const resourceArchived: Scenario = {
  name: 'resource_archived',
  description: 'STS denied resource_not_found for resource://payments, which was archived an hour before (the resource list hides it unless asked for status=archived).',
  input: { requestId: 'req-arch-1' },
  expect: { surface: 'configuration', step: 'configuration', cause: 'resource_archived', exit: 1 },
  causeVisibleViaApi: true,
  zones: [
    zoneA(),
    zoneB({
      resources: zoneB().resources.map((r) => (r.id === RESOURCE_ID ? resource({ id: RESOURCE_ID, zone_id: ZONE_B, archived_at: at(360) }) : r)),
      audit: [
        ...zoneB().audit,
        stsRow({ id: 'evt-arch-1', zoneId: ZONE_B, requestId: 'req-arch-1', t: 420, decision: 'deny', evaluationStatus: 'resource_not_found', shape: 'real', prePolicy: true }),
        exchangeDeniedRow({ id: 'evt-arch-2', zoneId: ZONE_B, requestId: 'req-arch-1', t: 420 }),
      ],
    }),
  ],
  services: healthyServices(),
};

const resourceNotGranted: Scenario = {
  name: 'resource_not_granted',
  description: "Policy deny from the real STS: diagnostics [{reason: resource_not_granted}]: the policy's data does not bind the application to the resource, though a grant covers the scope.",
  input: { requestId: 'req-rng-1' },
  expect: { surface: 'sts_policy', step: 'grant_policy', cause: 'resource_not_granted', exit: 1 },
  causeVisibleViaApi: true,
  zones: withTraffic(
    stsRow({
      id: 'evt-rng-1',
      zoneId: ZONE_B,
      requestId: 'req-rng-1',
      t: 430,
      decision: 'deny',
      evaluationStatus: 'complete',
      determining: [],
      diagnostics: [{ reason: 'resource_not_granted' }],
      requestedScopes: ['payments:read'],
      shape: 'real',
    }),
    exchangeDeniedRow({ id: 'evt-rng-2', zoneId: ZONE_B, requestId: 'req-rng-1', t: 430 }),
  ),
  services: healthyServices(),
};

export const GATEWAY_SCENARIOS: readonly Scenario[] = [gatewayUpstreamDenied, gatewayUpstreamDeniedUniform, resourceArchived, resourceNotGranted];
