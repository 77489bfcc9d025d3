/**
 * The contract between the Caracal HTTP client (src/caracal/client.ts) and everything that
 * reads Caracal (triage evidence, bundle collectors). Shapes follow the Admin API's own answers; the zod
 * schemas in src/caracal/schemas.ts validate every response against them.
 *
 * Error convention: every method either resolves with validated data or rejects with a
 * `CaracalError` (src/caracal/errors.ts). Callers never see raw undici errors.
 */
import type { UnreadableReason } from './errors';
import type {
  ActivationStatus,
  AdminAuditRow,
  Application,
  AuditRow,
  AuthorityRecord,
  CoordinatorStats,
  DecisionTrace,
  Grant,
  PolicySet,
  PolicyVersion,
  Provider,
  Resource,
  SessionRow,
  Zone,
  ZoneOverview,
} from './schemas';

export const SERVICES = ['api', 'sts', 'gateway', 'audit', 'coordinator'] as const;
export type ServiceName = (typeof SERVICES)[number];

/** Result of probing `/ready` or `/health` on one service. Never throws. */
export interface ProbeResult {
  service: ServiceName;
  /** false when no URL is configured for the service: nothing was called. */
  configured: boolean;
  url?: string;
  ok: boolean;
  /** HTTP status, when an answer came back. */
  status?: number;
  /** `reason` / `error` from a failure body (e.g. `redis_unreachable`), or `timeout` / `unreachable` / `bad_body`. */
  reason?: string;
  /** With reason `bad_body`: why the answer could not be read (HTML, not JSON, too large, a redirect, another shape). */
  unreadable?: UnreadableReason;
  /** Secret-free detail of a failure: the connection error (`ECONNREFUSED: connection refused`) or where a redirect pointed. */
  detail?: string;
  body?: unknown;
  /** Server `Date` header (API `/health`), for clock skew. */
  date?: string;
  /**
   * When the answer carrying `date` arrived, by this process's clock (epoch ms): clock skew is
   * measured against it, not against "now", so an answer served again from the shared read cache
   * (up to CARACAL_CACHE_TTL_MS later) does not read as skew.
   */
  receivedAtMs?: number;
  ms: number;
}

export interface AuditQuery {
  request_id?: string;
  since?: string;
  until?: string;
  decision?: 'allow' | 'deny' | 'partial';
  event_type?: string;
  application_id?: string;
  limit?: number;
  /** `next_cursor` of the previous page, with the same filters. */
  cursor?: string;
}

/** `GET …/admin-audit` filters the bot uses: a time range (`since` <= occurred_at < `until`) and the page. */
export interface AdminAuditQuery {
  since?: string;
  until?: string;
  cursor?: string;
  limit?: number;
}

export interface GrantQuery {
  application_id?: string;
  resource_id?: string;
  status?: 'active' | 'revoked' | 'expired';
}

export interface CaracalClient {
  /** Base URLs in use, for the config summary (never tokens). */
  readonly endpoints: Readonly<Partial<Record<ServiceName, string>>>;
  /** Zone IDs from CARACAL_ZONE_IDS (for zone-scoped tokens that cannot list zones). */
  readonly configuredZoneIds: readonly string[];

  probe(service: ServiceName, path: '/ready' | '/health'): Promise<ProbeResult>;
  /** `/metrics.json` of sts, gateway or audit (with CARACAL_METRICS_BEARER). */
  metricsJson(service: 'sts' | 'gateway' | 'audit'): Promise<Record<string, unknown>>;
  /** Coordinator `/stats` (with CARACAL_COORDINATOR_TOKEN). */
  coordinatorStats(): Promise<CoordinatorStats>;

  /** All pages of `GET /v1/zones`. A zone token rejects with code `admin_token_zone_mismatch`. */
  listZones(): Promise<Zone[]>;
  getZone(zoneId: string): Promise<Zone>;
  zoneOverview(zoneId: string): Promise<ZoneOverview>;

  /** `GET /v1/zones/{z}/audit/by-request/{rid}/explain`; 404 → code `request_not_found`, 400 → `invalid_params`. */
  explain(zoneId: string, requestId: string): Promise<DecisionTrace>;
  /** One page of `GET /v1/zones/{z}/audit` (newest first). */
  listAudit(zoneId: string, query: AuditQuery): Promise<{ items: AuditRow[]; next_cursor: string | null }>;
  /** Every page of the audit list for one request ID (for IDs the by-request path rejects). */
  auditForRequest(zoneId: string, requestId: string): Promise<AuditRow[]>;

  /** One page of `GET /v1/zones/{z}/admin-audit` (management changes and failed requests, newest first). */
  listAdminAudit(zoneId: string, query: AdminAuditQuery): Promise<{ items: AdminAuditRow[]; next_cursor: string | null }>;

  /** Active resources only: the API lists archived ones only when asked for `status=archived`. */
  listResources(zoneId: string): Promise<Resource[]>;
  /** `GET /v1/zones/{z}/resources?status=archived`: STS does not find these, and their identifiers stay reserved. */
  listArchivedResources(zoneId: string): Promise<Resource[]>;
  getResource(zoneId: string, resourceId: string): Promise<Resource>;
  listApplications(zoneId: string): Promise<Application[]>;
  getApplication(zoneId: string, applicationId: string): Promise<Application>;
  getProvider(zoneId: string, providerId: string): Promise<Provider>;
  listGrants(zoneId: string, query: GrantQuery): Promise<Grant[]>;
  listPolicySets(zoneId: string): Promise<PolicySet[]>;
  /** All pages of `GET /v1/zones/{z}/policy-sets/{id}/versions`. */
  listPolicyVersions(zoneId: string, policySetId: string): Promise<PolicyVersion[]>;
  /** 404 `active_policy_set_version_not_found` for a set that is not active. */
  activationStatus(zoneId: string, policySetId: string): Promise<ActivationStatus>;
  listSessions(zoneId: string, query: { status?: string; application_id?: string }): Promise<SessionRow[]>;
  listAuthorityRecords(zoneId: string, query: { status?: string }): Promise<AuthorityRecord[]>;
  /** Needs a write token: a read token rejects with `admin_token_read_only`. */
  simulate(zoneId: string, policySetId: string, body: { version_id: string; input?: unknown }): Promise<Record<string, unknown>>;
}
