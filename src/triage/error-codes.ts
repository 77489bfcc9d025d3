/**
 * Caracal's error catalogue as data: which symptom and surface an error code means,
 * depending on the HTTP status it came with. Hand-written because the meaning of a code depends
 * on who emitted it and with which status, and Caracal's code differs from its docs in places:
 * STS answers `access_denied` 403 where the audit row says `scope_mismatch` or `rate_limited`,
 * `access_denied` 401 is bad client credentials, and `invalid_token` is a credential problem
 * at 401 but a resource-side rejection at 403.
 */
import type { Surface, Symptom } from './model';

export interface CodeMeaning {
  symptom: Symptom | null;
  surfaceHint: Surface | null;
  /** Why this code routes where it does; the first thing to check. */
  reason: string;
}

interface CodeRule {
  /** Meaning per HTTP status the code is emitted with. */
  byStatus?: Partial<Record<number, CodeMeaning>>;
  /** Meaning when no status is known, or the status is not one the code is emitted with. */
  otherwise: CodeMeaning;
}

const m = (symptom: Symptom | null, surfaceHint: Surface | null, reason: string): CodeMeaning => ({ symptom, surfaceHint, reason });

const VERIFIER_REJECTION = (what: string): CodeRule => ({
  otherwise: m('resource_denied', 'resource_verifier', `A resource verifier rejected the mandate: ${what}.`),
});

const INFRASTRUCTURE = (what: string): CodeRule => ({
  otherwise: m(null, 'infrastructure', `${what}; check readiness and the service logs for the request ID.`),
});

const ADMIN_TOKEN_CAPABILITY = (what: string): CodeRule => ({
  otherwise: m(null, 'authentication', `The Admin API refused the admin token: ${what}.`),
});

const COORDINATOR_LIFECYCLE = (what: string): CodeRule => ({
  otherwise: m(null, null, `Coordinator lifecycle conflict (${what}); this is not an authorization failure.`),
});

const APPROVAL = (what: string): CodeRule => ({
  otherwise: m('token_exchange_denied', 'sts_policy', `STS ended the exchange on its approval step: ${what}.`),
});

const RULES: Record<string, CodeRule> = {
  // --- SDK / runtime configuration (thrown, not HTTP) ---
  config_missing: { otherwise: m('config_error', 'configuration', 'The SDK runtime profile is missing a value (workload ID, secret or STS/zone URL).') },
  config_invalid: { otherwise: m('config_error', 'configuration', 'A runtime profile value is invalid.') },
  zone_invalid: { otherwise: m('config_error', 'configuration', 'STS was called without a valid zone_id: the SDK profile names the wrong zone or none.') },

  // --- STS token exchange ---
  access_denied: {
    byStatus: {
      401: m(
        'unauthenticated',
        'authentication',
        'STS rejected the client or workload credentials (401 access_denied), before any policy ran: a wrong secret, or an application that expired or was archived.',
      ),
      403: m('token_exchange_denied', 'sts_policy', 'STS denied the token exchange (403 access_denied); the audit row says why.'),
      409: m('token_exchange_denied', 'sts_policy', 'STS refused to use an approval that is no longer pending (409 access_denied).'),
    },
    otherwise: m('token_exchange_denied', 'sts_policy', 'STS denied the token exchange (access_denied); the audit row says why.'),
  },
  interaction_required: {
    otherwise: m(null, 'sts_policy', 'Approval hold: STS is waiting for a person to approve the exchange; this is not a failure. Wait on /approvals/{id}.'),
  },
  approval_consumed: APPROVAL('another retry already used the approval'),
  policy_eval_failed: {
    byStatus: {
      503: m(null, 'infrastructure', 'The STS policy engine is unavailable (503 policy_eval_failed); check STS readiness and opa.compile_errors.'),
    },
    otherwise: m('token_exchange_denied', 'sts_policy', 'STS could not evaluate the active policy bundle (policy_eval_failed); check opa.compile_errors and the active set.'),
  },
  provider_rate_limited: {
    otherwise: m(null, 'authentication', "STS rate-limited the application's authentication attempts (usually after repeated credential failures); honour Retry-After."),
  },
  credential_expired_not_renewable: {
    byStatus: {
      401: m('unauthenticated', 'authentication', 'The Gateway refused a mandate inside its pre-flight expiry window; re-mint it.'),
      403: m('token_exchange_denied', 'sts_policy', 'STS could not refresh the provider credential; reconnect the provider grant.'),
    },
    otherwise: m('unauthenticated', 'authentication', 'The credential expired and cannot be renewed; re-mint it or reconnect the provider grant.'),
  },
  resource_not_found: {
    otherwise: m('token_exchange_denied', 'configuration', 'The resource identifier is not registered in the zone: the SDK or the Gateway route names the wrong resource or zone.'),
  },
  operation_not_permitted: {
    otherwise: m('resource_denied', 'resource_definition', 'The called operation is not declared on the resource; declare it or use transport_uniform enforcement.'),
  },

  // --- token validity: 401 means a credential problem, 403 at the resource a verifier rejection ---
  invalid_token: {
    byStatus: {
      400: m('unauthenticated', 'authentication', 'The token request was malformed or used an unsupported token type (400 invalid_token).'),
      401: m('unauthenticated', 'authentication', 'The token was missing, malformed, expired, replayed or revoked (401 invalid_token).'),
      403: m('resource_denied', 'resource_verifier', 'The resource (Gateway or in-process verifier) rejected the mandate (403 invalid_token).'),
    },
    otherwise: m('resource_denied', 'resource_verifier', 'The resource rejected the token (invalid_token); with a 401 this is a credential problem instead.'),
  },
  scope_insufficient: {
    otherwise: m('resource_denied', 'resource_verifier', "The verifier wants a scope the mandate lacks (scope_insufficient); if STS allowed the exchange this is 'scope_insufficient_after_allow'."),
  },
  insufficient_scope: {
    otherwise: m('resource_denied', 'resource_verifier', "The verifier wants a scope the mandate lacks (insufficient_scope); if STS allowed the exchange this is 'scope_insufficient_after_allow'."),
  },

  // --- in-process verifiers (packages/verify) ---
  session_required: VERIFIER_REJECTION('the call must come from a governed Session'),
  agent_required: VERIFIER_REJECTION('the route takes only agent-issued mandates (agent identity required)'),
  delegation_required: VERIFIER_REJECTION('a delegation edge is missing'),
  chain_mismatch: VERIFIER_REJECTION('the delegation chain is missing a hop'),
  hop_count_exceeded: VERIFIER_REJECTION('the delegation is too deep'),
  invalid_zone: VERIFIER_REJECTION('the mandate was minted for another zone'),
  session_revoked: VERIFIER_REJECTION('the session anchor was revoked'),
  delegation_stale: VERIFIER_REJECTION('the delegation graph changed since the mandate was minted'),
  missing_token: {
    byStatus: { 401: m('resource_denied', 'resource_verifier', 'The resource got no bearer token (missing_token); check the SDK sends the mandate.') },
    otherwise: m('resource_denied', 'resource_verifier', 'The resource got no bearer token (missing_token).'),
  },

  // --- infrastructure ---
  sts_unavailable: INFRASTRUCTURE('The Gateway cannot reach STS (sts_unavailable: STS down, circuit open or revocation state unavailable)'),
  internal_error: INFRASTRUCTURE('A Caracal service failed (internal_error)'),
  http_request_failed: INFRASTRUCTURE('An upstream or provider call failed (http_request_failed)'),
  service_unconfigured: INFRASTRUCTURE('The API is missing a service it needs (service_unconfigured)'),
  audit_unavailable: { otherwise: m(null, 'audit_pipeline', 'The API cannot read audit (audit_unavailable); check Audit readiness and the database.') },

  // --- Admin API credentials (the 401 row of the seed table: Authentication) ---
  invalid_admin_token: { otherwise: m('unauthenticated', 'authentication', 'The Admin API rejected the admin token (invalid_admin_token): it is wrong, revoked or missing.') },
  invalid_account_assertion: { otherwise: m('unauthenticated', 'authentication', 'The Admin API rejected the signed account header of a Console token (invalid_account_assertion).') },
  admin_token_read_only: ADMIN_TOKEN_CAPABILITY('a read token cannot write, simulate or test'),
  admin_token_approve_only: ADMIN_TOKEN_CAPABILITY('an approve token can only read and decide approvals'),
  approve_capability_required: ADMIN_TOKEN_CAPABILITY('the call needs an approve-capability token'),
  admin_token_zone_mismatch: ADMIN_TOKEN_CAPABILITY('a zone token is pinned to its own zone'),
  system_zone_read_only: ADMIN_TOKEN_CAPABILITY('the system zone is read-only'),
  zone_forbidden: ADMIN_TOKEN_CAPABILITY('the token may not see this zone'),
  account_scope_required: ADMIN_TOKEN_CAPABILITY('the call needs an account-scoped token'),

  // --- Coordinator credentials ---
  identity_revoked: { otherwise: m('unauthenticated', 'authentication', 'The Coordinator rejected a revoked identity (identity_revoked).') },
  authority_record_required: { otherwise: m('unauthenticated', 'authentication', 'The Coordinator needs an authority record for this call (authority_record_required).') },
  invalid_subject_proof: { otherwise: m('unauthenticated', 'authentication', 'The Coordinator rejected the subject proof (invalid_subject_proof).') },
  operator_token_required: { otherwise: m(null, 'authentication', 'The Coordinator call needs the operator token (operator_token_required).') },
  coordinator_admin_required: { otherwise: m(null, 'authentication', 'The Coordinator call needs admin rights (coordinator_admin_required).') },
  missing_scope: { otherwise: m(null, 'authentication', 'The Coordinator token lacks a scope for this call (missing_scope).') },
  zone_mismatch: { otherwise: m(null, 'configuration', 'The Coordinator call names a zone other than the token’s (zone_mismatch).') },
  session_lease_fenced: COORDINATOR_LIFECYCLE('session_lease_fenced'),
  session_subject_inactive: COORDINATOR_LIFECYCLE('session_subject_inactive'),
  session_lease_expired: COORDINATOR_LIFECYCLE('session_lease_expired'),
  dcr_application_already_bound: COORDINATOR_LIFECYCLE('dcr_application_already_bound'),
  task_session_cannot_start_service: COORDINATOR_LIFECYCLE('task_session_cannot_start_service'),
  idempotency_key_conflict: COORDINATOR_LIFECYCLE('idempotency_key_conflict'),
  idempotency_result_inactive: COORDINATOR_LIFECYCLE('idempotency_result_inactive'),
  session_suspended: COORDINATOR_LIFECYCLE('session_suspended'),
  session_not_live: COORDINATOR_LIFECYCLE('session_not_live'),
  session_limit_exceeded: COORDINATOR_LIFECYCLE('session_limit_exceeded'),
  session_zone_limit_exceeded: COORDINATOR_LIFECYCLE('session_zone_limit_exceeded'),

  // --- requests the caller got wrong: no failing surface to route to ---
  invalid_request: { otherwise: m(null, null, 'The request was malformed (invalid_request); fix the call, not Caracal.') },
  invalid_body: { otherwise: m(null, null, 'The body failed schema validation (invalid_body); details.issues names the fields.') },
  invalid_query: { otherwise: m(null, null, 'A query parameter was invalid (invalid_query).') },
  invalid_params: { otherwise: m(null, null, 'A path ID has characters the API rejects (invalid_params).') },
  invalid_cursor: { otherwise: m(null, null, 'The pagination cursor was invalid (invalid_cursor).') },
  invalid_fields: { otherwise: m(null, null, 'The fields projection named a field the API does not allow (invalid_fields).') },
  payload_too_large: { otherwise: m(null, null, 'The body or token was too large (payload_too_large).') },
  rate_limited: { otherwise: m(null, null, 'A Caracal rate limit answered 429 (rate_limited); honour Retry-After.') },
  request_not_found: {
    otherwise: m(null, null, 'The API has no audit rows for that request ID in that zone (request_not_found); it may live in another zone, never have reached STS, or be lagging in audit.'),
  },
  zone_not_found: { otherwise: m('config_error', 'configuration', 'The zone does not exist (zone_not_found): the profile names the wrong zone.') },
};

/**
 * STS pre-policy denial reasons: the `X` of an `access_denied` message
 * `policy denied (X)` and the audit `evaluation_status`. All of them end the exchange as 403.
 */
export const STS_DENIAL_REASONS = [
  'resource_not_found',
  'scope_mismatch',
  'resource_outside_delegation',
  'operation_not_permitted',
  'rate_limited',
  'control_resource_requires_control_key',
  'provider_unavailable',
  'credential_not_provisioned',
  'credential_refresh_failed',
  'provider_credential_unavailable',
  'credential_injection_denied',
  'policy_eval_failed',
  'subject_federation_invalid',
  'subject_federation_rejected',
  'approval_invalid',
  'approval_rejected',
  'approval_expired',
  'approval_already_consumed',
  'approval_class_conflict',
  'approval_policy_changed',
] as const;

/** What a `policy denied (X)` reason says beyond "STS denied it". */
export function meaningOfDenialReason(reason: string): CodeMeaning {
  // Where the fix lives: an unknown resource is configuration; an undefined scope or operation is the resource's definition.
  const surface: Surface =
    reason === 'resource_not_found' ? 'configuration' : reason === 'operation_not_permitted' || reason === 'scope_mismatch' ? 'resource_definition' : 'sts_policy';
  const why: Record<string, string> = {
    scope_mismatch: 'a requested scope is not defined on the resource (often a typo in the scope the SDK requests)',
    rate_limited: 'the STS mint limit for this zone, resource and application was reached',
    resource_not_found: 'the resource identifier is not registered in the zone',
    operation_not_permitted: 'the operation is not declared on the resource',
    resource_outside_delegation: 'the resource is outside the delegation the session holds',
    no_active_policy_set: 'the zone has no active policy set',
  };
  return m('token_exchange_denied', surface, `STS denied the exchange: ${why[reason] ?? reason}.`);
}

export function isKnownCode(code: string): boolean {
  return Object.hasOwn(RULES, code);
}

/** Meaning of a code with an optional status; null for codes Caracal does not emit. */
export function meaningOfCode(code: string, status: number | null): CodeMeaning | null {
  const rule = RULES[code];
  if (!rule) return null;
  return (status !== null && rule.byStatus?.[status]) || rule.otherwise;
}

/** Meaning of a bare HTTP status ("HTTP class meaning"). */
export function meaningOfStatus(status: number): CodeMeaning {
  if (status === 401) return m('unauthenticated', 'authentication', '401: a credential was missing or rejected.');
  if (status === 403) {
    return m(null, null, '403 alone does not say who refused: access_denied means STS denied the token exchange; invalid_token or scope_insufficient means the resource refused. Give the error code or the request ID.');
  }
  if (status >= 500) return m(null, 'infrastructure', `${status}: a Caracal service or one of its dependencies failed; check readiness.`);
  if (status === 404) return m(null, null, '404: the object is absent or hidden from this credential.');
  if (status === 409) return m(null, null, '409: a lifecycle conflict, not an authorization failure.');
  if (status === 425 || status === 429) return m(null, null, `${status}: rate limited; retry after Retry-After.`);
  if (status === 400) return m(null, null, '400: the request was invalid or held; the error code says which.');
  return m(null, null, `HTTP ${status} is not a Caracal failure status.`);
}
