/**
 * Scenarios for causes the engine was not first tuned on, each written from what the Go STS
 * and the Admin API really emit (per STS's exchange handler): pre-policy
 * denials that carry little, approval denials with no resource on the row, an expired
 * application that leaves no audit row at all, a Gateway-minted request ID the by-request path
 * cannot carry, a zone-scoped token, and operator signals (compile errors, tamper evidence)
 * that explain or doubt a trail. Expectations follow the seed's steps: the step whose check
 * would have found the cause, on the surface where it is fixed.
 */
import type { Scenario } from './types';
import {
  AUDIT_METRICS,
  MANIFEST_SHA,
  NEW_MANIFEST_SHA,
  NEW_POLICY_VERSION_ID,
  OLD_POLICY_VERSION_ID,
  POLICY_SET_ID,
  POLICY_VERSION_ID,
  ZONE_B_POLICY_VERSIONS,
  STS_METRICS,
  ZONE_B,
  application,
  at,
  exchangeDeniedRow,
  gatewayRow,
  grant,
  healthyServices,
  policyVersion,
  stsRow,
  withTraffic,
  zoneA,
  zoneB,
} from './world';

/**
 * STS looks applications up with `expires_at > now()`, so an expired one fails client
 * authentication (401 access_denied "invalid client credentials") before anything is audited.
 * The request ID (from the STS response header) is in no zone; the expired application is.
 */
const applicationExpired: Scenario = {
  name: 'application_expired',
  description: 'The application expired: STS refuses its credentials with 401 access_denied before auditing, so the request left no audit row.',
  input: {
    requestId: 'req-expired-1',
    error: '401 {"error":"access_denied","error_description":"invalid client credentials","requestId":"req-expired-1"}',
  },
  expect: { surface: 'configuration', step: 'configuration', cause: 'application_expired', exit: 1 },
  causeVisibleViaApi: true,
  zones: [zoneA(), zoneB({ applications: [application(ZONE_B, { expires_at: at(-86400 * 400) })] })],
  services: healthyServices(),
};

/** The STS mint limit (per zone, resource and application) writes `rate_limited` and ends as 403 access_denied. */
const mintRateLimited: Scenario = {
  name: 'mint_rate_limited',
  description: 'STS hit its mint limit for this zone, resource and application: audit evaluation_status rate_limited, the caller got 403 "policy denied (rate_limited)".',
  input: { requestId: 'req-rate-1', error: '{"error":"access_denied","error_description":"policy denied (rate_limited)","requestId":"req-rate-1"}' },
  expect: { surface: 'sts_policy', step: 'grant_policy', cause: 'rate_limited', exit: 1 },
  causeVisibleViaApi: true,
  zones: withTraffic(
    stsRow({ id: 'evt-rate-1', zoneId: ZONE_B, requestId: 'req-rate-1', t: 110, decision: 'deny', evaluationStatus: 'rate_limited', shape: 'real', prePolicy: true }),
    exchangeDeniedRow({ id: 'evt-rate-2', zoneId: ZONE_B, requestId: 'req-rate-1', t: 110 }),
  ),
  services: healthyServices(),
};

/**
 * A retry presented an approval that had expired. STS writes `approval_expired` with the
 * application fields only (no resource, no scopes, null policy arrays), adds no
 * `exchange_denied` row (it returns at once), and answers 401 access_denied "approval expired".
 */
const approvalExpired: Scenario = {
  name: 'approval_expired',
  description: 'A retry came back with an approval that had expired: STS denied before policy (approval_expired) and answered 401 access_denied.',
  input: { requestId: 'req-approval-1', error: '401 {"error":"access_denied","error_description":"approval expired","requestId":"req-approval-1"}' },
  expect: { surface: 'sts_policy', step: 'grant_policy', cause: 'approval_expired', exit: 1 },
  causeVisibleViaApi: true,
  zones: withTraffic(
    stsRow({ id: 'evt-approval-1', zoneId: ZONE_B, requestId: 'req-approval-1', t: 120, decision: 'deny', evaluationStatus: 'approval_expired', shape: 'real', prePolicy: true, omitResource: true }),
  ),
  services: healthyServices(),
};

/**
 * A real-STS policy deny: the scope is defined on the resource and an active grant covers it,
 * but the policy's role for the application does not carry it (`[{reason:"role_scope_mismatch"}]`,
 * no determining policies). The fix is in grant and policy, not in the resource.
 */
/** Zone B (the second zone) with a third, newer version of its set, and what STS decides per version. */
function withV3(zones: Scenario['zones']): Scenario['zones'] {
  const [a, b] = zones;
  return [
    a!,
    {
      ...b!,
      policyVersions: { [POLICY_SET_ID]: [...ZONE_B_POLICY_VERSIONS, policyVersion(NEW_POLICY_VERSION_ID, 3, NEW_MANIFEST_SHA, at(100))] },
      simulation: {
        [OLD_POLICY_VERSION_ID]: { decision: 'deny', reason: 'role_scope_mismatch' },
        [POLICY_VERSION_ID]: { decision: 'deny', reason: 'role_scope_mismatch' },
        [NEW_POLICY_VERSION_ID]: { decision: 'allow', policies: ['caracal-anton-mint'] },
      },
    },
  ];
}

const roleScopeMismatch: Scenario = {
  name: 'role_scope_mismatch',
  description: 'Policy deny from the real STS: diagnostics [{reason: role_scope_mismatch}], determining_policies []; the scope exists on the resource and the grant covers it.',
  input: { requestId: 'req-role-1', error: '{"error":"access_denied","error_description":"policy denied (role_scope_mismatch)","requestId":"req-role-1"}' },
  expect: { surface: 'sts_policy', step: 'grant_policy', cause: 'role_scope_mismatch', exit: 1 },
  causeVisibleViaApi: true,
  // A v3 that carries the scope was written but never activated; STS's simulation says it
  // allows the call and v1/v2 deny it (what `fix --plan` and *Propose fix* look for).
  zones: withV3(withTraffic(
    stsRow({
      id: 'evt-role-1',
      zoneId: ZONE_B,
      requestId: 'req-role-1',
      t: 130,
      decision: 'deny',
      evaluationStatus: 'complete',
      determining: [],
      diagnostics: [{ reason: 'role_scope_mismatch' }],
      requestedScopes: ['payments:write'],
      shape: 'real',
    }),
    exchangeDeniedRow({ id: 'evt-role-2', zoneId: ZONE_B, requestId: 'req-role-1', t: 130 }),
  )),
  services: healthyServices(),
};

/**
 * The bot runs with a zone-scoped read token (it cannot list zones) and CARACAL_ZONE_IDS naming
 * both zones; the token only opens the second, where the request is. The policy denied without
 * diagnostics and no grant binds the application to the resource (a revoked one is listed).
 */
const zoneTokenNoGrant: Scenario = {
  name: 'zone_token_no_grant',
  description: 'Zone-scoped admin token with CARACAL_ZONE_IDS: the first zone is forbidden to it, the request is in the second; policy deny with no diagnostics and no active grant.',
  input: { requestId: 'req-zt-1', symptom: 'token_exchange_denied', adminToken: 'zoneRead', configuredZones: [0, 1] },
  expect: { surface: 'sts_policy', step: 'grant_policy', cause: 'no_active_grant', exit: 1 },
  causeVisibleViaApi: true,
  zones: [
    zoneA(),
    zoneB({
      grants: [grant(ZONE_B, { id: '01a21de6-cc87-75e6-b543-499009b05807', status: 'revoked' })],
      audit: [
        ...zoneB().audit,
        stsRow({ id: 'evt-zt-1', zoneId: ZONE_B, requestId: 'req-zt-1', t: 140, decision: 'deny', evaluationStatus: 'complete', determining: [], diagnostics: [], shape: 'real' }),
        exchangeDeniedRow({ id: 'evt-zt-2', zoneId: ZONE_B, requestId: 'req-zt-1', t: 140 }),
      ],
    }),
  ],
  services: healthyServices(),
};

/**
 * The Gateway keeps any printable request ID, so STS and Gateway rows can carry one
 * with `/`, which the by-request path cannot: it is found through `/audit?request_id=`.
 */
const SLASH_ID = 'gw/7f3a9c/payments-1';
const slashRequestId: Scenario = {
  name: 'slash_request_id',
  description: 'A Gateway-minted request ID with "/" (only the audit list can find it): STS denied the Gateway exchange, scope_not_granted in {reason} form.',
  input: { requestId: SLASH_ID },
  expect: { surface: 'sts_policy', step: 'grant_policy', cause: 'scope_not_granted', exit: 1 },
  causeVisibleViaApi: true,
  zones: [
    zoneA(),
    zoneB({
      grants: [grant(ZONE_B, { id: '01a21de6-cc87-75e6-b543-499009b05808', scopes: ['payments:read'] })],
      audit: [
        ...zoneB().audit,
        stsRow({
          id: 'evt-slash-1',
          zoneId: ZONE_B,
          requestId: SLASH_ID,
          t: 150,
          decision: 'deny',
          evaluationStatus: 'complete',
          determining: [],
          diagnostics: [{ reason: 'scope_not_granted' }],
          requestedScopes: ['payments:write'],
          shape: 'real',
        }),
        exchangeDeniedRow({ id: 'evt-slash-2', zoneId: ZONE_B, requestId: SLASH_ID, t: 150 }),
        gatewayRow({ id: 'evt-slash-3', zoneId: ZONE_B, requestId: SLASH_ID, t: 151, method: 'POST', gatewayStatus: 403, upstreamStatus: null, resultClass: 'client_error' }),
      ],
    }),
  ],
  services: healthyServices(),
};

/**
 * The request was allowed and its rows are present, but the Audit service's tamper sweep found
 * rows that no longer match their hash chain (CaracalAuditTamperDetected, critical). The trail
 * the triage reads may have been altered, so the audit trace step fails on the audit pipeline.
 */
const auditTamper: Scenario = {
  name: 'audit_tamper',
  description: 'An allowed request whose rows are present, while Audit reports tamper_mismatch_total=3: the trail read from audit may have been altered.',
  input: { requestId: 'req-tamper-1' },
  expect: { surface: 'audit_pipeline', step: 'audit_trace', cause: 'audit_tamper_detected', exit: 1 },
  causeVisibleViaApi: false,
  zones: withTraffic(
    stsRow({
      id: 'evt-tamper-1',
      zoneId: ZONE_B,
      requestId: 'req-tamper-1',
      t: 160,
      decision: 'allow',
      evaluationStatus: 'complete',
      determining: [{ policy: 'caracal-anton-mint' }],
      requestedScopes: ['payments:read'],
      shape: 'real',
    }),
    gatewayRow({ id: 'evt-tamper-2', zoneId: ZONE_B, requestId: 'req-tamper-1', t: 161, gatewayStatus: 200, upstreamStatus: 200 }),
  ),
  services: healthyServices({ audit: { metrics: { ...AUDIT_METRICS, tamper_mismatch_total: 3, tamper_checked_total: 2100 } } }),
};

/**
 * The active bundle does not compile: OPA evaluation fails, STS writes `policy_eval_failed`
 * (with the bundle's version and manifest, application fields and resource only) and answers
 * 503 policy_eval_failed at once, without an `exchange_denied` row. STS metrics show the
 * compile errors; the trace alone already names the step.
 */
const policyEvalFailed: Scenario = {
  name: 'policy_eval_failed',
  description: 'The active policy bundle does not compile (STS opa.compile_errors=2): STS wrote policy_eval_failed and answered 503.',
  input: { requestId: 'req-eval-1', error: '503 {"error":"policy_eval_failed","error_description":"policy evaluation unavailable","requestId":"req-eval-1"}' },
  expect: { surface: 'sts_policy', step: 'policy_set_activation', cause: 'policy_eval_failed', exit: 1 },
  causeVisibleViaApi: true,
  zones: withTraffic(
    {
      ...stsRow({ id: 'evt-eval-1', zoneId: ZONE_B, requestId: 'req-eval-1', t: 170, decision: 'deny', evaluationStatus: 'policy_eval_failed', shape: 'real', prePolicy: true }),
      policy_set_version_id: POLICY_VERSION_ID,
      manifest_sha: MANIFEST_SHA,
      diagnostics_json: [{ reason: 'evaluation_error' }],
      determining_policies_json: [],
    },
  ),
  services: healthyServices({ sts: { metrics: { ...STS_METRICS, opa: { ...STS_METRICS.opa, compile_errors: 2, eval_errors: 7 } } } }),
};

export const MORE_SCENARIOS: readonly Scenario[] = [
  applicationExpired,
  mintRateLimited,
  approvalExpired,
  roleScopeMismatch,
  zoneTokenNoGrant,
  slashRequestId,
  auditTamper,
  policyEvalFailed,
];
