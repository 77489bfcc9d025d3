/**
 * Ranking changes by how close they are to this denial. Pure.
 *
 * - `cause`: the change is to an entity the failing step's evidence names (the resource whose
 *   scopes or operations STS checked, the provider STS could not use, the policy set STS
 *   evaluated, the application, the grants the grant check read).
 * - `same_resource`: the request's resource, its credential provider, or a grant binding the
 *   application to it.
 * - `same_application`: the request's application.
 * - `same_policy_set`: a policy set that is active in the zone now.
 * - `zone`: anything else in the zone.
 * Newest first within a rank. A rank says where a change sits, not that it caused anything:
 * only link.ts names a change as the cause, and only when the evidence joins it to the denial.
 */
import type { StepResult } from '../model';
import { GRANT_POLICY_DENIALS } from '../steps/grant-policy';
import { type ChangeRow, type ChangeSubject, type EntityRef, type Relevance, RELEVANCES, sameEntity } from './change';

/** STS denials about the provider credential the resource uses (services/sts: pre-policy reasons). */
export const PROVIDER_DENIALS: ReadonlySet<string> = new Set(['provider_unavailable', 'credential_refresh_failed', 'provider_credential_unavailable', 'credential_injection_denied']);
/** Grant-check conclusions that are about grants, not the policy STS evaluated. */
const GRANT_FINDINGS: ReadonlySet<string> = new Set(['no_active_grant', 'scope_not_granted']);

/** The grant step failed on the policy STS evaluated (its diagnostics, or a deny without any), not on a pre-policy reason or the grants. */
export function isPolicyDenial(root: Pick<StepResult, 'id' | 'cause'>): boolean {
  const cause = root.cause ?? '';
  return root.id === 'grant_policy' && cause !== '' && !GRANT_FINDINGS.has(cause) && !GRANT_POLICY_DENIALS.includes(cause) && !PROVIDER_DENIALS.has(cause);
}

const ref = (type: string, id: string | null | undefined): EntityRef[] => (id ? [{ type, id }] : []);

/** Policy sets active now (the ones that govern the zone's decisions). */
const activeSets = (s: ChangeSubject): EntityRef[] => s.policySets.filter((p) => p.activeVersionId).map((p) => ({ type: 'policy-sets', id: p.id }));

/** The entities the failing step's evidence names, for the step and cause that hold the diagnosis. */
export function causeEntities(root: Pick<StepResult, 'id' | 'cause'> | null, s: ChangeSubject): EntityRef[] {
  if (!root) return [];
  const cause = root.cause ?? '';
  const resource = ref('resources', s.resource?.id);
  switch (root.id) {
    case 'requested_scopes':
      return resource;
    case 'gateway_verifier':
      return cause === 'operation_not_permitted' ? resource : [];
    case 'configuration':
      if (cause === 'application_expired') return ref('applications', s.applicationId);
      return cause === 'resource_not_found' || cause === 'resource_archived' ? resource : [];
    case 'grant_policy':
      if (PROVIDER_DENIALS.has(cause)) return ref('providers', s.resource?.providerId);
      if (GRANT_FINDINGS.has(cause)) return s.grantIds.map((id) => ({ type: 'grants', id }));
      if (isPolicyDenial(root)) {
        const evaluated = s.policySets.find((p) => p.activeVersionId && p.activeVersionId === s.evaluatedVersionId);
        return evaluated ? [{ type: 'policy-sets', id: evaluated.id }] : activeSets(s);
      }
      return [];
    case 'policy_set_activation':
      return activeSets(s).length > 0 ? activeSets(s) : s.policySets.map((p) => ({ type: 'policy-sets', id: p.id }));
    default:
      return [];
  }
}

export function relevanceOf(row: ChangeRow, s: ChangeSubject, cause: readonly EntityRef[]): Relevance {
  if (cause.some((c) => sameEntity(row, c))) return 'cause';
  const ofResource = [...ref('resources', s.resource?.id), ...ref('providers', s.resource?.providerId), ...s.grantIds.map((id) => ({ type: 'grants', id }))];
  if (ofResource.some((c) => sameEntity(row, c))) return 'same_resource';
  if (ref('applications', s.applicationId).some((c) => sameEntity(row, c))) return 'same_application';
  if (activeSets(s).some((c) => sameEntity(row, c))) return 'same_policy_set';
  return 'zone';
}

export interface RankedRow {
  row: ChangeRow;
  relevance: Relevance;
}

/** Most relevant first, newest first within a rank. */
export function rankChanges(rows: readonly ChangeRow[], s: ChangeSubject, cause: readonly EntityRef[]): RankedRow[] {
  return rows
    .map((row) => ({ row, relevance: relevanceOf(row, s, cause) }))
    .sort((a, b) => RELEVANCES.indexOf(a.relevance) - RELEVANCES.indexOf(b.relevance) || b.row.at.localeCompare(a.row.at));
}
