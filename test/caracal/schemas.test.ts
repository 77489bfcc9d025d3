/**
 * The schemas accept what Caracal really sends: the captured fixtures (simplified rows with
 * nulls and `{code,message}` diagnostics) and the real Go STS shape (empty strings, `{reason}`
 * diagnostics, null policy arrays), and reject bodies that would mislead the triage.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ActivationStatus,
  AuditRow,
  CoordinatorStats,
  DecisionTrace,
  Grant,
  Page,
  PolicySet,
  Resource,
  ZoneOverview,
  diagnosticCode,
} from '../../src/caracal/schemas';

const fixture = (name: string): unknown => JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', name), 'utf8'));

test('every captured fixture parses with its schema', () => {
  expect(DecisionTrace.parse(fixture('api-audit-explain.deny.json')).denied).toHaveLength(2);
  expect(AuditRow.array().parse(fixture('api-audit-by-request.json'))).toHaveLength(2);
  expect(Page(AuditRow).parse(fixture('api-audit-list.page.json')).next_cursor).toMatch(/^eyJ/);
  expect(Page(Grant).parse(fixture('api-grants.list.json')).items[0]!.scopes).toEqual(['payments:read']);
  expect(Page(PolicySet).parse(fixture('api-policy-sets.list.json')).items[0]!.active_version_id).toBeTruthy();
  expect(Page(Resource).parse(fixture('api-resources.list.json')).items[0]!.operations).toEqual([]);
  expect(ActivationStatus.parse(fixture('api-policy-set-activation-status.waiting_for_sts.json'))).toMatchObject({
    propagation_status: 'waiting_for_sts',
    sts: { state: 'not_configured' },
  });
  expect(ZoneOverview.parse(fixture('api-zone-overview.json')).decisions_24h).toEqual({ allowed: 1, denied: 2 });
  expect(CoordinatorStats.parse(fixture('coordinator-stats.json')).outbox).toEqual({});
});

test('real STS rows: null policy arrays read as empty, empty strings and {reason} diagnostics are kept', () => {
  const row = AuditRow.parse({
    id: 'e1',
    zone_id: 'z',
    event_type: 'token_exchange',
    request_id: 'r',
    decision: 'deny',
    policy_set_id: '',
    policy_set_version_id: '',
    manifest_sha: 'no_active_policy_set',
    evaluation_status: 'complete',
    determining_policies_json: [],
    diagnostics_json: [{ reason: 'no_active_policy_set' }],
    metadata_json: { resource: 'resource://payments' },
    occurred_at: '2026-11-27T16:43:28.746Z',
    ingested_at: '2026-11-27T16:43:30.746Z',
  });
  expect(row.diagnostics_json!.map(diagnosticCode)).toEqual(['no_active_policy_set']);
  expect(row.policy_set_id).toBe('');

  const trace = DecisionTrace.parse({
    request_id: 'r',
    zone_id: 'z',
    final_decision: 'deny',
    denied: [{ event_id: 'e1', event_type: 'token_exchange', evaluation_status: 'scope_mismatch', determining_policies: null, diagnostics: null, metadata: null, policy_input: { resource: { identifier: '', scopes: [] } } }],
    events: [],
  });
  expect(trace.denied[0]).toMatchObject({ diagnostics: [], determining_policies: [], metadata: {} });
});

test('diagnosticCode reads both shapes', () => {
  expect(diagnosticCode({ code: 'scope_not_granted', message: 'x' })).toBe('scope_not_granted');
  expect(diagnosticCode({ reason: 'role_scope_mismatch' })).toBe('role_scope_mismatch');
  expect(diagnosticCode({})).toBeUndefined();
});

test('bodies missing what the triage relies on are rejected', () => {
  expect(DecisionTrace.safeParse({ request_id: 'r', zone_id: 'z', denied: [] }).success).toBe(false); // no final_decision
  expect(Resource.safeParse({ id: 'r', zone_id: 'z', scopes: 'payments:read', identifier: 'x' }).success).toBe(false);
  expect(Grant.safeParse({ id: 'g', zone_id: 'z', scopes: [] }).success).toBe(false); // no status
});

test('unknown keys pass through for evidence', () => {
  const g = Grant.parse({ id: 'g', zone_id: 'z', scopes: [], status: 'active', provider_kind: 'none' });
  expect(g).toMatchObject({ provider_kind: 'none' });
});
