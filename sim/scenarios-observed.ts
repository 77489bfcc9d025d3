/**
 * Three causes a real Caracal exposed that the engine first misread, with rows seeded as the Go
 * services write them:
 * - a resource mandate presented twice: the Gateway's replay guard (services/gateway/internal/
 *   jti.go) writes `replay_detected` before any STS exchange and answers 401 invalid_token;
 * - STS's client-authentication refusal pasted as a body without its status: STS sends
 *   `{"error":"access_denied","error_description":"invalid client credentials"}` only with 401
 *   and audits nothing (services/sts/internal/exchange.go), here for an expired application;
 * - an activation STS never loaded: the policy set was activated at v1, then at v2 (which allows
 *   the scope), but STS kept its cached v1 bundle (it keeps it when a reload fails and re-polls
 *   about every 60 s: services/sts/internal/opa.go), so the deny carries v1's version and
 *   manifest with `role_scope_mismatch`.
 */
import type { Scenario } from './types';
import {
  APP_ID,
  GATEWAY_METRICS,
  MANIFEST_SHA,
  OLD_MANIFEST_SHA,
  OLD_POLICY_VERSION_ID,
  POLICY_SET_ID,
  POLICY_VERSION_ID,
  RESOURCE_IDENTIFIER,
  ZONE_B,
  application,
  at,
  exchangeDeniedRow,
  gatewayRow,
  healthyServices,
  stsRow,
  withTraffic,
  zoneA,
  zoneB,
} from './world';

type Row = Scenario['zones'][number]['audit'][number];

const REPLAYED_JTI = '01a21de7-7f3a-7c11-9d2e-5b1f0c3a9e44';

/** The Gateway's replay row: decision deny, evaluation_status anomaly, `[]` policies and diagnostics, empty policy-set fields. */
function replayRow(o: { id: string; requestId: string; t: number }): Row {
  return {
    id: o.id,
    zone_id: ZONE_B,
    event_type: 'replay_detected',
    request_id: o.requestId,
    decision: 'deny',
    policy_set_id: '',
    policy_set_version_id: '',
    manifest_sha: '',
    evaluation_status: 'anomaly',
    determining_policies_json: [],
    diagnostics_json: [],
    metadata_json: { jti: REPLAYED_JTI, resource: RESOURCE_IDENTIFIER, client_id: APP_ID, subject_fp: 'sha256:5f1c0e2a', request_id: o.requestId },
    occurred_at: at(o.t),
    ingested_at: at(o.t + 2),
  };
}

/** The mandate was used once (req-replay-0, allowed and proxied), then presented again by req-replay-1. */
const replayedMandate: Scenario = {
  name: 'replayed_mandate',
  description: 'A resource mandate presented a second time: the Gateway wrote replay_detected (deny, anomaly) before any STS exchange and answered 401 invalid_token.',
  input: { requestId: 'req-replay-1' },
  expect: { surface: 'resource_verifier', step: 'gateway_verifier', cause: 'replay_detected', exit: 1 },
  causeVisibleViaApi: true,
  zones: withTraffic(
    stsRow({ id: 'evt-replay-0a', zoneId: ZONE_B, requestId: 'req-replay-0', t: 300, decision: 'allow', evaluationStatus: 'complete', determining: [{ policy: 'caracal-anton-mint' }], shape: 'real' }),
    gatewayRow({ id: 'evt-replay-0b', zoneId: ZONE_B, requestId: 'req-replay-0', t: 301, gatewayStatus: 200, upstreamStatus: 200 }),
    replayRow({ id: 'evt-replay-1', requestId: 'req-replay-1', t: 310 }),
  ),
  services: healthyServices({ gateway: { metrics: { ...GATEWAY_METRICS, requests_total: 901, requests_denied: 1, denials_jti_replay: 1 } } }),
};

/** The body exactly as STS sends it, without the status line or a request ID; the request ID is from the response header. */
const applicationExpiredBody: Scenario = {
  name: 'application_expired_body',
  description: 'STS client authentication refused an expired application; only its body was pasted ({"error":"access_denied","error_description":"invalid client credentials"}), and audit has no row.',
  input: { requestId: 'req-expired-2', error: '{"error":"access_denied","error_description":"invalid client credentials"}' },
  expect: { surface: 'configuration', step: 'configuration', cause: 'application_expired', exit: 1 },
  causeVisibleViaApi: true,
  zones: [zoneA(), zoneB({ applications: [application(ZONE_B, { expires_at: at(-86400 * 400) })] })],
  services: healthyServices(),
};

/** v2 was dispatched to STS ten minutes before the request; STS reports it still serves v1. */
const activatedNotLoaded: Scenario = {
  name: 'activated_not_loaded',
  description: 'The policy set was activated at v1, then at v2 (which grants payments:write), but STS kept v1: the deny carries v1 and role_scope_mismatch.',
  input: { requestId: 'req-stale-1', error: '{"error":"access_denied","error_description":"policy denied (role_scope_mismatch)","requestId":"req-stale-1"}' },
  expect: { surface: 'sts_policy', step: 'policy_set_activation', cause: 'activation_not_loaded', exit: 1 },
  causeVisibleViaApi: true,
  zones: [
    zoneA(),
    zoneB({
      activation: {
        [POLICY_SET_ID]: {
          status: 200,
          body: {
            zone_id: ZONE_B,
            policy_set_id: POLICY_SET_ID,
            version_id: POLICY_VERSION_ID,
            active: true,
            active_version_id: POLICY_VERSION_ID,
            manifest_sha256: MANIFEST_SHA,
            // STS answers loaded, but with v1: the API's rule makes that waiting_for_sts.
            propagation_status: 'waiting_for_sts',
            outbox: { id: '01a21de6-b42c-7341-8928-6cb110a499e0', state: 'dispatched', attempts: 1, last_error: null, dispatched_at: at(-400) },
            sts: { state: 'loaded', loaded: true, policy_set_version_id: OLD_POLICY_VERSION_ID, manifest_sha256: OLD_MANIFEST_SHA, loaded_at: at(-86400 * 7 + 5), age_seconds: 86400 * 7 },
          },
        },
      },
      audit: [
        ...zoneB().audit,
        stsRow({
          id: 'evt-stale-1',
          zoneId: ZONE_B,
          requestId: 'req-stale-1',
          t: 200,
          decision: 'deny',
          evaluationStatus: 'complete',
          determining: [],
          diagnostics: [{ reason: 'role_scope_mismatch' }],
          requestedScopes: ['payments:write'],
          versionId: OLD_POLICY_VERSION_ID,
          manifestSha: OLD_MANIFEST_SHA,
          shape: 'real',
        }),
        exchangeDeniedRow({ id: 'evt-stale-2', zoneId: ZONE_B, requestId: 'req-stale-1', t: 200 }),
      ],
    }),
  ],
  services: healthyServices(),
};

export const OBSERVED_SCENARIOS: readonly Scenario[] = [replayedMandate, applicationExpiredBody, activatedNotLoaded];
