/**
 * Builders for pure judge and diagnosis tests: evidence as the gatherer would hand it over,
 * audit rows in both shapes Caracal writes (the fixtures' simplified shape and the real Go
 * STS shape: '' for absent ids, diagnostics as {reason}, an exchange_denied companion row).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProbeResult, ServiceName } from '../../../src/caracal/client-api';
import { SERVICES } from '../../../src/caracal/client-api';
import type {
  ActivationView,
  Failure,
  Fetched,
  GrantView,
  JudgeContext,
  Location,
  PolicySetView,
  ResourceView,
} from '../../../src/triage/evidence-model';
import type { StepId, StepResult } from '../../../src/triage/model';
import { traceFromExplain, traceFromRows, type AuditRowInput, type DecisionTraceInput, type Trace } from '../../../src/triage/trace';

export const fixture = <T>(name: string): T => JSON.parse(readFileSync(join(__dirname, '../../fixtures', name), 'utf8')) as T;

export const ZONE = 'zone-b';
export const APP = 'app-1';
export const REQ = 'req-1';

export const ok = <T>(value: T): Fetched<T> => ({ ok: true, value });
export function failure(code: string, status?: number, kind = 'api'): Failure {
  return { kind, code, ...(status ? { status } : {}), message: `GET /v1/zones/${ZONE}/… answered ${status ?? ''} ${code}`.replace(/\s+/g, ' ') };
}
export const failed = (code: string, status?: number, kind = 'api'): Fetched<never> => ({ ok: false, error: failure(code, status, kind) });

export function probe(service: ServiceName, over: Partial<ProbeResult> = {}): ProbeResult {
  return { service, configured: true, url: `http://127.0.0.1/${service}/ready`, ok: true, status: 200, ms: 3, ...over };
}
/** Every service configured and ready unless overridden. */
export function probes(over: Partial<Record<ServiceName, Partial<ProbeResult>>> = {}): ProbeResult[] {
  return SERVICES.map((s) => probe(s, over[s]));
}
export const notReady = (reason: string, status = 503): Partial<ProbeResult> => ({ ok: false, status, reason, body: { ok: false, ready: false, reason } });
export const unconfigured: Partial<ProbeResult> = { configured: false, ok: false, url: undefined, status: undefined };

export const RESOURCE: ResourceView = {
  id: 'res-payments',
  identifier: 'resource://payments',
  name: 'payments',
  scopes: ['payments:read', 'payments:write'],
  operations: [
    { method: 'GET', path: '/v1/payments', scope: 'payments:read' },
    { method: 'POST', path: '/v1/payments', scope: 'payments:write' },
  ],
  operation_enforcement: 'enforced',
  credential_provider_id: 'prov-1',
  archived_at: null,
};

export const grant = (over: Partial<GrantView> = {}): GrantView => ({
  id: `grant-${Math.random().toString(36).slice(2, 8)}`,
  application_id: APP,
  resource_id: RESOURCE.id,
  provider_id: 'prov-1',
  scopes: ['payments:read', 'payments:write'],
  status: 'active',
  ...over,
});

export const activeSet: PolicySetView = { id: 'ps-1', name: 'main', active_version_id: 'psv-2' };

export const activation = (over: Partial<ActivationView> = {}): ActivationView => ({
  policy_set_id: 'ps-1',
  version_id: 'psv-2',
  active: true,
  active_version_id: 'psv-2',
  propagation_status: 'loaded',
  outbox: { state: 'dispatched', attempts: 1, last_error: null },
  sts: { state: 'loaded', policy_set_version_id: 'psv-2' },
  ...over,
});

let seq = 0;
interface RowOpts {
  decision: 'allow' | 'deny';
  status: string;
  shape?: 'real' | 'fixture';
  scopes?: string[];
  resource?: string;
  diagnostics?: unknown[] | null;
  policies?: unknown[] | null;
  versionId?: string;
  manifestSha?: string;
  t?: number;
  prePolicy?: boolean;
}
export const at = (t: number) => new Date(Date.parse('2026-11-27T16:40:00Z') + t * 1000).toISOString();

/** An STS token_exchange row; `prePolicy` rows carry only the application and resource. */
export function stsRow(o: RowOpts): AuditRowInput {
  const empty = o.shape === 'fixture' ? null : '';
  const meta: Record<string, unknown> = { application_id: APP, application_name: 'Anton', resource: o.resource ?? RESOURCE.identifier };
  if (!o.prePolicy || o.scopes) meta.requested_scopes = o.scopes ?? ['payments:read'];
  return {
    id: `evt-${++seq}`,
    zone_id: ZONE,
    event_type: 'token_exchange',
    request_id: REQ,
    decision: o.decision,
    policy_set_id: empty,
    policy_set_version_id: o.prePolicy ? empty : (o.versionId ?? 'psv-2'),
    manifest_sha: o.prePolicy ? empty : (o.manifestSha ?? 'sha-2'),
    evaluation_status: o.status,
    determining_policies_json: o.prePolicy ? null : (o.policies ?? []),
    diagnostics_json: o.prePolicy ? null : (o.diagnostics ?? []),
    metadata_json: meta,
    occurred_at: at(o.t ?? 10),
  };
}

export function exchangeDeniedRow(t = 10): AuditRowInput {
  return {
    id: `evt-${++seq}`,
    zone_id: ZONE,
    event_type: 'token_exchange',
    request_id: REQ,
    decision: 'deny',
    policy_set_id: '',
    policy_set_version_id: '',
    manifest_sha: '',
    evaluation_status: 'exchange_denied',
    determining_policies_json: [],
    diagnostics_json: [],
    metadata_json: { requested: [RESOURCE.identifier], application_id: APP },
    occurred_at: at(t),
  };
}

export function gatewayRow(o: { status: number; method?: string; upstream?: number; errorKind?: string; t?: number; type?: string }): AuditRowInput {
  return {
    id: `evt-${++seq}`,
    zone_id: ZONE,
    event_type: o.type ?? 'gateway_resource_request',
    request_id: REQ,
    decision: 'allow',
    policy_set_id: '',
    policy_set_version_id: '',
    manifest_sha: '',
    evaluation_status: '',
    determining_policies_json: null,
    diagnostics_json: null,
    metadata_json: {
      application_id: APP,
      resource: RESOURCE.identifier,
      method: o.method ?? 'GET',
      gateway_status: o.status,
      ...(o.upstream !== undefined ? { upstream_status: o.upstream } : {}),
      ...(o.errorKind ? { error_kind: o.errorKind } : {}),
    },
    occurred_at: at(o.t ?? 11),
  };
}

/** The Gateway's replay row, as services/gateway/internal/jti.go writes it (before any STS exchange). */
export function replayRow(o: { t?: number; jti?: string } = {}): AuditRowInput {
  return {
    id: `evt-${++seq}`,
    zone_id: ZONE,
    event_type: 'replay_detected',
    request_id: REQ,
    decision: 'deny',
    policy_set_id: '',
    policy_set_version_id: '',
    manifest_sha: '',
    evaluation_status: 'anomaly',
    determining_policies_json: [],
    diagnostics_json: [],
    metadata_json: { jti: o.jti ?? 'jti-7f3a', resource: RESOURCE.identifier, client_id: APP, subject_fp: 'sha256:5f1c0e2a', request_id: REQ },
    occurred_at: at(o.t ?? 12),
  };
}

/** A trace rebuilt from rows, as for IDs the by-request path rejects. */
export const traceOf = (...rows: AuditRowInput[]): Trace => traceFromRows(ZONE, REQ, rows);

/** The trace explain gives for these rows (denied entries rebuilt like the API does). */
export function explainOf(...rows: AuditRowInput[]): Trace {
  const denied = rows
    .filter((r) => r.decision === 'deny')
    .map((r) => ({
      event_id: r.id,
      event_type: r.event_type,
      evaluation_status: r.evaluation_status,
      determining_policies: r.determining_policies_json ?? [],
      diagnostics: r.diagnostics_json ?? [],
      metadata: r.metadata_json ?? {},
      policy_input: {
        resource: { identifier: (r.metadata_json?.resource as string) ?? '', scopes: [] },
        context: { requested_scopes: (r.metadata_json?.requested_scopes as string[]) ?? [] },
      },
    }));
  const raw: DecisionTraceInput = { request_id: REQ, zone_id: ZONE, final_decision: denied.length ? 'deny' : (rows[rows.length - 1]?.decision ?? 'unknown'), denied, events: rows };
  return traceFromExplain(raw);
}

export function located(trace: Trace | null, over: Partial<Location> = {}): Location {
  return {
    requestId: REQ,
    zoneId: trace ? trace.zoneId : null,
    trace,
    zoneSource: 'listed',
    zonesSearched: ['zone-a', ZONE],
    attempts: [
      { zoneId: 'zone-a', outcome: 'not_found', via: 'explain' },
      { zoneId: ZONE, outcome: trace ? 'found' : 'not_found', via: 'explain' },
    ],
    problem: null,
    listError: null,
    ...over,
  };
}

export function ctx(over: Partial<JudgeContext> = {}): JudgeContext {
  return { requestId: REQ, zoneId: null, symptom: null, error: null, now: new Date('2026-11-28T00:00:00Z'), ...over };
}

export const healthyMetrics = {
  sts: ok<Record<string, unknown>>({ opa: { compile_errors: 0, eval_errors: 0 }, audit_dropped: 0 }),
  gateway: ok<Record<string, unknown>>({ requests_denied: 0, denials_bad_bearer: 0, denials_signature: 0, revocation_snapshot_fresh: 1, revocation_reload_errors: 0 }),
  audit: ok<Record<string, unknown>>({ consumer_lag: 0, dlq_size: 0, tamper_mismatch_total: 0, tamper_chain_breaks: 0, hmac_failures_total: 0 }),
};

export function result(id: StepId, verdict: StepResult['verdict'], cause?: string, evidence: Record<string, unknown> = {}): StepResult {
  return { id, verdict, ...(cause ? { cause } : {}), summary: `${id} ${verdict}${cause ? ` ${cause}` : ''}`, evidence };
}

export { routeError as routedFrom } from '../../../src/triage/routing';
