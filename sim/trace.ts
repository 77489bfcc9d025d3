/**
 * What the Admin API does to audit rows before answering: it redacts metadata
 * keys, and for explain it rebuilds each denied row's OPA `policy_input` from the unredacted
 * row (which is why the authority-record ID shows in `policy_input.context.session_id` while
 * `metadata.session_id` reads "[redacted]").
 */
import type { ZoneData } from './types';

type Row = ZoneData['audit'][number];

/**
 * The API's own redaction list (apps/api/src/redact.ts), reproduced so reads look like Caracal's.
 * Deliberately not shared with the bot's redactor (src/redact/redact.ts): the simulator plays
 * Caracal, and a test of the bot's redaction against a simulator that borrowed the bot's list
 * could not catch the two drifting apart.
 */
const API_REDACTED_KEYS = new Set([
  'password',
  'passwd',
  'secret',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'api_key',
  'apikey',
  'authorization',
  'cookie',
  'set_cookie',
  'client_secret',
  'private_key',
  'session',
  'session_id',
  'assertion',
]);

export function apiRedact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(apiRedact);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = API_REDACTED_KEYS.has(k) ? '[redacted]' : apiRedact(v);
    return out;
  }
  return value;
}

/** A row as `GET …/audit` and by-request return it. */
export function publicRow(row: Row): Record<string, unknown> {
  return { ...row, metadata_json: row.metadata_json == null ? null : apiRedact(row.metadata_json) };
}

function policyInput(row: Row): Record<string, unknown> {
  const m = (row.metadata_json ?? {}) as Record<string, unknown>;
  const scopes = Array.isArray(m.requested_scopes) ? m.requested_scopes : [];
  const principal: Record<string, unknown> = { type: 'Application', id: m.application_id ?? '', zone_id: row.zone_id };
  if (m.application_registration_method) principal.registration_method = m.application_registration_method;
  if (m.agent_session_id) principal.agent_session_id = m.agent_session_id;
  if (m.agent_lifecycle) principal.lifecycle = m.agent_lifecycle;
  if (m.agent_labels) principal.labels = m.agent_labels;
  const context: Record<string, unknown> = { actor_claims: {}, requested_scopes: scopes, challenge_resolved: false };
  if (m.session_id) context.session_id = m.session_id;
  if (m.agent_session_id) context.agent_session_id = m.agent_session_id;
  if (m.delegation_edge_id) context.delegation_edge_id = m.delegation_edge_id;
  const input: Record<string, unknown> = {
    schema_version: '2026-05-20',
    principal,
    resource: { type: 'Resource', identifier: typeof m.resource === 'string' ? m.resource : '', scopes },
    action: { id: 'TokenExchange' },
    context,
  };
  if (m.session_id) input.session = { id: m.session_id };
  if (m.delegation_edge_id) input.delegation_edge = { id: m.delegation_edge_id };
  return input;
}

export function rowsForRequest(zone: ZoneData, requestId: string): Row[] {
  return zone.audit
    .filter((r) => r.request_id === requestId)
    .sort((a, b) => a.occurred_at.localeCompare(b.occurred_at) || a.id.localeCompare(b.id));
}

/** `GET …/audit/by-request/{rid}/explain` body, or null when the zone has no row for it. */
export function explain(zone: ZoneData, requestId: string): Record<string, unknown> | null {
  const rows = rowsForRequest(zone, requestId);
  if (rows.length === 0) return null;
  const deniedRows = rows.filter((r) => r.decision === 'deny');
  const last = rows[rows.length - 1]!;
  const final = deniedRows.length > 0 ? 'deny' : ((last.decision as string | null) ?? 'unknown');
  return {
    request_id: requestId,
    zone_id: zone.zone.id,
    final_decision: final,
    denied: deniedRows.map((r) => ({
      event_id: r.id,
      event_type: r.event_type,
      evaluation_status: r.evaluation_status,
      determining_policies: r.determining_policies_json ?? [],
      diagnostics: r.diagnostics_json ?? [],
      metadata: apiRedact(r.metadata_json ?? {}),
      policy_input: policyInput(r),
    })),
    events: rows.map(publicRow),
  };
}
