/**
 * Shapes of the Caracal simulator: scenarios are plain data (one Caracal deployment's state
 * plus what a correct triage of it concludes), faults are per-request overrides that tests
 * inject to exercise timeouts, bad bodies and retries.
 */
import type { StepId, Surface, Symptom } from '../src/triage/model';

export const SIM_SERVICES = ['api', 'sts', 'gateway', 'audit', 'coordinator'] as const;
export type SimService = (typeof SIM_SERVICES)[number];

/** A canned HTTP answer: status plus a JSON body (or no body when `body` is undefined). */
export interface CannedResponse {
  status: number;
  body?: unknown;
}

/** One zone's state as the Admin API would serve it. */
export interface ZoneData {
  zone: Record<string, unknown> & { id: string };
  resources: Array<Record<string, unknown> & { id: string }>;
  applications: Array<Record<string, unknown> & { id: string }>;
  providers: Array<Record<string, unknown> & { id: string }>;
  grants: Array<Record<string, unknown> & { id: string }>;
  policySets: Array<Record<string, unknown> & { id: string }>;
  /** `GET …/policy-sets/{id}/versions` by policy-set id (oldest first); a missing id lists none. */
  policyVersions: Record<string, Array<Record<string, unknown> & { id: string }>>;
  /** activation-status answers by policy-set id; a missing id answers 404 `active_policy_set_version_not_found`. */
  activation: Record<string, CannedResponse>;
  sessions: Array<Record<string, unknown>>;
  authorityRecords: Array<Record<string, unknown>>;
  /** Every audit row of the zone (any order; the simulator sorts per route). */
  audit: Array<Record<string, unknown> & { id: string; request_id: string | null; occurred_at: string }>;
  /** The zone's admin-audit rows (sim/admin-audit.ts builds them as Caracal writes them); none when absent. */
  adminAudit?: Array<Record<string, unknown> & { id: string; occurred_at: string }>;
  /**
   * What STS decides when a policy-set version is simulated (sim/acts.ts), by version ID, for any
   * input; a version not listed is `not_executed`, as Caracal answers without STS.
   */
  simulation?: Record<string, { decision: 'allow' | 'deny'; reason?: string; policies?: string[] }>;
}

export interface ServiceState {
  /** `/ready` answer. */
  ready: CannedResponse;
  /** `/metrics.json` body (sts, gateway, audit). */
  metrics?: Record<string, unknown>;
  /** Coordinator `/stats` body. */
  stats?: Record<string, unknown>;
}

/** What a correct triage of the scenario concludes (the `--json` diagnosis and the CLI exit code). */
export interface ScenarioExpectation {
  /** null when nothing failed (diagnosis null). */
  surface: Surface | null;
  step: StepId | null;
  cause: string | null;
  exit: 0 | 1 | 2;
  /** The admin change the diagnosis names (`diagnosis.change`); absent means none. */
  change?: { entityType: string; entityId: string; actor: string };
}

/** What the user typed: `/caracal triage <requestId> [--symptom S] [--error E]`, and how the bot is set up. */
export interface ScenarioInput {
  requestId: string;
  symptom?: Symptom;
  error?: string;
  /** Admin token the bot uses (default `globalRead`); `zoneRead` is pinned to the last zone. */
  adminToken?: 'globalRead' | 'zoneRead';
  /** CARACAL_ZONE_IDS, by zone position in `zones` (a zone token cannot list zones). */
  configuredZones?: number[];
}

export interface Scenario {
  name: string;
  description: string;
  input: ScenarioInput;
  expect: ScenarioExpectation;
  /**
   * The cause shows through the Admin API alone (audit rows, inventory, activation status), so a
   * bot with only CARACAL_API_URL configured reaches the same `expect`. False when it needs
   * STS, Gateway or Audit probes or metrics.
   */
  causeVisibleViaApi: boolean;
  /** List page size (every list route); small values prove the client follows next_cursor. */
  pageSize?: number;
  zones: ZoneData[];
  services: Record<SimService, ServiceState>;
}

export interface Fault {
  /** Delay before answering (or before applying the other fault fields). */
  latencyMs?: number;
  /** Status to answer with (default 200 when body/json given, else the route's own status). */
  status?: number;
  /** Raw response text, sent as-is (e.g. not JSON). */
  body?: string;
  /** JSON body to send instead of the route's (e.g. the wrong shape). */
  json?: unknown;
  /** Extra response headers (e.g. `retry-after`). */
  headers?: Record<string, string>;
  /** Never answer. */
  hang?: boolean;
  /** Destroy the socket without answering. */
  drop?: boolean;
  /**
   * Run the route (its effects happen: an activation is applied, a decision recorded), then wait
   * this long before answering: the window in which a caller that dies has acted but not heard.
   */
  afterMs?: number;
  /** Apply only this many times, then let requests through (for retry tests). Unlimited when absent. */
  times?: number;
}

export interface RecordedRequest {
  service: SimService;
  method: string;
  /** Path without the query string. */
  path: string;
  /** Query string without `?` ('' when none). */
  query: string;
  headers: Record<string, string | string[] | undefined>;
  /** The `x-request-id` the simulator answered with. */
  responseRequestId: string;
  status: number;
  at: number;
}

export interface SimulatorOptions {
  /** Scenario name or object to start with (default `healthy_allow`). */
  scenario?: string | Scenario;
  /** Added latency (ms) on every answer, per service or for all ('*'); for benchmarks. */
  latencyMs?: Partial<Record<SimService | '*', number>>;
  /** Require `metricsBearer` on `/metrics.json` and API `/metrics` (default true); false for open metrics (dev mode). */
  requireMetricsBearer?: boolean;
  /** Keep at most this many recorded requests (default 10 000). */
  maxRecorded?: number;
  /**
   * Answer `/v1` calls over this many per clock minute, per client IP and per admin token, with
   * 429 `{"error":"rate_limited"}` and no Retry-After, as Caracal's API does (its default is 600).
   * Absent: no limit.
   */
  rateLimitPerMinute?: number;
  /** The rate limit's bucket (default a clock minute, 60 000 ms; tests shorten it). */
  rateLimitBucketMs?: number;
}

/** An audit row as a zone stores it. */
export type AuditRowData = ZoneData['audit'][number];

export interface SimulatorTokens {
  /** Global read-capability admin token. */
  globalRead: string;
  /** Global write-capability admin token. */
  globalWrite: string;
  /** Read token pinned to the last zone (the one requests live in). */
  zoneRead: string;
  /** Global approve-capability token: reads plus approval approve/reject. */
  globalApprove: string;
  /** Approve token pinned to the last zone. */
  zoneApprove: string;
  /** Write token pinned to the last zone. */
  zoneWrite: string;
}

export interface Simulator {
  apiUrl: string;
  stsUrl: string;
  gatewayUrl: string;
  auditUrl: string;
  coordinatorUrl: string;
  tokens: SimulatorTokens;
  metricsBearer: string;
  coordinatorToken: string;
  /** Zone IDs of the current scenario, in order (the request usually lives in the last). */
  readonly zoneIds: string[];
  readonly scenario: Scenario;
  readonly requests: RecordedRequest[];
  /** Requests received since start, across all services (also those no longer in `requests`). */
  readonly received: number;
  setScenario(scenario: string | Scenario): void;
  /** Path pattern: exact path, a prefix ending in `*`, or a RegExp tested against the path. */
  setFault(service: SimService, pathPattern: string | RegExp, fault: Fault): void;
  clearFaults(): void;
  /** Per-service latency for every answer (benchmarks). */
  setLatency(latency: Partial<Record<SimService | '*', number>>): void;
  /** Approval holds, activations and simulation (sim/acts.ts); cleared by setScenario. */
  readonly acts: SimActs;
  clearRequests(): void;
  /**
   * Rows that appear in their zone's audit (list, by-request, explain) once the real clock
   * passes their `ingested_at`, as Caracal's audit service ingests them: a row whose
   * `ingested_at` is long after its `occurred_at` arrives late. Each row names its zone in
   * `zone_id`; the zone must be one of the scenario's.
   */
  streamAudit(rows: AuditRowData[]): void;
  /** Rows streamed that are not visible yet. */
  readonly pendingAudit: number;
  /** `/v1` calls answered 429 by the rate limit (rateLimitPerMinute). */
  readonly rateLimited: number;
  /** `/v1` calls received (any status). */
  readonly v1Calls: number;
  /** Change the per-minute limit (null: none). */
  setRateLimit(perMinute: number | null): void;
  close(): Promise<void>;
}

/** Approval holds, activations and simulation: the simulator's writable side (acts.ts). */
export interface SimApproval {
  id: string;
  zone_id: string;
  session_id: string | null;
  principal_id: string | null;
  application_id: string | null;
  approval_type: string;
  tier: string;
  approver_class: 'operator' | 'subject' | 'any';
  privacy_mode: string;
  metadata_json: Record<string, unknown> | null;
  decision_reason: string | null;
  created_at: string;
  expires_at: string;
  satisfied_at: string | null;
  rejected_at: string | null;
  consumed_at: string | null;
  approver_subject_id: string | null;
}

/** An approval event as the sink dispatcher sends it (body of a delivery). */
export interface SinkEvent {
  id: string;
  type: 'step_up_issued' | 'step_up_decided' | 'step_up_consumed';
  zone_id: string;
  decision: string;
  occurred_at: string;
  data: Record<string, unknown>;
}



export interface SimActs {
  /** STS unreachable: simulate is not executed, activations stay `waiting_for_sts`. */
  stsDown: boolean;
  /** How long after an activation STS reports it loaded (ms). */
  stsLoadAfterMs: number;
  /** Calls that reached approve / reject / activate (whatever the answer), in order. */
  readonly calls: Array<{ kind: 'approve' | 'reject' | 'activate'; zoneId: string; id: string; body: unknown; status: number; at: number }>;
  /** Events emitted (issued by addApproval, decided by approve/reject, consumed by consume). */
  readonly events: SinkEvent[];
  /** Called with each event as it is emitted (sink.ts registers a dispatcher here). */
  onEvent: ((e: SinkEvent) => void) | null;
  /** Seeds a pending hold and emits its `step_up_issued`. */
  addApproval(zoneId: string, over?: Partial<SimApproval> & { agentLabels?: string[]; agentSessionId?: string }): { approval: SimApproval; event: SinkEvent };
  approval(zoneId: string, id: string): SimApproval | undefined;
  /** The agent came back with the approval: emits `step_up_consumed`. */
  consume(zoneId: string, id: string): SinkEvent | null;
  /** The zone's active version of a set, after any activation (undefined: the scenario's). */
  activeVersion(zoneId: string, setId: string): string | null | undefined;
  reset(): void;
}
