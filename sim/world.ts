/**
 * Building blocks for scenarios: the two zones every scenario has, their healthy state
 * (item shapes copied from the captured fixtures), healthy service answers,
 * and audit-row builders for both shapes the bot must read: the simplified fixture shape and
 * the shape the real Go STS writes (empty strings instead of nulls, diagnostics
 * `[{reason}]`, an `exchange_denied` companion row on every denied exchange).
 */
import type { CannedResponse, ServiceState, SimService, ZoneData } from './types';

export const ZONE_A = '01a21de5-0a7e-7000-8000-00000000a001';
/** The fixtures' zone; requests live here, so a zone search must go past ZONE_A. */
export const ZONE_B = '01a21de5-b9ac-70f3-b832-7c7fb159f923';

export const APP_ID = '01a21de6-cbb2-7649-a7ea-c2bb6a9729eb';
export const APP_NAME = 'Anton';
export const RESOURCE_ID = '01a21de6-cb89-71b9-8a9e-b23cef40ae8a';
export const RESOURCE_IDENTIFIER = 'resource://payments';
export const PROVIDER_ID = '01a21de6-cb2f-7618-ba50-41377cfc4183';
export const POLICY_SET_ID = '01a21de6-b378-7635-9bcc-1d8700a14735';
export const POLICY_VERSION_ID = '01a21de6-b3d3-75d7-8d1e-91040e6a826d';
export const OLD_POLICY_VERSION_ID = '01a21de6-a001-75d7-8d1e-91040e6a8200';
export const MANIFEST_SHA = '73bcfec994b5be6acb5874c3021952b12a8a91d41b5a5a68c6ed3d98e93fa4b0';
export const AUTHORITY_RECORD_ID = '01a21de6-ar01-7000-8000-0000000000a1';
export const AGENT_SESSION_ID = '01a21de6-se01-7000-8000-0000000000b1';
export const ADMIN_ACTOR = 'admin:01a21de5-9cb0-75cd-adcc-cb2ca9bfad81';

/** Fixed clock (the fixtures' day), so scenarios are reproducible. */
export const T0 = Date.parse('2026-11-27T16:40:00.000Z');
export const at = (secondsAfterT0: number): string => new Date(T0 + secondsAfterT0 * 1000).toISOString();

const stamps = { created_by: ADMIN_ACTOR, created_via_operator: false, updated_by: null, updated_via_operator: false };

export function zone(id: string, name: string, slug: string): ZoneData['zone'] {
  return {
    id,
    name,
    slug,
    dcr_enabled: false,
    operator_coauthor_badge: false,
    operator_governed: false,
    ...stamps,
    created_at: at(-86400 * 30),
    updated_at: at(-86400 * 30),
  };
}

export function resource(over: Partial<Record<string, unknown>> & { id: string; zone_id: string }): ZoneData['resources'][number] {
  return {
    name: 'payments',
    identifier: RESOURCE_IDENTIFIER,
    upstream_url: 'https://payments.example.com',
    scopes: ['payments:read', 'payments:write'],
    credential_provider_id: PROVIDER_ID,
    operations: [
      { method: 'GET', path: '/v1/payments', scope: 'payments:read' },
      { method: 'POST', path: '/v1/payments', scope: 'payments:write' },
    ],
    operation_enforcement: 'enforced',
    ...stamps,
    created_at: at(-86400 * 7),
    updated_at: at(-86400 * 7),
    archived_at: null,
    ...over,
  };
}

export function application(zoneId: string, over: Partial<Record<string, unknown>> = {}): ZoneData['applications'][number] {
  return {
    id: APP_ID,
    zone_id: zoneId,
    name: APP_NAME,
    registration_method: 'managed',
    traits: [],
    expires_at: null,
    ...stamps,
    created_at: at(-86400 * 7),
    updated_at: at(-86400 * 7),
    ...over,
  };
}

export function provider(zoneId: string, over: Partial<Record<string, unknown>> = {}): ZoneData['providers'][number] {
  return {
    id: PROVIDER_ID,
    zone_id: zoneId,
    name: 'payments-provider',
    identifier: 'provider://payments',
    kind: 'oauth2_client_credentials',
    description: null,
    config_json: { token_url: 'https://auth.payments.example.com/oauth/token', allowed_token_hosts: ['auth.payments.example.com'] },
    secret_config_keys: ['client_secret'],
    connectivity_failed_at: null,
    ...stamps,
    created_at: at(-86400 * 7),
    updated_at: at(-86400 * 7),
    ...over,
  };
}

export function grant(zoneId: string, over: Partial<Record<string, unknown>> & { id: string }): ZoneData['grants'][number] {
  return {
    zone_id: zoneId,
    application_id: APP_ID,
    user_id: APP_ID,
    resource_id: RESOURCE_ID,
    provider_id: PROVIDER_ID,
    application_name: APP_NAME,
    resource_name: 'payments',
    provider_name: 'payments-provider',
    provider_kind: 'oauth2_client_credentials',
    scopes: ['payments:read', 'payments:write'],
    status: 'active',
    ...stamps,
    created_at: at(-86400 * 6),
    ...over,
  };
}

export function policySet(zoneId: string, over: Partial<Record<string, unknown>> = {}): ZoneData['policySets'][number] {
  return {
    id: POLICY_SET_ID,
    zone_id: zoneId,
    name: 'main',
    description: null,
    ...stamps,
    updated_by: ADMIN_ACTOR,
    created_at: at(-86400 * 6),
    updated_at: at(-86400 * 6),
    active_version_id: POLICY_VERSION_ID,
    ...over,
  };
}

/** A row of `GET …/policy-sets/{id}/versions`. */
export function policyVersion(id: string, version: number, manifestSha: string, createdAt: string, policySetId = POLICY_SET_ID): ZoneData['policyVersions'][string][number] {
  return { id, policy_set_id: policySetId, version, manifest_sha256: manifestSha, schema_version: '2026-05-20', created_by: ADMIN_ACTOR, created_via_operator: false, created_at: createdAt };
}

/** The manifest of zone B's first policy-set version (what STS still serves when a reload of the second fails). */
export const OLD_MANIFEST_SHA = 'a1b2c3d4e5f6';

/** A third version of zone B's set that some scenarios add: newer than the active v2, never activated. */
export const NEW_POLICY_VERSION_ID = '01a21de6-c003-75d7-8d1e-91040e6a8300';
export const NEW_MANIFEST_SHA = 'c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4';

/** Zone B's set has two versions: the old one (v1) and the active one (v2). */
export const ZONE_B_POLICY_VERSIONS = [policyVersion(OLD_POLICY_VERSION_ID, 1, OLD_MANIFEST_SHA, at(-86400 * 7)), policyVersion(POLICY_VERSION_ID, 2, MANIFEST_SHA, at(-86400 * 6))];

export function activationLoaded(zoneId: string): CannedResponse {
  return {
    status: 200,
    body: {
      zone_id: zoneId,
      policy_set_id: POLICY_SET_ID,
      version_id: POLICY_VERSION_ID,
      active: true,
      active_version_id: POLICY_VERSION_ID,
      manifest_sha256: MANIFEST_SHA,
      propagation_status: 'loaded',
      outbox: { id: '01a21de6-b42c-7341-8928-6cb110a499de', state: 'dispatched', attempts: 1, last_error: null, dispatched_at: at(-86400 * 6) },
      sts: {
        state: 'loaded',
        loaded: true,
        policy_set_version_id: POLICY_VERSION_ID,
        manifest_sha256: MANIFEST_SHA,
        loaded_at: at(-86400 * 6 + 5),
        age_seconds: 12,
      },
    },
  };
}

export function session(over: Partial<Record<string, unknown>> = {}): Record<string, unknown> {
  return {
    session_id: AGENT_SESSION_ID,
    application_id: APP_ID,
    parent_session_id: null,
    status: 'active',
    lifecycle: 'task',
    labels: ['case:CASE-1'],
    depth: 0,
    child_count: 0,
    subject_authority_record_id: AUTHORITY_RECORD_ID,
    subject_id: APP_ID,
    federated_user_id: null,
    federated_user_issuer: null,
    started_at: at(-600),
    last_active_at: at(-30),
    terminated_at: null,
    termination_reason: null,
    ttl_seconds: 3600,
    ...over,
  };
}

export function authorityRecord(zoneId: string, over: Partial<Record<string, unknown>> = {}): Record<string, unknown> {
  return {
    authority_record_id: AUTHORITY_RECORD_ID,
    zone_id: zoneId,
    authority_record_type: 'application',
    subject_id: APP_ID,
    federated_user_issuer: null,
    parent_authority_record_id: null,
    status: 'active',
    expires_at: null,
    authenticated_at: at(-600),
    created_at: at(-600),
    revoked_at: null,
    revoked_reason: null,
    ...over,
  };
}

type Row = ZoneData['audit'][number];

/** Application fields every STS decision row carries in its metadata. */
function appMetadata(): Record<string, unknown> {
  return {
    application_id: APP_ID,
    application_name: APP_NAME,
    application_registration_method: 'managed',
    subject_kind: 'application',
  };
}

interface StsRowOpts {
  id: string;
  zoneId: string;
  requestId: string;
  t: number;
  decision: 'allow' | 'deny';
  evaluationStatus: string;
  /** Policy-decision rows carry these; pre-policy rows get nulls. */
  determining?: unknown[] | null;
  diagnostics?: unknown[] | null;
  requestedScopes?: string[];
  resource?: string;
  /** `real`: empty strings for missing policy-set ids (the Go STS); `fixture`: nulls. */
  shape: 'real' | 'fixture';
  manifestSha?: string;
  versionId?: string;
  extraMetadata?: Record<string, unknown>;
  /** Pre-policy rows: only the application fields and `resource` in metadata. */
  prePolicy?: boolean;
  /** Approval denials name no resource: STS writes them with the application fields only. */
  omitResource?: boolean;
}

/** One STS `token_exchange` decision row. */
export function stsRow(o: StsRowOpts): Row {
  const empty = o.shape === 'real' ? '' : null;
  const metadata: Record<string, unknown> = { ...appMetadata(), ...(o.omitResource ? {} : { resource: o.resource ?? RESOURCE_IDENTIFIER }) };
  if (!o.prePolicy) {
    Object.assign(metadata, {
      requested_scopes: o.requestedScopes ?? ['payments:read'],
      session_id: AUTHORITY_RECORD_ID,
      agent_session_id: AGENT_SESSION_ID,
      agent_lifecycle: 'task',
      agent_labels: ['case:CASE-1'],
      agent_depth: 0,
      delegation_chain: [],
      delegation_hop_count: 0,
      delegation_graph_epoch: 4,
    });
  } else if (o.requestedScopes) {
    metadata.requested_scopes = o.requestedScopes;
  }
  Object.assign(metadata, o.extraMetadata ?? {});
  return {
    id: o.id,
    zone_id: o.zoneId,
    event_type: 'token_exchange',
    request_id: o.requestId,
    decision: o.decision,
    policy_set_id: o.prePolicy ? empty : o.shape === 'real' ? '' : POLICY_SET_ID,
    policy_set_version_id: o.prePolicy ? empty : (o.versionId ?? POLICY_VERSION_ID),
    manifest_sha: o.prePolicy ? empty : (o.manifestSha ?? MANIFEST_SHA),
    evaluation_status: o.evaluationStatus,
    determining_policies_json: o.prePolicy ? null : (o.determining ?? []),
    diagnostics_json: o.prePolicy ? null : (o.diagnostics ?? []),
    metadata_json: metadata,
    occurred_at: at(o.t),
    ingested_at: at(o.t + 2),
  };
}

/** The `exchange_denied` row real STS adds when every requested resource was denied. */
export function exchangeDeniedRow(o: { id: string; zoneId: string; requestId: string; t: number; requested?: string[] }): Row {
  return {
    id: o.id,
    zone_id: o.zoneId,
    event_type: 'token_exchange',
    request_id: o.requestId,
    decision: 'deny',
    policy_set_id: '',
    policy_set_version_id: '',
    manifest_sha: '',
    evaluation_status: 'exchange_denied',
    determining_policies_json: [],
    diagnostics_json: [],
    metadata_json: { requested: o.requested ?? [RESOURCE_IDENTIFIER], application_id: APP_ID, application_name: APP_NAME },
    occurred_at: at(o.t),
    ingested_at: at(o.t + 2),
  };
}

/** A Gateway `gateway_resource_request` row (decision is always `allow`; the status says what happened). */
export function gatewayRow(o: {
  id: string;
  zoneId: string;
  requestId: string;
  t: number;
  method?: string;
  gatewayStatus: number;
  upstreamStatus?: number | null;
  resultClass?: string;
  errorKind?: string;
  extraMetadata?: Record<string, unknown>;
}): Row {
  const metadata: Record<string, unknown> = {
    application_id: APP_ID,
    resource: RESOURCE_IDENTIFIER,
    subject_fingerprint: 'sha256:5f1c0e2a',
    method: o.method ?? 'GET',
    gateway_status: o.gatewayStatus,
    latency_ms: 42,
    trace_id: o.requestId,
    upstream_host: 'payments.example.com',
    auth_mode: 'mandate',
    provider_id: PROVIDER_ID,
    result_class: o.resultClass ?? (o.gatewayStatus < 400 ? 'success' : 'client_error'),
    ...(o.upstreamStatus !== undefined ? { upstream_status: o.upstreamStatus } : {}),
    ...(o.errorKind ? { error_kind: o.errorKind } : {}),
    ...(o.extraMetadata ?? {}),
  };
  return {
    id: o.id,
    zone_id: o.zoneId,
    event_type: 'gateway_resource_request',
    request_id: o.requestId,
    decision: 'allow',
    policy_set_id: '',
    policy_set_version_id: '',
    manifest_sha: '',
    evaluation_status: '',
    determining_policies_json: null,
    diagnostics_json: null,
    metadata_json: metadata,
    occurred_at: at(o.t),
    ingested_at: at(o.t + 2),
  };
}

/** Background traffic, so lists have more than one page and searches skip other requests. */
export function backgroundRows(zoneId: string, prefix: string, count: number): Row[] {
  const rows: Row[] = [];
  for (let i = 0; i < count; i++) {
    rows.push(
      stsRow({
        id: `${prefix}-bg-${i}`,
        zoneId,
        requestId: `${prefix}-bg-req-${i}`,
        t: -3600 + i * 60,
        decision: 'allow',
        evaluationStatus: 'complete',
        determining: [{ policy: 'caracal-anton-mint' }],
        shape: 'real',
      }),
    );
  }
  return rows;
}

/** Zone A: a second, unrelated zone with its own inventory and traffic (never holds the request). */
export function zoneA(): ZoneData {
  return {
    zone: zone(ZONE_A, 'Staging', 'staging'),
    resources: [
      resource({ id: '01a21de6-0a01-7000-8000-00000000c001', zone_id: ZONE_A, name: 'ledger', identifier: 'resource://ledger', scopes: ['ledger:read'], operations: [] }),
      resource({ id: '01a21de6-0a01-7000-8000-00000000c002', zone_id: ZONE_A, name: 'crm', identifier: 'resource://crm', scopes: ['crm:read', 'crm:write'], operations: [] }),
      resource({ id: '01a21de6-0a01-7000-8000-00000000c003', zone_id: ZONE_A, name: 'mail', identifier: 'resource://mail', scopes: ['mail:send'], operations: [] }),
    ],
    applications: [application(ZONE_A, { id: '01a21de6-0a02-7000-8000-00000000d001', name: 'Berta' })],
    providers: [],
    grants: [],
    policySets: [policySet(ZONE_A, { id: '01a21de6-0a03-7000-8000-00000000e001', active_version_id: '01a21de6-0a03-7000-8000-00000000e002' })],
    policyVersions: { '01a21de6-0a03-7000-8000-00000000e001': [policyVersion('01a21de6-0a03-7000-8000-00000000e002', 1, MANIFEST_SHA, at(-86400 * 9), '01a21de6-0a03-7000-8000-00000000e001')] },
    activation: {},
    sessions: [],
    authorityRecords: [],
    audit: backgroundRows(ZONE_A, 'a', 5),
  };
}

/** Both zones, with `rows` added to zone B's traffic: where most scenarios put the request they are about. */
export function withTraffic(...rows: ZoneData['audit']): ZoneData[] {
  const b = zoneB();
  return [zoneA(), { ...b, audit: [...b.audit, ...rows] }];
}

/** Zone B in its healthy state; scenarios override parts of it. */
export function zoneB(over: Partial<ZoneData> = {}): ZoneData {
  return {
    zone: zone(ZONE_B, 'Triage Demo', 'triage-demo'),
    resources: [
      resource({ id: RESOURCE_ID, zone_id: ZONE_B }),
      resource({ id: '01a21de6-cb89-71b9-8a9e-b23cef40ae8b', zone_id: ZONE_B, name: 'invoices', identifier: 'resource://invoices', scopes: ['invoices:read'], operations: [] }),
      resource({ id: '01a21de6-cb89-71b9-8a9e-b23cef40ae8c', zone_id: ZONE_B, name: 'refunds', identifier: 'resource://refunds', scopes: ['refunds:write'], operations: [] }),
    ],
    applications: [application(ZONE_B)],
    providers: [provider(ZONE_B)],
    grants: [grant(ZONE_B, { id: '01a21de6-cc87-75e6-b543-499009b05805' })],
    policySets: [policySet(ZONE_B)],
    policyVersions: { [POLICY_SET_ID]: ZONE_B_POLICY_VERSIONS },
    activation: { [POLICY_SET_ID]: activationLoaded(ZONE_B) },
    sessions: [session()],
    authorityRecords: [authorityRecord(ZONE_B)],
    audit: backgroundRows(ZONE_B, 'b', 5),
    ...over,
  };
}

export const STS_METRICS = {
  sts: { graph_traversals: 310, provider_refresh_errors: 0, provider_circuit_open: 0, secret_backend_errors: 0 },
  opa: {
    eval_total: 1200,
    eval_errors: 0,
    eval_duration_ns: 184000,
    compile_total: 3,
    compile_errors: 0,
    compile_duration_ns: 9100000,
    max_policy_age_seconds: 12,
    poll_interval_seconds: 10,
    decision_contract_version: '2026-05-20',
    decision_contract_sha256: MANIFEST_SHA,
  },
  audit_dropped: 0,
};

export const GATEWAY_METRICS = {
  requests_total: 900,
  requests_allowed: 900,
  requests_denied: 0,
  denials_missing_auth: 0,
  denials_bad_bearer: 0,
  denials_expiring: 0,
  denials_bad_routing: 0,
  denials_path_traversal: 0,
  denials_signature: 0,
  denials_jti_replay: 0,
  denials_revoked: 0,
  denials_revocation_stale: 0,
  sts_exchange_errors: 0,
  sts_exchange_latency_ms: 8,
  sts_circuit_open: 0,
  sts_circuit_opened: 0,
  sts_circuit_fast_fail: 0,
  upstream_errors: 0,
  audit_replay_files: 0,
  audit_replay_bytes: 0,
  audit_replay_oldest_age_seconds: 0,
  audit_dropped: 0,
  audit_sink_errors: 0,
  audit_queue_depth: 0,
  audit_queue_cap: 10000,
  audit_persisted: 900,
  audit_drained: 900,
  revocations_active: 0,
  revocation_snapshot_age_seconds: 4,
  revocation_snapshot_fresh: 1,
  revocation_messages: 2,
  revocation_pending_replayed: 0,
  revocation_dead_letters: 0,
  revocation_invalid_signatures: 0,
  revocation_reloads: 1,
  revocation_reload_errors: 0,
  revocation_propagation_seconds: 0.4,
};

export const AUDIT_METRICS = {
  inserts_total: 2100,
  export_batches_total: 12,
  consumer_lag: 0,
  consumer_pel_oldest_secs: 0,
  dlq_size: 0,
  dlq_oldest_age_secs: 0,
  parse_errors_total: 0,
  dlq_total: 0,
  retries_total: 0,
  hmac_failures_total: 0,
  tamper_replay_total: 0,
  tamper_checked_total: 2100,
  tamper_mismatch_total: 0,
  tamper_chain_breaks: 0,
  tamper_hmac_failures: 0,
  tamper_last_sweep_unix: Math.floor(T0 / 1000),
  tamper_last_full_unix: Math.floor(T0 / 1000) - 3600,
  retention_deleted_total: 0,
  is_export_leader: true,
  is_retention_leader: true,
  export_lease_changes_total: 1,
};

export const COORDINATOR_STATS = {
  invocations: { completed: 12 },
  outbox: { dispatched: 40 },
  idempotency: { rows: 0, oldestSeconds: 0, outcomes: { created: 0, replayed: 0, conflicts: 0, invalid: 0, expired: 0 } },
  ttl_sweeper: { runs: 10, failures: 0, terminated: 0 },
  service_lease_sweeper: { runs: 10, failures: 0, suspended: 0 },
  retention_cleaner: {
    runs: 1,
    failures: 0,
    expired_edges: 0,
    deleted_edges: 0,
    deleted_sessions: 0,
    deleted_outbox: 0,
    deleted_idempotency_receipts: 0,
  },
  log: { emitted: 120, dropped: 0, sampled: 0 },
};

/** Every service ready, metrics clean. */
export function healthyServices(over: Partial<Record<SimService, Partial<ServiceState>>> = {}): Record<SimService, ServiceState> {
  const base: Record<SimService, ServiceState> = {
    api: { ready: { status: 200, body: { ok: true } } },
    sts: { ready: { status: 200, body: { ok: true, ready: true } }, metrics: STS_METRICS },
    gateway: { ready: { status: 200, body: { ok: true, ready: true } }, metrics: GATEWAY_METRICS },
    audit: { ready: { status: 200, body: { ready: true } }, metrics: AUDIT_METRICS },
    coordinator: { ready: { status: 200, body: { ok: true } }, stats: COORDINATOR_STATS },
  };
  for (const [svc, state] of Object.entries(over) as Array<[SimService, Partial<ServiceState>]>) {
    base[svc] = { ...base[svc], ...state };
  }
  return base;
}

/** A 500 `internal_error` envelope marker: the server fills in `requestId` from the response's request ID. */
export const INTERNAL_ERROR_500: CannedResponse = {
  status: 500,
  body: { error: 'internal_error', error_description: 'The service failed to process the request', requestId: '$requestId' },
};
