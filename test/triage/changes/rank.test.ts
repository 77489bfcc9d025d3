/**
 * Ranking admin changes by relevance to one denial: the entity the failing step names first,
 * then the request's resource (with its provider and grants), its application, the active
 * policy set, the rest of the zone; newest first within a rank.
 */
import { causeEntities, rankChanges, relevanceOf } from '../../../src/triage/changes/rank';
import { APP, GRANT, OTHER_RES, PROVIDER, RES, SET, V2, before, row, subject } from './builders';

const rows = [
  row({ entityType: 'zones', entityId: 'zone-b', at: before(1), action: 'POST /v1/zones/zone-b/notification-sinks' }),
  row({ entityType: 'policy-sets', entityId: SET, at: before(2) }),
  row({ entityType: 'applications', entityId: APP, at: before(3) }),
  row({ entityType: 'grants', entityId: GRANT, at: before(4), changeKind: 'delete' }),
  row({ entityType: 'resources', entityId: RES, at: before(20) }),
  row({ entityType: 'resources', entityId: RES, at: before(5) }),
  row({ entityType: 'providers', entityId: PROVIDER, at: before(6) }),
  row({ entityType: 'resources', entityId: OTHER_RES, at: before(0.5) }),
];

describe('ranking', () => {
  it('puts the failing step’s entity first, then resource, application, policy set, zone; newest first within each', () => {
    const s = subject();
    const ranked = rankChanges(rows, s, causeEntities({ id: 'requested_scopes', cause: 'scope_mismatch' }, s));
    expect(ranked.map((r) => [r.relevance, r.row.entityType, r.row.at])).toEqual([
      ['cause', 'resources', before(5)],
      ['cause', 'resources', before(20)],
      ['same_resource', 'grants', before(4)],
      ['same_resource', 'providers', before(6)],
      ['same_application', 'applications', before(3)],
      ['same_policy_set', 'policy-sets', before(2)],
      ['zone', 'resources', before(0.5)],
      ['zone', 'zones', before(1)],
    ]);
  });

  it('a change to another resource is zone-wide context, even when it edits the same field', () => {
    const s = subject();
    const cause = causeEntities({ id: 'requested_scopes', cause: 'scope_mismatch' }, s);
    expect(relevanceOf(row({ entityType: 'resources', entityId: OTHER_RES, changedFields: ['scopes'] }), s, cause)).toBe('zone');
  });

  it('without a diagnosis nothing is ranked cause; a policy set that is not active is zone-wide', () => {
    const s = subject({ policySets: [{ id: SET, name: 'main', activeVersionId: V2 }, { id: 'set-old', name: 'old', activeVersionId: null }] });
    const ranked = rankChanges([...rows, row({ entityType: 'policy-sets', entityId: 'set-old' })], s, causeEntities(null, s));
    expect(ranked.some((r) => r.relevance === 'cause')).toBe(false);
    expect(ranked.find((r) => r.row.entityId === 'set-old')!.relevance).toBe('zone');
  });

  it.each([
    ['requested_scopes operation_scope_not_granted', { id: 'requested_scopes', cause: 'operation_scope_not_granted' }, [{ type: 'resources', id: RES }]],
    ['gateway_verifier operation_not_permitted', { id: 'gateway_verifier', cause: 'operation_not_permitted' }, [{ type: 'resources', id: RES }]],
    ['gateway_verifier revocation_snapshot_stale', { id: 'gateway_verifier', cause: 'revocation_snapshot_stale' }, []],
    ['configuration application_expired', { id: 'configuration', cause: 'application_expired' }, [{ type: 'applications', id: APP }]],
    ['configuration resource_archived', { id: 'configuration', cause: 'resource_archived' }, [{ type: 'resources', id: RES }]],
    ['grant_policy credential_refresh_failed', { id: 'grant_policy', cause: 'credential_refresh_failed' }, [{ type: 'providers', id: PROVIDER }]],
    ['grant_policy no_active_grant', { id: 'grant_policy', cause: 'no_active_grant' }, [{ type: 'grants', id: GRANT }]],
    ['grant_policy role_scope_mismatch', { id: 'grant_policy', cause: 'role_scope_mismatch' }, [{ type: 'policy-sets', id: SET }]],
    ['grant_policy rate_limited', { id: 'grant_policy', cause: 'rate_limited' }, []],
    ['policy_set_activation propagation_failed', { id: 'policy_set_activation', cause: 'propagation_failed' }, [{ type: 'policy-sets', id: SET }]],
    ['readiness redis_unreachable', { id: 'readiness', cause: 'redis_unreachable' }, []],
  ] as const)('%s names its entities', (_label, root, entities) => {
    expect(causeEntities(root, subject())).toEqual(entities);
  });

  it('a policy denial names the set whose active version STS decided with', () => {
    const s = subject({ policySets: [{ id: 'set-a', name: 'a', activeVersionId: 'ver-a' }, { id: SET, name: 'main', activeVersionId: V2 }], evaluatedVersionId: V2 });
    expect(causeEntities({ id: 'grant_policy', cause: 'default_deny' }, s)).toEqual([{ type: 'policy-sets', id: SET }]);
  });
});
