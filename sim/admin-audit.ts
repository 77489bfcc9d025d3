/**
 * Admin-audit rows shaped as Caracal's API writes them (apps/api/src/admin-audit.ts and
 * `GET …/admin-audit` in apps/api/src/routes/zone-events.ts): `action` is `<METHOD> <path>`,
 * `entity_type`/`entity_id` the innermost collection segment followed by an id (a create names
 * the entity its answer returned; sink and other zone settings log as `zones`), `status_code`
 * the answer's status, `payload_json` the row-level-security marks plus, for a successful write,
 * `{change_kind, changed_fields, secret_rotated?}` (field names only) and, for Console writes
 * (actor `console-write`), the signed-in account as `operator`. `chain_seq` is a string.
 */
import type { ZoneData } from './types';
import { ADMIN_ACTOR } from './world';

export type AdminAuditRow = NonNullable<ZoneData['adminAudit']>[number];

/** Collections Caracal names entities by (apps/api/src/admin-audit.ts COLLECTION_SEGMENT). */
const COLLECTIONS = /^(zones|applications|workloads|resources|providers|provider-connections|policies|policy-sets|policy-templates|grants|subject-issuers|subjects|approvals|admin-tokens|operator-conversations)$/;

/** The innermost collection segment followed by an id. */
function entityOf(path: string): { type: string | null; id: string | null } {
  const s = path.split('/').filter(Boolean);
  for (let i = s.length - 2; i >= 0; i--) if (COLLECTIONS.test(s[i]!) && s[i + 1]) return { type: s[i]!, id: s[i + 1]! };
  return { type: null, id: null };
}

/** The admin token the Console's writes go through; every Console change carries it. */
export const CONSOLE_WRITE = { id: '01a21de5-c0c0-7000-8000-00000000c0de', name: 'console-write' };

export interface AdminRowOptions {
  id: string;
  zoneId: string;
  /** Seconds after T0, like the audit rows (`at(t)`). */
  at: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path after `/v1/zones/{zone}`, e.g. `/resources/{id}`. */
  rest: string;
  actor?: { id: string; name: string; scope?: 'global' | 'zone' };
  /** Console writes: the account id Caracal records as `payload_json.operator`. */
  operator?: string;
  status?: number;
  /** Successful writes: what Caracal classified. */
  change?: { kind: 'create' | 'update' | 'delete' | 'action' | 'secret_rotation'; fields?: string[]; secretRotated?: boolean };
  /** A create's new entity (Caracal reads it from the answer). */
  created?: { type: string; id: string };
  requestId?: string;
  chainSeq?: number;
}

export function adminRow(o: AdminRowOptions): AdminAuditRow {
  const path = `/v1/zones/${o.zoneId}${o.rest}`;
  const status = o.status ?? (o.method === 'POST' && o.created ? 201 : 200);
  const entity = o.created ?? entityOf(path);
  const actor = o.operator ? { ...CONSOLE_WRITE, scope: 'global' as const } : (o.actor ?? { id: ADMIN_ACTOR.replace(/^admin:/, ''), name: 'bootstrap', scope: 'global' as const });
  const change =
    status < 400 && o.change
      ? { change_kind: o.change.kind, changed_fields: [...(o.change.fields ?? [])].sort(), ...(o.change.secretRotated ? { secret_rotated: true } : {}) }
      : {};
  return {
    id: o.id,
    request_id: o.requestId ?? `req-admin-${o.id}`,
    actor_id: actor.id,
    actor_name: actor.name,
    actor_scope: actor.scope ?? 'global',
    action: `${o.method} ${path}`,
    method: o.method,
    path,
    entity_type: entity.type,
    entity_id: entity.id,
    status_code: status,
    payload_json: { rls_mode: 'control_plane_wildcard', rls_zone_guc: '*', ...(o.operator ? { operator: o.operator } : {}), ...change },
    occurred_at: o.at,
    chain_seq: String(o.chainSeq ?? 1),
    signed: true,
  };
}
