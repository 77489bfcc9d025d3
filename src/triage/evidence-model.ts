/**
 * The evidence the step judges read, as data. Every Caracal read is a `Fetched<T>`: either the
 * value or the failure described (never a thrown error), so a dead service or a token without
 * the capability becomes something a judge can name. The object views list only the fields
 * the judges read; the client's zod-checked types (src/caracal/schemas.ts) satisfy them.
 */
import type { ProbeResult } from '../caracal/client-api';
import type { RoutedError } from './routing';
import type { Symptom } from './model';
import type { Trace } from './trace';

export interface Failure {
  /** `api`, `transport`, `bad_response`, `internal`, or `not_configured` / `not_applicable` for calls not made. */
  kind: string;
  code: string;
  status?: number;
  /** For `bad_response`: why the body could not be read (`html`, `not_json`, `too_large`, `redirected`, `unexpected_shape`). */
  reason?: string;
  message: string;
}

export type Fetched<T> = { ok: true; value: T } | { ok: false; error: Failure };

export const notApplicable = (code: string, message: string): { ok: false; error: Failure } => ({ ok: false, error: { kind: 'not_applicable', code, message } });
export const notConfigured = (message: string): { ok: false; error: Failure } => ({ ok: false, error: { kind: 'not_configured', code: 'not_configured', message } });

export interface ZoneView {
  id: string;
  name?: string | null;
  slug?: string | null;
}

export interface OperationView {
  method?: string | null;
  path?: string | null;
  scope?: string | null;
}

export interface ResourceView {
  id: string;
  identifier: string;
  name?: string | null;
  scopes: string[];
  operations?: OperationView[] | null;
  operation_enforcement?: string | null;
  credential_provider_id?: string | null;
  upstream_url?: string | null;
  archived_at?: string | null;
}

export interface ApplicationView {
  id: string;
  name?: string | null;
  expires_at?: string | null;
}

export interface ZoneApplicationView {
  zoneId: string;
  application: ApplicationView;
}

export interface GrantView {
  id: string;
  application_id?: string | null;
  resource_id?: string | null;
  provider_id?: string | null;
  scopes: string[];
  status: string;
}

export interface PolicySetView {
  id: string;
  name?: string | null;
  active_version_id?: string | null;
}

export interface PolicyVersionView {
  id: string;
  /** Increasing per policy set. */
  version?: number | null;
  manifest_sha256?: string | null;
  created_at?: string | null;
}

/** The zone overview's application counts, as the API computes them with its own clock. */
export interface ZoneOverviewView {
  zone_id?: string | null;
  applications?: { total?: number | null; expired?: number | null; expiring_soon?: number | null } | null;
}

export interface ActivationView {
  policy_set_id?: string | null;
  version_id?: string | null;
  active?: boolean | null;
  active_version_id?: string | null;
  manifest_sha256?: string | null;
  propagation_status: string;
  outbox?: { state?: string | null; attempts?: number | null; last_error?: string | null; dispatched_at?: string | null } | null;
  sts?: { state?: string | null; policy_set_version_id?: string | null; detail?: string | null; age_seconds?: number | null } | null;
}

export interface ProviderView {
  id: string;
  name?: string | null;
  identifier?: string | null;
  kind?: string | null;
  config_json?: Record<string, unknown> | null;
  connectivity_failed_at?: string | null;
}

export interface SessionView {
  session_id: string;
  application_id?: string | null;
  status: string;
  terminated_at?: string | null;
  termination_reason?: string | null;
}

export interface AuthorityRecordView {
  authority_record_id: string;
  status: string;
  revoked_at?: string | null;
  revoked_reason?: string | null;
}

/** Where the zone list came from. */
export type ZoneSource = 'given' | 'listed' | 'configured';

export interface ZoneAttempt {
  zoneId: string;
  outcome: 'found' | 'not_found' | 'error';
  via: 'explain' | 'audit_list';
  error?: Failure;
}

/** The request located across zones (no global index; first zone that knows it wins). */
export interface Location {
  requestId: string | null;
  /** Zone the request was found in, else the zone given by the user. */
  zoneId: string | null;
  trace: Trace | null;
  zoneSource: ZoneSource | null;
  zonesSearched: string[];
  attempts: ZoneAttempt[];
  /** Why the search could not run at all (e.g. a zone token without CARACAL_ZONE_IDS). */
  problem: Failure | null;
  /** Set when `GET /v1/zones` failed and configured zones were used instead. */
  listError: Failure | null;
}

export type MetricsService = 'sts' | 'gateway' | 'audit';

export interface TriageEvidence {
  /** `/ready` of every service; unconfigured ones come back `configured: false`. */
  readiness: ProbeResult[];
  /**
   * The Admin API's basic read, `GET /v1/zones` (the same call the zone search makes): whether
   * the API can be read at all. A zone-scoped token's 403 is an answer, so it counts as read.
   */
  adminApi: Fetched<ZoneView[]>;
  metrics: Record<MetricsService, Fetched<Record<string, unknown>>>;
  location: Location;
  zone: Fetched<ZoneView>;
  resources: Fetched<ResourceView[]>;
  /**
   * The zone's archived resources, read only when the request names a resource the active list
   * lacks: STS does not find an archived resource, and its identifier cannot be registered again.
   */
  archivedResources: Fetched<ResourceView[]>;
  application: Fetched<ApplicationView>;
  grants: Fetched<GrantView[]>;
  policySets: Fetched<PolicySetView[]>;
  /** Activation status of the zone's active policy set. */
  activation: Fetched<ActivationView>;
  /** Versions of the zone's active policy set (to tell an older evaluated version from a newer one). */
  policyVersions: Fetched<PolicyVersionView[]>;
  /**
   * Every application of the zones in question, read only when a 401 left no trace: STS rejects
   * an expired application before it audits anything (`invalid client credentials`).
   */
  zoneApplications: Fetched<ZoneApplicationView[]>;
  /** The overviews of the same zones (read under the same condition): `applications.expired` by the API's clock. */
  zoneOverviews: Fetched<Array<{ zoneId: string; overview: ZoneOverviewView }>>;
  /** The credential provider bound to the request's resource (not_applicable when none is bound). */
  provider: Fetched<ProviderView>;
  sessions: Fetched<SessionView[]>;
  authorityRecords: Fetched<AuthorityRecordView[]>;
}

export type EvidenceKey = keyof TriageEvidence;
export type EvidenceFor<K extends EvidenceKey> = Pick<TriageEvidence, K>;

/** What a judge knows besides the evidence: the user's input and the clock. */
export interface JudgeContext {
  requestId: string | null;
  /** Zone the user gave (the located zone is in `location`). */
  zoneId: string | null;
  /** Symptom given, routed from the error, or null. */
  symptom: Symptom | null;
  error: RoutedError | null;
  now: Date;
}
