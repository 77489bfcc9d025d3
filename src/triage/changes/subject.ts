/**
 * The request the changes are judged against, from evidence the triage already read (the
 * trace, the zone's resources, the grants binding the application to the resource, the policy
 * sets): which entities are this request's, and the state a change can be joined with (the
 * resource's scopes now, the sets' active versions now, the version STS decided with). Pure.
 */
import type { Fetched, GrantView, Location, PolicySetView, ResourceView } from '../evidence-model';
import { requestFacts } from '../request-facts';
import { isPolicyDecision, ranWithoutActivePolicySet } from '../trace';
import type { ChangeSubject } from './change';

export function changeSubject(location: Location, resources: Fetched<ResourceView[]>, grants: Fetched<GrantView[]>, policySets: Fetched<PolicySetView[]>): ChangeSubject {
  const facts = requestFacts(location, resources);
  const r = facts?.resource ?? null;
  const sts = facts?.sts ?? null;
  const policy = sts && isPolicyDecision(sts) && !ranWithoutActivePolicySet(sts) ? sts.policySetVersionId : null;
  return {
    resource: r ? { id: r.id, identifier: r.identifier, scopes: [...r.scopes], archived: !!r.archived_at, providerId: r.credential_provider_id || null } : null,
    applicationId: facts?.applicationId ?? null,
    grantIds: grants.ok && r ? grants.value.filter((g) => !g.resource_id || g.resource_id === r.id).map((g) => g.id) : [],
    policySets: policySets.ok ? policySets.value.map((s) => ({ id: s.id, name: s.name ?? null, activeVersionId: s.active_version_id || null })) : [],
    evaluatedVersionId: policy || null,
    requestedScopes: facts?.requestedScopes ?? null,
  };
}
