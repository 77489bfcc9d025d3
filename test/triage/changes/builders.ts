/** Admin changes and the request they are judged against, as the `recent_changes` item holds them. */
import type { ChangeRow, ChangeSubject, ChangeWindow } from '../../../src/triage/changes/change';

export const RES = 'res-payments';
export const OTHER_RES = 'res-invoices';
export const PROVIDER = 'prov-1';
export const APP = 'app-1';
export const SET = 'set-main';
export const V2 = 'ver-2';
export const GRANT = 'grant-1';
export const UNTIL = '2026-11-27T16:50:00.000Z';

/** `minutes` before the end of the window. */
export const before = (minutes: number): string => new Date(Date.parse(UNTIL) - minutes * 60_000).toISOString();

export function row(over: Partial<ChangeRow> & Pick<ChangeRow, 'entityType' | 'entityId'>): ChangeRow {
  return {
    at: before(3),
    actor: 'alice',
    via: 'token',
    action: `PATCH /v1/zones/zone-b/${over.entityType}/${over.entityId}`,
    method: 'PATCH',
    requestId: `req-admin-${over.entityId}`,
    changeKind: 'update',
    changedFields: [],
    secretRotated: false,
    verb: null,
    ...over,
  };
}

export function subject(over: Partial<ChangeSubject> = {}): ChangeSubject {
  return {
    resource: { id: RES, identifier: 'resource://payments', scopes: ['payments:read'], archived: false, providerId: PROVIDER },
    applicationId: APP,
    grantIds: [GRANT],
    policySets: [{ id: SET, name: 'main', activeVersionId: V2 }],
    evaluatedVersionId: null,
    requestedScopes: ['payments:write'],
    ...over,
  };
}

export const WINDOW: ChangeWindow = { zoneId: 'zone-b', since: '2026-11-26T16:50:00.000Z', until: UNTIL, anchor: 'denial', windowMs: 86_400_000 };
