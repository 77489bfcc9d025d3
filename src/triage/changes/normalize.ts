/**
 * An admin-audit row as a change, or why it is not one. Pure.
 *
 * - A row of a failed request (status >= 400: Caracal also records rejected reads and refused
 *   writes) changed nothing.
 * - A row without a readable time cannot be placed before or after the denial.
 * - Who: Console changes are all made with the Console's shared write token (`actor_name`
 *   `console-write`); Caracal puts the signed-in account in `payload_json.operator` (its stable
 *   id: the Console resolves it to a name, the API keeps only the id), so that account is named.
 *   Otherwise the admin token's name, else its id.
 */
import type { AdminAuditRow } from '../../caracal/schemas';
import type { ChangeRow } from './change';

/** The name Caracal gives the Console's derived write token (apps/api/src/auth.ts). */
export const CONSOLE_WRITE_ACTOR = 'console-write';

export type NotAChange = 'failed_request' | 'no_time';

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);

/** The sub-resource verb after `<entityType>/<entityId>/` in the path (`activate`, `versions`, `test`), else null. */
function verbOf(path: string | null, entityType: string | null, entityId: string | null): string | null {
  if (!path || !entityType || !entityId) return null;
  const segments = path.split('?')[0]!.split('/').filter(Boolean);
  for (let i = segments.length - 2; i >= 0; i--) {
    if (segments[i] === entityType && segments[i + 1] === entityId) return segments[i + 2] ?? null;
  }
  return null;
}

function who(row: AdminAuditRow, payload: Record<string, unknown>): { actor: string; via: ChangeRow['via'] } {
  const operator = str(payload.operator);
  if (row.actor_name === CONSOLE_WRITE_ACTOR && operator) return { actor: operator, via: 'console' };
  return { actor: str(row.actor_name) ?? str(row.actor_id) ?? 'an unnamed actor', via: row.actor_name === CONSOLE_WRITE_ACTOR ? 'console' : 'token' };
}

export function changeFromRow(row: AdminAuditRow): ChangeRow | NotAChange {
  if (typeof row.status_code === 'number' && row.status_code >= 400) return 'failed_request';
  const time = str(row.occurred_at);
  const ms = time ? Date.parse(time) : NaN;
  if (!Number.isFinite(ms)) return 'no_time';
  const payload = row.payload_json ?? {};
  const fields = Array.isArray(payload.changed_fields) ? payload.changed_fields.filter((f): f is string => typeof f === 'string' && f !== '') : [];
  const method = str(row.method)?.toUpperCase() ?? null;
  const path = str(row.path);
  const entityType = str(row.entity_type);
  const entityId = str(row.entity_id);
  return {
    at: new Date(ms).toISOString(),
    ...who(row, payload),
    action: str(row.action) ?? [method, path].filter(Boolean).join(' '),
    method,
    entityType,
    entityId,
    requestId: str(row.request_id),
    changeKind: str(payload.change_kind),
    changedFields: fields,
    secretRotated: payload.secret_rotated === true,
    verb: verbOf(path, entityType, entityId),
  };
}
