/**
 * Naming a change as the cause of the denial: only when the failing step's evidence and the
 * change's row join on the same entity and on the fields that explain the failure. Pure.
 *
 * | failing step, cause                                   | the change that joins                                    |
 * |-------------------------------------------------------|----------------------------------------------------------|
 * | requested_scopes, scope_mismatch (no typo in sight)    | the request's resource, `scopes` edited                   |
 * | requested_scopes operation_scope_not_granted, gateway_verifier operation_not_permitted | the resource, `operations` edited |
 * | configuration resource_archived / resource_not_found, the resource archived now | the resource archived            |
 * | configuration application_expired                      | the request's application, `expires_at` edited            |
 * | grant_policy, a provider-credential denial             | the resource's provider edited or its secret rotated, or the resource's `credential_provider_id` edited |
 * | grant_policy, a policy denial by the active version    | the set whose active version STS decided with, activated  |
 *
 * Never a grant: STS decides from the policy data and the resource's scopes, not from grants,
 * and grants are only created or revoked. Never another entity's change: ids must match. An
 * activation row says the set's `version_id` changed, not to which version: the set's active
 * version now is the latest, and the link holds only when that is the version STS decided with.
 * A requested scope that looks like a typo of a defined one (`payments:wirte`) is not blamed on
 * an edit of the scopes: the typo explains it as well.
 */
import type { StepResult } from '../model';
import { closest } from '../request-facts';
import type { ChangeRow, ChangeSubject } from './change';
import { tick } from '../steps/step';
import { entityPhrase, fieldList } from './describe';
import { PROVIDER_DENIALS, isPolicyDenial } from './rank';

export interface Link {
  row: ChangeRow;
  /** What the join proves, as the rest of a sentence: "edited the `scopes` of resource://payments, which do not include `payments:write` now". */
  proves: string;
}

type Root = Pick<StepResult, 'id' | 'cause'>;

interface Rule {
  applies(root: Root, s: ChangeSubject): boolean;
  joins(row: ChangeRow, s: ChangeSubject): boolean;
  proves(row: ChangeRow, s: ChangeSubject): string;
}

const on = (row: ChangeRow, type: string, id: string | null | undefined): boolean => !!id && row.entityType === type && row.entityId === id;
const touched = (row: ChangeRow, field: string): boolean => row.changedFields.some((f) => f === field || f.startsWith(`${field}.`));
const list = (xs: readonly string[]): string => xs.map(tick).join(', ');
const isDelete = (row: ChangeRow): boolean => row.changeKind === 'delete' || (row.changeKind === null && row.method === 'DELETE');

/** Requested scopes the resource does not define now (null: the trace does not say which were requested). */
function missingScopes(s: ChangeSubject): string[] | null {
  if (!s.resource || !s.requestedScopes) return null;
  return s.requestedScopes.filter((x) => !s.resource!.scopes.includes(x));
}

const RULES: readonly Rule[] = [
  {
    applies: (root, s) => {
      if (root.id !== 'requested_scopes' || root.cause !== 'scope_mismatch' || !s.resource) return false;
      const missing = missingScopes(s);
      if (missing === null) return true;
      return missing.length > 0 && missing.every((x) => closest(x, s.resource!.scopes) === null);
    },
    joins: (row, s) => on(row, 'resources', s.resource?.id) && touched(row, 'scopes'),
    proves: (_row, s) => {
      const missing = missingScopes(s);
      const now = missing?.length ? `, which do not include ${list(missing)} now` : `, and STS found a requested scope missing from them`;
      return `edited the ${tick('scopes')} of ${s.resource!.identifier}${now}`;
    },
  },
  {
    applies: (root, s) => !!s.resource && ((root.id === 'requested_scopes' && root.cause === 'operation_scope_not_granted') || (root.id === 'gateway_verifier' && root.cause === 'operation_not_permitted')),
    joins: (row, s) => on(row, 'resources', s.resource?.id) && touched(row, 'operations'),
    proves: (_row, s) => `edited the ${tick('operations')} of ${s.resource!.identifier}, whose operations decide the scope this call needs`,
  },
  {
    applies: (root, s) => root.id === 'configuration' && (root.cause === 'resource_archived' || root.cause === 'resource_not_found') && !!s.resource?.archived,
    joins: (row, s) => on(row, 'resources', s.resource?.id) && isDelete(row),
    proves: (_row, s) => `archived ${s.resource!.identifier}, and STS no longer finds an archived resource`,
  },
  {
    applies: (root, s) => root.id === 'configuration' && root.cause === 'application_expired' && !!s.applicationId,
    joins: (row, s) => on(row, 'applications', s.applicationId) && touched(row, 'expires_at'),
    proves: (row, s) => `edited the ${tick('expires_at')} of ${entityPhrase(row, s)}, which has passed now`,
  },
  {
    applies: (root, s) => root.id === 'grant_policy' && PROVIDER_DENIALS.has(root.cause ?? '') && !!s.resource,
    joins: (row, s) =>
      (on(row, 'providers', s.resource?.providerId) && (row.changeKind === 'update' || row.changeKind === 'secret_rotation' || row.secretRotated)) ||
      (on(row, 'resources', s.resource?.id) && touched(row, 'credential_provider_id')),
    proves: (row, s) =>
      row.entityType === 'resources'
        ? `edited the ${tick('credential_provider_id')} of ${s.resource!.identifier}, the provider STS takes its credential from`
        : row.secretRotated || row.changeKind === 'secret_rotation'
          ? `rotated the secret of ${entityPhrase(row, s)}`
          : `edited ${row.changedFields.length ? `${fieldList(row.changedFields)} of ` : ''}${entityPhrase(row, s)}`,
  },
  {
    applies: (root, s) => isPolicyDenial(root) && s.policySets.some((p) => !!p.activeVersionId && p.activeVersionId === s.evaluatedVersionId),
    joins: (row, s) => {
      const set = s.policySets.find((p) => !!p.activeVersionId && p.activeVersionId === s.evaluatedVersionId);
      return on(row, 'policy-sets', set?.id) && (row.verb === 'activate' || touched(row, 'version_id'));
    },
    proves: (row, s) =>
      `activated ${entityPhrase(row, s)}; the row records that its ${tick('version_id')} changed, and its active version now is ${tick(s.evaluatedVersionId!)}, the version STS decided this request with, which denied it`,
  },
];

/** The change the evidence names as the cause (the newest that joins), or null. `rows` newest first. */
export function linkChange(root: Root | null, rows: readonly ChangeRow[], s: ChangeSubject): Link | null {
  if (!root) return null;
  const newest = [...rows].sort((a, b) => b.at.localeCompare(a.at));
  for (const rule of RULES) {
    if (!rule.applies(root, s)) continue;
    const row = newest.find((r) => r.entityType !== 'grants' && rule.joins(r, s));
    if (row) return { row, proves: rule.proves(row, s) };
  }
  return null;
}
