/**
 * Triage records that carry admin changes, built the way the engine builds them (a
 * `recent_changes` item concluded with the diagnosis), with actor names from outside: mentions,
 * a bidi override, markup. For the card renderers of both platforms.
 */
import type { ChangeRow } from '../../src/triage/changes/change';
import { concludeChanges } from '../../src/triage/changes/conclude';
import type { Bundle } from '../../src/triage/model';
import type { TriageRecord } from '../../src/triage/record';

/** An admin token name as its creator typed it. */
export const HOSTILE_ACTOR = '<!channel> @here <@U0ADMIN> *bold* `tick` [x](https://evil.example) \u202Eecived-wen\u200B';

const UNTIL = '2026-11-27T12:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(UNTIL) - minutes * 60_000).toISOString();

function row(i: number, over: Partial<ChangeRow> = {}): ChangeRow {
  return {
    at: at(i + 1),
    actor: HOSTILE_ACTOR,
    via: 'token',
    action: `PATCH /v1/zones/zone-prod/resources/res-${i}`,
    method: 'PATCH',
    entityType: 'resources',
    entityId: `res-${i}`,
    requestId: `req-admin-${i}`,
    changeKind: 'update',
    changedFields: ['scopes'],
    secretRotated: false,
    verb: null,
    ...over,
  };
}

/** `count` changes; the first edits the scopes of the request's resource (`res-0`) and is named as the cause. */
export function withChanges<R extends TriageRecord>(r: R, count = 5, actor = HOSTILE_ACTOR): R {
  const rows = Array.from({ length: count }, (_, i) => row(i, { actor }));
  const bundle: Bundle = {
    redactions: 0,
    items: [
      {
        id: 'recent_changes',
        status: 'ok',
        summary: `${count} changes`,
        evidence: {
          window: { zoneId: 'zone-prod', since: at(24 * 60), until: UNTIL, anchor: 'denial', windowMs: 86_400_000 },
          subject: {
            resource: { id: 'res-0', identifier: 'resource://payments', scopes: ['payments:read'], archived: false, providerId: null },
            applicationId: 'app-1',
            grantIds: [],
            policySets: [],
            evaluatedVersionId: null,
            requestedScopes: ['payments:write'],
          },
          changes: rows,
        },
      },
    ],
  };
  const c = concludeChanges({ step: 'requested_scopes', cause: 'scope_mismatch' }, bundle);
  return { ...r, changes: c.changes, diagnosis: r.diagnosis ? { ...r.diagnosis, summary: `${r.diagnosis.summary} ${c.sentence}`, change: c.change } : r.diagnosis };
}
