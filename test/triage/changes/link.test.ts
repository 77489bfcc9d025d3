/**
 * Naming a change as the cause: only when the failing step's evidence and the row join on the
 * same entity and the fields that explain the failure; never another entity's change, never a
 * grant, never what a typo explains as well; and the sentence says only what the join proves.
 */
import { concludeChanges, MAX_CHANGES } from '../../../src/triage/changes/conclude';
import { linkChange } from '../../../src/triage/changes/link';
import type { Bundle } from '../../../src/triage/model';
import { APP, GRANT, OTHER_RES, PROVIDER, RES, SET, V2, WINDOW, before, row, subject } from './builders';

const scopeMismatch = { id: 'requested_scopes', cause: 'scope_mismatch' } as const;
const scopesEdit = row({ entityType: 'resources', entityId: RES, changedFields: ['operations', 'scopes'], at: before(3) });

describe('linking a change to the denial', () => {
  it('a scope the resource does not define now, and an edit of that resource’s scopes: linked', () => {
    const link = linkChange(scopeMismatch, [scopesEdit], subject());
    expect(link?.row).toBe(scopesEdit);
    expect(link?.proves).toBe('edited the `scopes` of resource://payments, which do not include `payments:write` now');
  });

  it('the newest change that joins is the one named', () => {
    const older = row({ entityType: 'resources', entityId: RES, changedFields: ['scopes'], at: before(30), requestId: 'req-older' });
    expect(linkChange(scopeMismatch, [older, scopesEdit], subject())?.row).toBe(scopesEdit);
  });

  it.each([
    ['another resource’s scopes', row({ entityType: 'resources', entityId: OTHER_RES, changedFields: ['scopes'] })],
    ['another field of the same resource', row({ entityType: 'resources', entityId: RES, changedFields: ['upstream_url'] })],
    ['a grant of the resource revoked', row({ entityType: 'grants', entityId: GRANT, changeKind: 'delete', method: 'DELETE' })],
    ['the application edited', row({ entityType: 'applications', entityId: APP, changedFields: ['name'] })],
  ])('never blamed: %s', (_label, change) => {
    expect(linkChange(scopeMismatch, [change], subject())).toBeNull();
  });

  it('a requested scope that looks like a typo of a defined one is not blamed on a scopes edit', () => {
    const s = subject({ resource: { id: RES, identifier: 'resource://payments', scopes: ['payments:read', 'payments:write'], archived: false, providerId: PROVIDER }, requestedScopes: ['payments:wirte'] });
    expect(linkChange(scopeMismatch, [scopesEdit], s)).toBeNull();
  });

  it('a grant is never the cause, even when the grant check is what failed', () => {
    const revoked = row({ entityType: 'grants', entityId: GRANT, changeKind: 'delete', method: 'DELETE' });
    expect(linkChange({ id: 'grant_policy', cause: 'no_active_grant' }, [revoked], subject())).toBeNull();
  });

  it('an operations edit explains a scope the operation needs and the mandate lacks', () => {
    const ops = row({ entityType: 'resources', entityId: RES, changedFields: ['operations'] });
    expect(linkChange({ id: 'requested_scopes', cause: 'operation_scope_not_granted' }, [ops], subject())?.proves).toContain('edited the `operations` of resource://payments');
    expect(linkChange({ id: 'requested_scopes', cause: 'operation_scope_not_granted' }, [scopesEdit], subject())?.row).toBe(scopesEdit);
    expect(linkChange({ id: 'requested_scopes', cause: 'operation_scope_not_granted' }, [row({ entityType: 'resources', entityId: RES, changedFields: ['scopes'] })], subject())).toBeNull();
  });

  describe('a policy denial and an activation', () => {
    const activation = row({ entityType: 'policy-sets', entityId: SET, changeKind: 'action', verb: 'activate', changedFields: ['version_id'], method: 'POST', actor: 'release-bot' });
    const versionAdded = row({ entityType: 'policy-sets', entityId: SET, changeKind: 'action', verb: 'versions', changedFields: ['manifest'], method: 'POST', at: before(2) });

    it('linked when STS decided with the version that is active now', () => {
      const link = linkChange({ id: 'grant_policy', cause: 'role_scope_mismatch' }, [versionAdded, activation], subject({ evaluatedVersionId: V2 }));
      expect(link?.row).toBe(activation);
      expect(link?.proves).toBe('activated policy set main; the row records that its `version_id` changed, and its active version now is `ver-2`, the version STS decided this request with, which denied it');
    });

    it('not linked when STS decided with another version (the activation did not shape this decision)', () => {
      expect(linkChange({ id: 'grant_policy', cause: 'role_scope_mismatch' }, [activation], subject({ evaluatedVersionId: 'ver-1' }))).toBeNull();
    });

    it('not linked for a pre-policy denial or a grant finding', () => {
      for (const cause of ['rate_limited', 'scope_not_granted', 'no_active_grant', 'approval_expired']) {
        expect(linkChange({ id: 'grant_policy', cause }, [activation], subject({ evaluatedVersionId: V2 }))).toBeNull();
      }
    });
  });

  describe('a provider-credential denial', () => {
    const cause = { id: 'grant_policy', cause: 'credential_refresh_failed' } as const;
    it('links an edit of the provider the resource uses, naming the fields', () => {
      const edit = row({ entityType: 'providers', entityId: PROVIDER, changedFields: ['config_json.token_url'] });
      expect(linkChange(cause, [edit], subject())?.proves).toBe('edited the `config_json.token_url` of the credential provider prov-1 of resource://payments');
    });
    it('links a secret rotation and a re-binding of the resource', () => {
      const rotation = row({ entityType: 'providers', entityId: PROVIDER, changeKind: 'secret_rotation', secretRotated: true });
      expect(linkChange(cause, [rotation], subject())?.proves).toMatch(/^rotated the secret of the credential provider prov-1 of resource:\/\/payments$/);
      const rebind = row({ entityType: 'resources', entityId: RES, changedFields: ['credential_provider_id'] });
      expect(linkChange(cause, [rebind], subject())?.proves).toMatch(/^edited the `credential_provider_id` of resource:\/\/payments/);
    });
    it('not a connectivity test of the provider, nor another provider', () => {
      const test = row({ entityType: 'providers', entityId: PROVIDER, changeKind: 'action', verb: 'test', method: 'POST' });
      const other = row({ entityType: 'providers', entityId: 'prov-other', changedFields: ['config_json.token_url'] });
      expect(linkChange(cause, [test, other], subject())).toBeNull();
    });
  });

  it('an expired application whose expires_at was edited; an archived resource', () => {
    const expiry = row({ entityType: 'applications', entityId: APP, changedFields: ['expires_at'] });
    expect(linkChange({ id: 'configuration', cause: 'application_expired' }, [expiry], subject())?.proves).toBe('edited the `expires_at` of application app-1, which has passed now');
    const archive = row({ entityType: 'resources', entityId: RES, changeKind: 'delete', method: 'DELETE' });
    const archived = subject({ resource: { id: RES, identifier: 'resource://payments', scopes: [], archived: true, providerId: null } });
    expect(linkChange({ id: 'configuration', cause: 'resource_archived' }, [archive], archived)?.proves).toBe('archived resource://payments, and STS no longer finds an archived resource');
    expect(linkChange({ id: 'configuration', cause: 'resource_archived' }, [archive], subject())).toBeNull();
  });

  it('no diagnosis, no link', () => {
    expect(linkChange(null, [scopesEdit], subject())).toBeNull();
  });
});

describe('the conclusion a report carries', () => {
  const bundleWith = (changes: unknown[], status: 'ok' | 'unavailable' = 'ok'): Bundle =>
    JSON.parse(JSON.stringify({ redactions: 0, items: [{ id: 'recent_changes', status, summary: '…', evidence: { window: WINDOW, subject: subject(), changes } }] }));

  it('names the change with actor, time, minutes before the denial and the admin-audit request ID', () => {
    const consoleEdit = { ...scopesEdit, actor: 'acct_42', via: 'console' as const, requestId: 'req-admin-7' };
    const newerSameResource = row({ entityType: 'resources', entityId: RES, changedFields: ['upstream_url'], at: before(1) });
    const c = concludeChanges({ step: 'requested_scopes', cause: 'scope_mismatch' }, bundleWith([newerSameResource, consoleEdit]));
    expect(c.sentence).toBe(
      'A change by Console account `acct_42` at 16:47 UTC, 3 min before this denial, edited the `scopes` of resource://payments, which do not include `payments:write` now (admin-audit request `req-admin-7`).',
    );
    // The named change leads the list, though a newer change of the same resource exists.
    expect(c.changes.map((x) => [x.relevance, x.requestId])).toEqual([
      ['cause', 'req-admin-7'],
      ['cause', `req-admin-${RES}`],
    ]);
    expect(c.change).toEqual(c.changes[0]);
    expect(c.change).toEqual({
      at: before(3),
      actor: 'acct_42',
      action: `PATCH /v1/zones/zone-b/resources/${RES}`,
      entityType: 'resources',
      entityId: RES,
      requestId: 'req-admin-7',
      relevance: 'cause',
      summary: 'Console account `acct_42` edited the `operations` and `scopes` of resource://payments at 16:47 UTC, 3 min before the denial.',
    });
  });

  it('lists at most 20, and none when the admin audit could not be read or the item is not ours to read', () => {
    const many = Array.from({ length: 30 }, (_, i) => row({ entityType: 'resources', entityId: OTHER_RES, at: before(i + 1), requestId: `r${i}` }));
    expect(concludeChanges(null, bundleWith(many)).changes).toHaveLength(MAX_CHANGES);
    expect(concludeChanges(null, bundleWith(many, 'unavailable'))).toEqual({ changes: [], change: null, sentence: null });
    expect(concludeChanges(null, bundleWith([{ at: 42 }]))).toEqual({ changes: [], change: null, sentence: null });
    expect(concludeChanges(null, null)).toEqual({ changes: [], change: null, sentence: null });
  });
});
