/**
 * Denials as the deny watcher reads them: a deployment of N zones (zone B's healthy inventory
 * under new zone IDs), and audit rows in the shapes Caracal writes them, for `streamAudit`:
 *
 *   policy      STS `token_exchange`, evaluation_status `complete`, diagnostics `[{reason}]`,
 *               plus the `exchange_denied` companion row STS adds (two denied rows per request)
 *   pre_policy  STS `token_exchange` whose evaluation_status is the reason itself (no
 *               diagnostics, empty policy-set fields), plus the companion
 *   replay      the Gateway's `replay_detected` (evaluation_status `anomaly`), the application
 *               named as `metadata.client_id`; no companion
 *
 * `storm` scripts a stream of such rows over time, late-ingested ones included.
 */
import type { AuditRowData, Scenario, ZoneData } from './types';
import { healthyServices, zone, zoneB } from './world';

export type DenialKind = 'policy' | 'pre_policy' | 'replay';

export interface DenialSpec {
  zoneId: string;
  applicationId: string;
  applicationName?: string;
  resource: string;
  /** The diagnostics reason (policy), the evaluation_status (pre_policy); ignored for replay. */
  reason: string;
  kind: DenialKind;
  requestId: string;
  occurredAt: number;
  /** When the row becomes visible (default: two seconds after it occurred). */
  ingestedAt?: number;
  /** Unique part of the rows' event IDs (default: the request ID). */
  eventId?: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** The rows Caracal writes for one denied request: the causal row first, then (STS) the companion. */
export function denialRows(d: DenialSpec): AuditRowData[] {
  const ingested = iso(d.ingestedAt ?? d.occurredAt + 2000);
  const id = d.eventId ?? d.requestId;
  const common = { zone_id: d.zoneId, request_id: d.requestId, decision: 'deny', occurred_at: iso(d.occurredAt), ingested_at: ingested };
  if (d.kind === 'replay') {
    return [
      {
        id: `evt-${id}`,
        ...common,
        event_type: 'replay_detected',
        policy_set_id: '',
        policy_set_version_id: '',
        manifest_sha: '',
        evaluation_status: 'anomaly',
        determining_policies_json: [],
        diagnostics_json: [],
        metadata_json: { jti: `jti-${id}`, resource: d.resource, client_id: d.applicationId, subject_fp: 'sha256:5f1c0e2a', request_id: d.requestId },
      },
    ];
  }
  const app = { application_id: d.applicationId, application_name: d.applicationName ?? d.applicationId, application_registration_method: 'managed', subject_kind: 'application' };
  const policy = d.kind === 'policy';
  const causal: AuditRowData = {
    id: `evt-${id}`,
    ...common,
    event_type: 'token_exchange',
    policy_set_id: '',
    policy_set_version_id: policy ? '01a21de6-b3d3-75d7-8d1e-91040e6a826d' : '',
    manifest_sha: policy ? '73bcfec994b5be6acb5874c3021952b12a8a91d41b5a5a68c6ed3d98e93fa4b0' : '',
    evaluation_status: policy ? 'complete' : d.reason,
    determining_policies_json: policy ? [] : null,
    diagnostics_json: policy ? [{ reason: d.reason }] : null,
    metadata_json: { ...app, resource: d.resource, ...(policy ? { requested_scopes: ['payments:read'], agent_lifecycle: 'task' } : {}) },
  };
  const companion: AuditRowData = {
    id: `evt-${id}-x`,
    ...common,
    event_type: 'token_exchange',
    policy_set_id: '',
    policy_set_version_id: '',
    manifest_sha: '',
    evaluation_status: 'exchange_denied',
    determining_policies_json: [],
    diagnostics_json: [],
    metadata_json: { requested: [d.resource], application_id: d.applicationId, application_name: app.application_name },
  };
  return [causal, companion];
}

/** The i-th zone ID of a watch deployment. */
export const watchZoneId = (i: number): string => `01a21de5-0a7e-7000-8000-${(0xc000 + i).toString(16).padStart(12, '0')}`;

/** A deployment of `zones` zones, each with zone B's healthy inventory (apps, resources, grants, policy set). */
export function watchScenario(zones: number, over: Partial<Scenario> = {}): Scenario {
  const list: ZoneData[] = Array.from({ length: zones }, (_, i) => zoneB({ zone: zone(watchZoneId(i), `Watch ${i}`, `watch-${i}`), audit: [] }));
  return {
    name: 'watch',
    description: `${zones} zones whose denials arrive over time (streamAudit)`,
    input: { requestId: 'req-none' },
    expect: { surface: null, step: null, cause: null, exit: 0 },
    causeVisibleViaApi: true,
    zones: list,
    services: healthyServices(),
    ...over,
  };
}

export interface StormOptions {
  /** Patterns: each a zone, application, resource, reason and kind. */
  patterns: Array<Omit<DenialSpec, 'requestId' | 'occurredAt' | 'ingestedAt' | 'eventId'>>;
  /** Denials in all (spread round-robin over the patterns). */
  denials: number;
  /** First and last occurred_at (ms). */
  from: number;
  to: number;
  /** Every nth denial is ingested `lateByMs` after it occurred instead of two seconds (default none). */
  lateEvery?: number;
  lateByMs?: number;
  /** Request ID prefix (default `req-storm`). */
  prefix?: string;
}

/** A scripted stream: `denials` denied requests spread evenly over [from, to] and over the patterns. */
export function storm(o: StormOptions): AuditRowData[] {
  const rows: AuditRowData[] = [];
  const span = Math.max(0, o.to - o.from);
  const prefix = o.prefix ?? 'req-storm';
  for (let i = 0; i < o.denials; i++) {
    const p = o.patterns[i % o.patterns.length]!;
    const occurredAt = o.from + (o.denials > 1 ? Math.round((span * i) / (o.denials - 1)) : 0);
    const late = o.lateEvery && i % o.lateEvery === o.lateEvery - 1;
    rows.push(...denialRows({ ...p, requestId: `${prefix}-${i}`, occurredAt, ingestedAt: occurredAt + (late ? (o.lateByMs ?? 0) : 2000) }));
  }
  return rows;
}
