/**
 * The simulator's scenarios: each is one Caracal deployment state, the request ID a user
 * would paste, and what a correct triage concludes (`expect`), so tests and `caracal-triage
 * demo` can check themselves. Every scenario has two zones and the request (when it exists)
 * lives in the second, so the zone search is exercised. Rows mix the fixtures' simplified
 * shape with the shape the real Go STS writes.
 */
import {
  SEEDED_ADMIN_TOKEN,
  SEEDED_API_KEY,
  SEEDED_BEARER_VALUE,
  SEEDED_CLIENT_SECRET,
  SEEDED_JWT,
  SEEDED_PASSWORD,
  SEEDED_SINK_SECRET,
  SEEDED_SLACK_TOKEN,
} from './secrets';
import { CHANGE_SCENARIOS } from './scenarios-changes';
import { MORE_SCENARIOS } from './scenarios-more';
import { OBSERVED_SCENARIOS } from './scenarios-observed';
import { GATEWAY_SCENARIOS } from './scenarios-gateway';
import type { Scenario } from './types';
import {
  AUDIT_METRICS,
  GATEWAY_METRICS,
  INTERNAL_ERROR_500,
  MANIFEST_SHA,
  OLD_POLICY_VERSION_ID,
  POLICY_SET_ID,
  POLICY_VERSION_ID,
  ZONE_B,
  at,
  authorityRecord,
  exchangeDeniedRow,
  gatewayRow,
  grant,
  healthyServices,
  policySet,
  provider,
  session,
  stsRow,
  withTraffic,
  zoneA,
  zoneB,
} from './world';

const healthyAllow: Scenario = {
  name: 'healthy_allow',
  description: 'An allowed request on a healthy deployment: nothing to fix (secrets are planted in provider config and audit metadata).',
  input: { requestId: 'req-allow-1' },
  expect: { surface: null, step: null, cause: null, exit: 0 },
  causeVisibleViaApi: true,
  pageSize: 2,
  zones: [
    zoneA(),
    zoneB({
      providers: [
        provider(ZONE_B, {
          description: `Slack alerts go out with ${SEEDED_SLACK_TOKEN}`,
          config_json: {
            token_url: 'https://auth.payments.example.com/oauth/token',
            allowed_token_hosts: ['auth.payments.example.com'],
            default_headers: { Authorization: `Bearer ${SEEDED_BEARER_VALUE}`, 'X-Api-Key': SEEDED_API_KEY },
            client_secret: SEEDED_CLIENT_SECRET,
          },
        }),
      ],
      audit: [
        ...zoneB().audit,
        stsRow({
          id: 'evt-allow-1',
          zoneId: ZONE_B,
          requestId: 'req-allow-1',
          t: 10,
          decision: 'allow',
          evaluationStatus: 'complete',
          determining: [{ policy: 'caracal-anton-mint' }],
          requestedScopes: ['payments:read'],
          shape: 'real',
          extraMetadata: {
            upstream_note: `mandate ${SEEDED_JWT} issued`,
            upstream_request: JSON.stringify({ headers: { 'x-api-key': SEEDED_API_KEY }, body: { password: SEEDED_PASSWORD } }),
          },
        }),
        gatewayRow({ id: 'evt-allow-2', zoneId: ZONE_B, requestId: 'req-allow-1', t: 11, gatewayStatus: 200, upstreamStatus: 200 }),
      ],
    }),
  ],
  services: healthyServices(),
};

const redisDown: Scenario = {
  name: 'redis_down',
  description: 'Redis is down: API and Coordinator /ready answer 500 internal_error, STS/Gateway/Audit /ready 503 redis_unreachable.',
  input: { requestId: 'req-redis-1', symptom: 'token_exchange_denied' },
  expect: { surface: 'infrastructure', step: 'readiness', cause: 'redis_unreachable', exit: 1 },
  causeVisibleViaApi: true,
  zones: withTraffic(
    stsRow({ id: 'evt-redis-1', zoneId: ZONE_B, requestId: 'req-redis-1', t: 20, decision: 'deny', evaluationStatus: 'policy_eval_failed', shape: 'real', prePolicy: true }),
    exchangeDeniedRow({ id: 'evt-redis-2', zoneId: ZONE_B, requestId: 'req-redis-1', t: 20 }),
  ),
  services: healthyServices({
    api: { ready: INTERNAL_ERROR_500 },
    coordinator: { ready: INTERNAL_ERROR_500 },
    sts: { ready: { status: 503, body: { ok: false, ready: false, reason: 'redis_unreachable' } } },
    gateway: { ready: { status: 503, body: { ok: false, ready: false, reason: 'redis_unreachable' } } },
    audit: { ready: { status: 503, body: { ok: false, ready: false, reason: 'redis_unreachable' } } },
  }),
};

const resourceNotFound: Scenario = {
  name: 'resource_not_found',
  description: 'STS denied before policy: the SDK asked for resource://payment, which the zone does not define (real STS row shape).',
  input: { requestId: 'req-rnf-1', symptom: 'token_exchange_denied' },
  expect: { surface: 'configuration', step: 'configuration', cause: 'resource_not_found', exit: 1 },
  causeVisibleViaApi: true,
  zones: withTraffic(
    stsRow({
      id: 'evt-rnf-1',
      zoneId: ZONE_B,
      requestId: 'req-rnf-1',
      t: 30,
      decision: 'deny',
      evaluationStatus: 'resource_not_found',
      resource: 'resource://payment',
      shape: 'real',
      prePolicy: true,
    }),
    exchangeDeniedRow({ id: 'evt-rnf-2', zoneId: ZONE_B, requestId: 'req-rnf-1', t: 30, requested: ['resource://payment'] }),
  ),
  services: healthyServices(),
};

const grantMissing: Scenario = {
  name: 'grant_missing',
  description:
    'Policy deny (complete, scope_not_granted): the active grant lacks payments:write; a revoked grant that had it is still listed. Secrets are planted in diagnostics and metadata.',
  input: { requestId: 'req-grant-1', symptom: 'token_exchange_denied' },
  expect: { surface: 'sts_policy', step: 'grant_policy', cause: 'scope_not_granted', exit: 1 },
  causeVisibleViaApi: true,
  pageSize: 1,
  zones: [
    zoneA(),
    zoneB({
      providers: [
        provider(ZONE_B, {
          config_json: {
            token_url: 'https://auth.payments.example.com/oauth/token',
            allowed_token_hosts: ['auth.payments.example.com'],
            webhook: { url: 'https://hooks.example.com/caracal', signing_secret_hint: SEEDED_SINK_SECRET },
            basic_auth: { username: 'svc-payments', password: SEEDED_PASSWORD },
          },
        }),
      ],
      grants: [
        grant(ZONE_B, { id: '01a21de6-cc87-75e6-b543-499009b05805', scopes: ['payments:read'] }),
        grant(ZONE_B, { id: '01a21de6-cc87-75e6-b543-499009b05806', scopes: ['payments:read', 'payments:write'], status: 'revoked' }),
      ],
      audit: [
        ...zoneB().audit,
        // Fixture shape: diagnostics {code,message}, nulls, a named determining policy.
        stsRow({
          id: 'evt-grant-1',
          zoneId: ZONE_B,
          requestId: 'req-grant-1',
          t: 40,
          decision: 'deny',
          evaluationStatus: 'complete',
          determining: [{ policy: 'payments-mint' }],
          diagnostics: [{ code: 'scope_not_granted', message: `payments:write not granted (caller presented ${SEEDED_ADMIN_TOKEN})` }],
          requestedScopes: ['payments:write'],
          shape: 'fixture',
          extraMetadata: {
            client_secret: SEEDED_CLIENT_SECRET,
            error_description: `provider token endpoint answered 401 for Authorization: Bearer ${SEEDED_JWT}`,
          },
        }),
        exchangeDeniedRow({ id: 'evt-grant-2', zoneId: ZONE_B, requestId: 'req-grant-1', t: 41 }),
      ],
    }),
  ],
  services: healthyServices(),
};

const noActivePolicySet: Scenario = {
  name: 'no_active_policy_set',
  description: 'The zone has a policy set but none is active: STS writes manifest_sha "no_active_policy_set" and diagnostics [{reason}].',
  input: { requestId: 'req-nops-1', symptom: 'token_exchange_denied' },
  expect: { surface: 'sts_policy', step: 'policy_set_activation', cause: 'no_active_policy_set', exit: 1 },
  causeVisibleViaApi: true,
  zones: [
    zoneA(),
    zoneB({
      policySets: [policySet(ZONE_B, { active_version_id: null })],
      activation: {},
      // Both versions allow the call when STS simulates them: activating the newer (v2) is the remedy.
      simulation: { [OLD_POLICY_VERSION_ID]: { decision: 'allow' }, [POLICY_VERSION_ID]: { decision: 'allow' } },
      audit: [
        ...zoneB().audit,
        stsRow({
          id: 'evt-nops-1',
          zoneId: ZONE_B,
          requestId: 'req-nops-1',
          t: 50,
          decision: 'deny',
          evaluationStatus: 'complete',
          diagnostics: [{ reason: 'no_active_policy_set' }],
          requestedScopes: ['payments:read'],
          manifestSha: 'no_active_policy_set',
          versionId: '',
          shape: 'real',
        }),
        exchangeDeniedRow({ id: 'evt-nops-2', zoneId: ZONE_B, requestId: 'req-nops-1', t: 50 }),
      ],
    }),
  ],
  services: healthyServices(),
};

const activationFailed: Scenario = {
  name: 'activation_failed',
  description: 'The active policy-set version never reached STS: activation-status propagation_status failed, outbox dead; STS still runs the old manifest.',
  input: { requestId: 'req-act-1', symptom: 'token_exchange_denied' },
  expect: { surface: 'sts_policy', step: 'policy_set_activation', cause: 'propagation_failed', exit: 1 },
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
            propagation_status: 'failed',
            outbox: { id: '01a21de6-b42c-7341-8928-6cb110a499df', state: 'dead', attempts: 8, last_error: 'sts policy reload answered 503', dispatched_at: null },
            sts: { state: 'not_loaded', loaded: false, policy_set_version_id: OLD_POLICY_VERSION_ID, manifest_sha256: 'a1b2c3d4e5f6', age_seconds: 5400 },
          },
        },
      },
      audit: [
        ...zoneB().audit,
        stsRow({
          id: 'evt-act-1',
          zoneId: ZONE_B,
          requestId: 'req-act-1',
          t: 60,
          decision: 'deny',
          evaluationStatus: 'complete',
          diagnostics: [{ reason: 'default_deny' }],
          requestedScopes: ['payments:write'],
          versionId: OLD_POLICY_VERSION_ID,
          manifestSha: 'a1b2c3d4e5f6',
          shape: 'real',
        }),
        exchangeDeniedRow({ id: 'evt-act-2', zoneId: ZONE_B, requestId: 'req-act-1', t: 60 }),
      ],
    }),
  ],
  services: healthyServices(),
};

const scopeMismatch: Scenario = {
  name: 'scope_mismatch',
  description:
    'Pre-policy deny scope_mismatch: the SDK requested payments:wirte, which the resource does not define (the grant check fails too, but the cause is the scope).',
  input: { requestId: 'req-scope-1', symptom: 'token_exchange_denied' },
  expect: { surface: 'resource_definition', step: 'requested_scopes', cause: 'scope_mismatch', exit: 1 },
  causeVisibleViaApi: true,
  zones: withTraffic(
    stsRow({
      id: 'evt-scope-1',
      zoneId: ZONE_B,
      requestId: 'req-scope-1',
      t: 70,
      decision: 'deny',
      evaluationStatus: 'scope_mismatch',
      requestedScopes: ['payments:wirte'],
      shape: 'real',
      prePolicy: true,
    }),
    exchangeDeniedRow({ id: 'evt-scope-2', zoneId: ZONE_B, requestId: 'req-scope-1', t: 70 }),
  ),
  services: healthyServices(),
};

const gatewayRejects: Scenario = {
  name: 'gateway_rejects',
  description: 'STS allowed the exchange but the Gateway cannot reach STS and rejects calls (bad routing and signature denials climbing).',
  input: { requestId: 'req-gw-1', symptom: 'resource_denied', error: 'invalid_token' },
  expect: { surface: 'resource_verifier', step: 'gateway_verifier', cause: 'sts_unreachable', exit: 1 },
  causeVisibleViaApi: false,
  zones: withTraffic(
    stsRow({
      id: 'evt-gw-1',
      zoneId: ZONE_B,
      requestId: 'req-gw-1',
      t: 80,
      decision: 'allow',
      evaluationStatus: 'complete',
      determining: [{ policy: 'caracal-anton-mint' }],
      requestedScopes: ['payments:read'],
      shape: 'real',
    }),
    gatewayRow({ id: 'evt-gw-2', zoneId: ZONE_B, requestId: 'req-gw-1', t: 81, gatewayStatus: 502, upstreamStatus: null, resultClass: 'gateway_error', errorKind: 'sts_unreachable' }),
  ),
  services: healthyServices({
    gateway: {
      ready: { status: 503, body: { ok: false, ready: false, reason: 'sts_unreachable' } },
      metrics: { ...GATEWAY_METRICS, requests_denied: 31, denials_bad_routing: 14, denials_signature: 3, sts_exchange_errors: 14, sts_circuit_open: 1, sts_circuit_opened: 2 },
    },
  }),
};

const scopeInsufficientAfterAllow: Scenario = {
  name: 'scope_insufficient_after_allow',
  description: 'STS minted a mandate for payments:read, but POST /v1/payments requires payments:write (resource operations), so the resource answers scope_insufficient.',
  input: { requestId: 'req-sia-1', symptom: 'scope_insufficient_after_allow', error: 'scope_insufficient' },
  expect: { surface: 'resource_definition', step: 'requested_scopes', cause: 'operation_scope_not_granted', exit: 1 },
  causeVisibleViaApi: true,
  zones: withTraffic(
    stsRow({
      id: 'evt-sia-1',
      zoneId: ZONE_B,
      requestId: 'req-sia-1',
      t: 90,
      decision: 'allow',
      evaluationStatus: 'complete',
      determining: [{ policy: 'caracal-anton-mint' }],
      requestedScopes: ['payments:read'],
      shape: 'real',
    }),
    gatewayRow({ id: 'evt-sia-2', zoneId: ZONE_B, requestId: 'req-sia-1', t: 91, method: 'POST', gatewayStatus: 403, upstreamStatus: 403, resultClass: 'upstream_denied' }),
  ),
  services: healthyServices(),
};

const auditMissing: Scenario = {
  name: 'audit_missing',
  description: 'The call worked but no audit event exists: the Audit consumer is 5000 events behind with 3 in the DLQ.',
  input: { requestId: 'req-noaudit-1', symptom: 'no_audit_event' },
  expect: { surface: 'audit_pipeline', step: 'audit_trace', cause: 'audit_lag_threshold', exit: 1 },
  causeVisibleViaApi: false,
  zones: [zoneA(), zoneB()],
  services: healthyServices({
    audit: {
      ready: { status: 503, body: { ok: false, ready: false, reason: 'audit_lag_threshold' } },
      metrics: { ...AUDIT_METRICS, consumer_lag: 5000, consumer_pel_oldest_secs: 420, dlq_size: 3, dlq_oldest_age_secs: 380, dlq_total: 3 },
    },
  }),
};

const revocationStale: Scenario = {
  name: 'revocation_stale',
  description: "The authority record was revoked, but the Gateway's revocation snapshot is stale, so calls still pass.",
  input: { requestId: 'req-rev-1', symptom: 'access_after_revocation' },
  expect: { surface: 'revocation', step: 'gateway_verifier', cause: 'revocation_snapshot_stale', exit: 1 },
  causeVisibleViaApi: false,
  zones: [
    zoneA(),
    zoneB({
      sessions: [session({ status: 'terminated', terminated_at: at(95), termination_reason: 'authority_revoked' })],
      authorityRecords: [authorityRecord(ZONE_B, { status: 'revoked', revoked_at: at(95), revoked_reason: 'compromised laptop' })],
      audit: [
        ...zoneB().audit,
        stsRow({
          id: 'evt-rev-1',
          zoneId: ZONE_B,
          requestId: 'req-rev-1',
          t: 60,
          decision: 'allow',
          evaluationStatus: 'complete',
          determining: [{ policy: 'caracal-anton-mint' }],
          requestedScopes: ['payments:read'],
          shape: 'real',
        }),
        gatewayRow({ id: 'evt-rev-2', zoneId: ZONE_B, requestId: 'req-rev-1', t: 300, gatewayStatus: 200, upstreamStatus: 200 }),
      ],
    }),
  ],
  services: healthyServices({
    gateway: {
      ready: { status: 503, body: { ok: false, ready: false, reason: 'revocation_snapshot_stale' } },
      metrics: { ...GATEWAY_METRICS, revocations_active: 1, revocation_snapshot_fresh: 0, revocation_snapshot_age_seconds: 900, revocation_reload_errors: 6 },
    },
  }),
};

const requestUnknown: Scenario = {
  name: 'request_unknown',
  description: 'Everything is healthy but no zone knows the request ID (typo, wrong deployment, or a Gateway 401 that writes no audit).',
  input: { requestId: 'req-nowhere-1' },
  expect: { surface: 'unknown', step: 'request_trace', cause: 'request_not_found', exit: 1 },
  causeVisibleViaApi: true,
  zones: [zoneA(), zoneB()],
  services: healthyServices(),
};

const unauthenticated: Scenario = {
  name: 'unauthenticated',
  description: 'The Gateway answered 401 invalid_token (bad bearer signature); Gateway pre-STS 401s write no audit rows.',
  input: {
    requestId: 'req-401-1',
    symptom: 'unauthenticated',
    error: '{"error":"invalid_token","error_description":"bearer signature invalid","requestId":"req-401-1"}',
  },
  expect: { surface: 'authentication', step: 'gateway_verifier', cause: 'invalid_token', exit: 1 },
  causeVisibleViaApi: false,
  zones: [zoneA(), zoneB()],
  services: healthyServices({
    gateway: { metrics: { ...GATEWAY_METRICS, requests_denied: 12, denials_bad_bearer: 9, denials_signature: 3 } },
  }),
};

export const SCENARIOS: readonly Scenario[] = [
  healthyAllow,
  redisDown,
  resourceNotFound,
  grantMissing,
  noActivePolicySet,
  activationFailed,
  scopeMismatch,
  gatewayRejects,
  scopeInsufficientAfterAllow,
  auditMissing,
  revocationStale,
  requestUnknown,
  unauthenticated,
  ...MORE_SCENARIOS,
  ...OBSERVED_SCENARIOS,
  ...CHANGE_SCENARIOS,
  ...GATEWAY_SCENARIOS,
];

export const SCENARIO_NAMES = SCENARIOS.map((s) => s.name);

export function getScenario(name: string): Scenario {
  const s = SCENARIOS.find((x) => x.name === name);
  if (!s) throw new Error(`unknown simulator scenario "${name}"; known: ${SCENARIO_NAMES.join(', ')}`);
  return s;
}

