/**
 * One request's audit trail in one normalized shape, whether it came from explain
 * (`DecisionTrace`) or was rebuilt from audit rows (`auditForRequest`, for request IDs the
 * by-request path rejects). Hand-written because real STS rows and the documented shape
 * differ: `''` where docs say null, diagnostics as `{reason}` as well as `{code,message}`,
 * an `exchange_denied` companion row on every denied exchange, and pre-policy rows that carry
 * almost nothing. Pure functions only.
 */
import { isRecord } from '../caracal/lenient';

/** The fields of an audit row the triage reads (structurally matches the client's AuditRow). */
export interface AuditRowInput {
  id: string;
  zone_id?: string | null;
  event_type: string;
  request_id?: string | null;
  decision?: string | null;
  policy_set_id?: string | null;
  policy_set_version_id?: string | null;
  manifest_sha?: string | null;
  evaluation_status?: string | null;
  determining_policies_json?: unknown[] | null;
  diagnostics_json?: unknown[] | null;
  metadata_json?: Record<string, unknown> | null;
  occurred_at?: string | null;
}

export interface DeniedEntryInput {
  event_id?: string | null;
  event_type?: string | null;
  evaluation_status?: string | null;
  determining_policies?: unknown[] | null;
  diagnostics?: unknown[] | null;
  metadata?: Record<string, unknown> | null;
  policy_input?: unknown;
}

/** The fields of explain's `DecisionTrace` the triage reads. */
export interface DecisionTraceInput {
  request_id: string;
  zone_id: string;
  final_decision?: string | null;
  denied?: DeniedEntryInput[] | null;
  events?: AuditRowInput[] | null;
}

export interface TraceDiagnostic {
  /** `code` or `reason`, whichever the row used. */
  code: string;
  message: string | null;
}

export interface GatewayOutcome {
  method: string | null;
  status: number | null;
  upstreamStatus: number | null;
  resultClass: string | null;
  errorKind: string | null;
}

export interface TraceEvent {
  id: string;
  eventType: string;
  decision: string | null;
  evaluationStatus: string | null;
  diagnostics: TraceDiagnostic[];
  determiningPolicies: string[];
  resource: string | null;
  /** Scopes the caller asked for; null when the row does not say (pre-policy rows often don't). */
  requestedScopes: string[] | null;
  applicationId: string | null;
  applicationName: string | null;
  policySetVersionId: string | null;
  manifestSha: string | null;
  occurredAt: string | null;
  /** The `exchange_denied` row STS adds when every resource was denied: it never holds the cause. */
  isExchangeSummary: boolean;
  /** For `gateway_resource_request` rows. */
  gateway: GatewayOutcome | null;
  /** For the Gateway's `replay_detected` rows: the mandate that was presented again. */
  replay: { jti: string | null; subjectFingerprint: string | null } | null;
  /** explain's rebuilt OPA input for a denied entry (fed to policy simulate); null for plain rows. */
  policyInput: Record<string, unknown> | null;
}

export interface Trace {
  requestId: string;
  zoneId: string;
  finalDecision: string;
  source: 'explain' | 'audit_list';
  /** Every event, oldest first. */
  events: TraceEvent[];
  /** Denied events, oldest first (including the `exchange_denied` summary). */
  denied: TraceEvent[];
}

/**
 * The Gateway's own denial: a resource mandate (jti) presented a second time. The Gateway
 * (services/gateway/internal/jti.go) writes it before any STS exchange, as decision `deny`,
 * evaluation_status `anomaly`, metadata `{jti, resource, client_id, subject_fp, request_id}`
 * (client_id is the application's ID), and answers the caller 401 `invalid_token` "token
 * replay detected".
 */
export const GATEWAY_REPLAY_EVENT = 'replay_detected';

/** OPA statuses: the row is a policy decision, not a pre-policy denial. */
export const POLICY_EVALUATION_STATUSES = ['complete', 'partial', 'error'] as const;

/** STS writes `''` where a value is absent; treat it like null. */
const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : null);
const strings = (v: unknown): string[] | null => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string' && s !== '') : null);

export function readDiagnostics(list: unknown): TraceDiagnostic[] {
  if (!Array.isArray(list)) return [];
  const out: TraceDiagnostic[] = [];
  for (const d of list) {
    if (typeof d === 'string' && d) out.push({ code: d, message: null });
    else if (isRecord(d)) {
      const code = text(d.code) ?? text(d.reason);
      if (code) out.push({ code, message: text(d.message) ?? text(d.detail) });
    }
  }
  return out;
}

function readPolicies(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list
    .map((p) => (typeof p === 'string' ? p : isRecord(p) ? (text(p.policy) ?? text(p.id) ?? text(p.name)) : null))
    .filter((p): p is string => p !== null);
}

function readGateway(eventType: string, meta: Record<string, unknown>): GatewayOutcome | null {
  if (eventType !== 'gateway_resource_request') return null;
  return {
    method: text(meta.method),
    status: num(meta.gateway_status),
    upstreamStatus: num(meta.upstream_status),
    resultClass: text(meta.result_class),
    errorKind: text(meta.error_kind),
  };
}

function isSummary(eventType: string, status: string | null, meta: Record<string, unknown>): boolean {
  return eventType === 'exchange_denied' || status === 'exchange_denied' || (Array.isArray(meta.requested) && text(meta.resource) === null);
}

/**
 * Event type as STS and the Gateway write it: the interop fixtures and hand-seeded rows spell it
 * `token.exchange` where the services write `token_exchange`, so dots read as underscores.
 */
const eventTypeOf = (v: string): string => v.trim().replace(/\./g, '_');
/** Decisions compare in lower case (`allow`, `deny`, `pending`, …). */
const decisionOf = (v: unknown): string | null => text(v)?.toLowerCase() ?? null;

export function eventFromRow(row: AuditRowInput): TraceEvent {
  const meta = isRecord(row.metadata_json) ? row.metadata_json : {};
  const status = text(row.evaluation_status);
  const decision = decisionOf(row.decision);
  const eventType = eventTypeOf(row.event_type);
  return {
    id: row.id,
    eventType,
    decision,
    evaluationStatus: status,
    diagnostics: readDiagnostics(row.diagnostics_json),
    determiningPolicies: readPolicies(row.determining_policies_json),
    resource: text(meta.resource),
    requestedScopes: strings(meta.requested_scopes),
    applicationId: text(meta.application_id) ?? (eventType === GATEWAY_REPLAY_EVENT ? text(meta.client_id) : null),
    applicationName: text(meta.application_name),
    policySetVersionId: text(row.policy_set_version_id),
    manifestSha: text(row.manifest_sha),
    occurredAt: text(row.occurred_at),
    isExchangeSummary: decision === 'deny' && isSummary(eventType, status, meta),
    gateway: readGateway(eventType, meta),
    replay: eventType === GATEWAY_REPLAY_EVENT ? { jti: text(meta.jti), subjectFingerprint: text(meta.subject_fp) } : null,
    policyInput: null,
  };
}

/** A denied entry of explain, completed from its row in `events` (which has the version and manifest). */
function eventFromDenied(entry: DeniedEntryInput, row: AuditRowInput | undefined): TraceEvent {
  const base = row ? eventFromRow(row) : null;
  const meta = isRecord(entry.metadata) ? entry.metadata : {};
  const input = isRecord(entry.policy_input) ? entry.policy_input : {};
  const inputResource = isRecord(input.resource) ? input.resource : {};
  const inputContext = isRecord(input.context) ? input.context : {};
  const inputPrincipal = isRecord(input.principal) ? input.principal : {};
  const fromInput = strings(inputContext.requested_scopes);
  const eventType = eventTypeOf(text(entry.event_type) ?? base?.eventType ?? 'unknown');
  const status = text(entry.evaluation_status) ?? base?.evaluationStatus ?? null;
  const diagnostics = readDiagnostics(entry.diagnostics);
  const policies = readPolicies(entry.determining_policies);
  return {
    id: text(entry.event_id) ?? base?.id ?? 'unknown',
    eventType,
    decision: base?.decision ?? 'deny',
    evaluationStatus: status,
    diagnostics: diagnostics.length > 0 ? diagnostics : (base?.diagnostics ?? []),
    determiningPolicies: policies.length > 0 ? policies : (base?.determiningPolicies ?? []),
    resource: text(meta.resource) ?? text(inputResource.identifier) ?? base?.resource ?? null,
    // policy_input is rebuilt with [] when the row had no scopes: an empty list there means "not recorded".
    requestedScopes: strings(meta.requested_scopes) ?? (fromInput && fromInput.length > 0 ? fromInput : null) ?? base?.requestedScopes ?? null,
    applicationId: text(meta.application_id) ?? (eventType === GATEWAY_REPLAY_EVENT ? text(meta.client_id) : null) ?? text(inputPrincipal.id) ?? base?.applicationId ?? null,
    applicationName: text(meta.application_name) ?? base?.applicationName ?? null,
    policySetVersionId: base?.policySetVersionId ?? null,
    manifestSha: base?.manifestSha ?? null,
    occurredAt: base?.occurredAt ?? null,
    isExchangeSummary: isSummary(eventType, status, meta),
    gateway: base?.gateway ?? null,
    replay: eventType === GATEWAY_REPLAY_EVENT ? { jti: text(meta.jti) ?? base?.replay?.jti ?? null, subjectFingerprint: text(meta.subject_fp) ?? base?.replay?.subjectFingerprint ?? null } : null,
    policyInput: isRecord(entry.policy_input) ? entry.policy_input : null,
  };
}

const byTime = (a: TraceEvent, b: TraceEvent): number => (a.occurredAt ?? '').localeCompare(b.occurredAt ?? '');

export function traceFromExplain(raw: DecisionTraceInput): Trace {
  const rows = raw.events ?? [];
  const events = rows.map(eventFromRow).sort(byTime);
  const denied = (raw.denied ?? []).map((d) => eventFromDenied(d, rows.find((r) => r.id === d.event_id))).sort(byTime);
  return {
    requestId: raw.request_id,
    zoneId: raw.zone_id,
    // explain's own rule when it sends no final decision: any denied entry means deny.
    finalDecision: text(raw.final_decision) ?? (denied.length > 0 ? 'deny' : finalDecisionOf(events)),
    source: 'explain',
    events,
    denied,
  };
}

/** explain's rule: deny if any event denied, else the last event's decision, else unknown. */
function finalDecisionOf(events: TraceEvent[]): string {
  if (events.some((e) => e.decision === 'deny')) return 'deny';
  return events[events.length - 1]?.decision ?? 'unknown';
}

/** Rebuild explain's view from audit rows (the list answers newest first; order does not matter here). */
export function traceFromRows(zoneId: string, requestId: string, rows: AuditRowInput[]): Trace {
  const events = rows.map(eventFromRow).sort(byTime);
  return {
    requestId,
    zoneId,
    finalDecision: finalDecisionOf(events),
    source: 'audit_list',
    events,
    denied: events.filter((e) => e.decision === 'deny'),
  };
}

/**
 * The denied entry that holds the cause: the first denial that is not STS's `exchange_denied`
 * summary, preferring one that names an evaluation status. Never the last entry by position.
 */
export function causalDenial(trace: Trace): TraceEvent | null {
  const real = trace.denied.filter((d) => !d.isExchangeSummary);
  return real.find((d) => d.evaluationStatus !== null) ?? real[0] ?? null;
}

/**
 * The STS decision for the request: its causal token-exchange denial, else the token-exchange
 * allow. A denial another service wrote (the Gateway's replay guard) is not STS's decision.
 */
export function stsDecision(trace: Trace): TraceEvent | null {
  const denial = causalDenial(trace);
  if (denial?.eventType === 'token_exchange') return denial;
  const stsDenial = trace.denied.find((d) => !d.isExchangeSummary && d.eventType === 'token_exchange');
  return stsDenial ?? trace.events.find((e) => e.eventType === 'token_exchange' && e.decision === 'allow') ?? null;
}

/** The Gateway's replay denial of this request, if it has one. */
export function replayDenial(trace: Trace): TraceEvent | null {
  return trace.denied.find((d) => d.eventType === GATEWAY_REPLAY_EVENT) ?? trace.events.find((e) => e.eventType === GATEWAY_REPLAY_EVENT) ?? null;
}

export function isPolicyDecision(e: TraceEvent): boolean {
  return e.evaluationStatus !== null && (POLICY_EVALUATION_STATUSES as readonly string[]).includes(e.evaluationStatus);
}

export function gatewayEvents(trace: Trace): TraceEvent[] {
  return trace.events.filter((e) => e.gateway !== null);
}

/**
 * The Gateway's own "use" exchange: it presents the caller's mandate to STS for the call and
 * never asks for scopes (`requested_scopes: []`), so its row says nothing about which scopes
 * the mandate holds. For an operation-enforced resource STS allows it only when the mandate
 * carries the scope the operation needs.
 */
export function isUseExchange(e: TraceEvent): boolean {
  return e.eventType === 'token_exchange' && e.decision === 'allow' && e.requestedScopes !== null && e.requestedScopes.length === 0;
}

/**
 * The scopes STS minted in this request: an allowed exchange that asked for scopes grants what
 * it asked for. Null when no allowed exchange recorded any (a Gateway use-exchange asks for
 * none: the mandate was minted earlier, usually under another request ID).
 */
export function mintedScopes(trace: Trace): string[] | null {
  const mint = trace.events.find((e) => e.eventType === 'token_exchange' && e.decision === 'allow' && !!e.requestedScopes && e.requestedScopes.length > 0);
  return mint?.requestedScopes ?? null;
}

/**
 * STS could not evaluate the policy for this row: the pre-policy `policy_eval_failed`, or a
 * deny with an OPA status other than `complete` (STS answers those "policy evaluation
 * incomplete", code `policy_eval_failed`).
 */
export function policyEvaluationFailed(e: TraceEvent): boolean {
  if (e.evaluationStatus === 'policy_eval_failed') return true;
  return e.decision === 'deny' && (e.evaluationStatus === 'error' || e.evaluationStatus === 'partial');
}

/** STS evaluated without an active policy set (manifest_sha literal, or the diagnostic). */
export function ranWithoutActivePolicySet(e: TraceEvent): boolean {
  return e.manifestSha === 'no_active_policy_set' || e.diagnostics.some((d) => d.code === 'no_active_policy_set');
}

/** Short, stable description of a trace for evidence and chat. */
export function describeTrace(trace: Trace): Record<string, unknown> {
  const cause = causalDenial(trace);
  return {
    requestId: trace.requestId,
    zoneId: trace.zoneId,
    source: trace.source,
    finalDecision: trace.finalDecision,
    events: trace.events.map((e) => ({
      id: e.id,
      eventType: e.eventType,
      decision: e.decision,
      evaluationStatus: e.evaluationStatus,
      ...(e.gateway ? { gatewayStatus: e.gateway.status, method: e.gateway.method, errorKind: e.gateway.errorKind } : {}),
      occurredAt: e.occurredAt,
    })),
    ...(cause
      ? {
          deniedBy: {
            eventId: cause.id,
            eventType: cause.eventType,
            evaluationStatus: cause.evaluationStatus,
            diagnostics: cause.diagnostics,
            determiningPolicies: cause.determiningPolicies,
            resource: cause.resource,
            requestedScopes: cause.requestedScopes,
            applicationId: cause.applicationId,
            policySetVersionId: cause.policySetVersionId,
            manifestSha: cause.manifestSha,
          },
        }
      : {}),
  };
}
