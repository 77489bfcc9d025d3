/**
 * The schemas accept what Caracal really sends: the captured fixtures (simplified rows with
 * nulls and `{code,message}` diagnostics), the real Go STS shape (empty strings, `{reason}`
 * diagnostics, null policy arrays), and variants a newer or older API may send (nulls, missing
 * optional fields, extra fields, numbers as strings). Only what a judge relies on is required.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ActivationStatus,
  Application,
  AuditRow,
  AuthorityRecord,
  CoordinatorStats,
  DecisionTrace,
  Diagnostic,
  ErrorEnvelope,
  Grant,
  Page,
  PolicySet,
  Provider,
  ReadyBody,
  Resource,
  SessionRow,
  Zone,
  ZoneOverview,
  diagnosticCode,
} from '../../src/caracal/schemas';
import { traceFromExplain } from '../../src/triage/trace';

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

const STS_ROW = {
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
};

describe('audit rows and explain', () => {
  test('real STS rows: empty strings and {reason} diagnostics are kept as sent', () => {
    const row = AuditRow.parse(STS_ROW);
    expect(row.diagnostics_json!.map((d) => diagnosticCode(Diagnostic.parse(d)))).toEqual(['no_active_policy_set']);
    expect(row.policy_set_id).toBe('');
  });

  test('pre-policy rows: null arrays, no metadata, missing optional columns, extra columns', () => {
    const row = AuditRow.parse({
      id: 'e2',
      event_type: 'token_exchange',
      decision: 'deny',
      evaluation_status: 'scope_mismatch',
      determining_policies_json: null,
      diagnostics_json: null,
      metadata_json: null,
      occurred_at: '2026-11-27T16:43:28.746Z',
      content_sha256: 'abc',
      chain_seq: '42',
    });
    expect(row).toMatchObject({ evaluation_status: 'scope_mismatch', diagnostics_json: null, metadata_json: null, chain_seq: '42' });
  });

  test('odd column types read as absent instead of failing the row', () => {
    const row = AuditRow.parse({ ...STS_ROW, request_id: 12345, policy_set_version_id: { v: 1 }, determining_policies_json: { policy: 'p' }, metadata_json: 'oops' });
    expect(row).toMatchObject({ request_id: '12345', policy_set_version_id: null, determining_policies_json: null, metadata_json: null });
  });

  test('diagnostics and determining policies in every shape still reach the trace reader', () => {
    const trace = traceFromExplain(
      DecisionTrace.parse({
        request_id: 'r',
        zone_id: 'z',
        final_decision: 'deny',
        denied: [
          {
            event_id: 'e1',
            event_type: 'token_exchange',
            evaluation_status: 'complete',
            determining_policies: [{ policy: 'payments-mint' }, 'plain-name', { id: 'pol-1' }],
            diagnostics: [{ reason: 'role_scope_mismatch' }, { code: 'scope_not_granted', message: 'x' }, 'bare_code', { detail: 'no code' }],
            metadata: { resource: 'resource://payments' },
            policy_input: { principal: { id: 'app-1' } },
          },
        ],
        events: [],
      }),
    );
    expect(trace.denied[0]!.diagnostics.map((d) => d.code)).toEqual(['role_scope_mismatch', 'scope_not_granted', 'bare_code']);
    expect(trace.denied[0]!.determiningPolicies).toEqual(['payments-mint', 'plain-name', 'pol-1']);
    expect(trace.denied[0]!.applicationId).toBe('app-1');
  });

  test('explain: null lists, null metadata, partial or missing policy_input, no final_decision', () => {
    const parsed = DecisionTrace.parse({
      request_id: 'r',
      zone_id: 'z',
      denied: [
        { event_id: 'e1', event_type: 'token_exchange', evaluation_status: 'scope_mismatch', determining_policies: null, diagnostics: null, metadata: null, policy_input: { resource: { identifier: '', scopes: [] } } },
        { event_id: 'e2', event_type: 'token_exchange', evaluation_status: 'exchange_denied' },
      ],
      events: null,
    });
    expect(parsed.denied[0]).toMatchObject({ diagnostics: [], determining_policies: [], metadata: {} });
    expect(parsed.denied[1]).toMatchObject({ diagnostics: [], metadata: {} });
    // The final decision is rebuilt from the denials, as explain itself would.
    expect(traceFromExplain(parsed).finalDecision).toBe('deny');
  });
});

describe('inventory items', () => {
  test('zones with every field the API sends, and with only an id', () => {
    const full = {
      id: 'z1',
      name: 'Prod',
      slug: 'prod',
      dcr_enabled: false,
      operator_coauthor_badge: false,
      operator_governed: true,
      created_by: 'admin:1',
      created_via_operator: false,
      updated_by: null,
      updated_via_operator: false,
      created_at: '2026-11-27T16:43:28.746Z',
      updated_at: '2026-11-27T16:43:28.746Z',
      retention_days: 30,
    };
    expect(Page(Zone).parse({ items: [full, { id: 'z2' }], next_cursor: null }).items.map((z) => z.id)).toEqual(['z1', 'z2']);
  });

  test('resources: operations [], archived, scopes as an OAuth string, no zone_id', () => {
    const archived = Resource.parse({ id: 'r1', identifier: 'resource://a', scopes: ['a:read'], operations: [], archived_at: '2026-11-20T00:00:00Z', zone_id: 'z' });
    expect(archived).toMatchObject({ operations: [], archived_at: '2026-11-20T00:00:00Z' });
    const bare = Resource.parse({ id: 'r2', identifier: 'resource://b', scopes: 'b:read b:write', operations: null, operation_enforcement: null });
    expect(bare).toMatchObject({ scopes: ['b:read', 'b:write'], operations: [] });
    const oddOps = Resource.parse({ id: 'r3', identifier: 'resource://c', scopes: [], operations: [{ method: 'GET', path: '/x', scope: 'c:read' }, 'junk'] });
    expect(oddOps.operations).toEqual([{ method: 'GET', path: '/x', scope: 'c:read' }]);
  });

  test('applications: traits or not, expires_at null or set', () => {
    expect(Application.parse({ id: 'a1', name: 'Anton', registration_method: 'managed', traits: ['control:invoke'], expires_at: null })).toMatchObject({ expires_at: null });
    expect(Application.parse({ id: 'a2', registration_method: 'dcr', expires_at: '2026-11-26T00:00:00Z', client_secret_hash: null })).toMatchObject({ expires_at: '2026-11-26T00:00:00Z' });
  });

  test('grants: null user_id and provider_id, extra fields, no zone_id', () => {
    const g = Grant.parse({ id: 'g', application_id: 'a', user_id: null, resource_id: 'r', provider_id: null, scopes: ['a:read'], status: 'active', provider_kind: 'none', created_via_operator: false });
    expect(g).toMatchObject({ user_id: null, provider_id: null, scopes: ['a:read'], provider_kind: 'none' });
  });

  test('providers, policy sets, sessions and authority records with nulls and extras', () => {
    expect(Provider.parse({ id: 'p', kind: 'none', config_json: null, secret_config_keys: null, connectivity_failed_at: null })).toMatchObject({ config_json: null });
    expect(PolicySet.parse({ id: 's', name: 'main', description: null, active_version_id: null, versions_count: 3 })).toMatchObject({ active_version_id: null });
    expect(SessionRow.parse({ session_id: 's', status: 'terminated', labels: null, depth: '0', ttl_seconds: null })).toMatchObject({ status: 'terminated' });
    expect(AuthorityRecord.parse({ authority_record_id: 'ar', status: 'revoked', expires_at: null, revoked_reason: null })).toMatchObject({ status: 'revoked' });
  });
});

describe('activation-status and service bodies', () => {
  test('activation-status with full sts details, with only {state, detail}, and with none', () => {
    const loaded = ActivationStatus.parse({
      zone_id: 'z',
      policy_set_id: 's',
      propagation_status: 'loaded',
      outbox: { id: 'o', state: 'dispatched', attempts: '1', last_error: null, dispatched_at: '2026-11-27T00:00:00Z' },
      sts: { state: 'loaded', loaded: true, policy_set_version_id: 'v', manifest_sha256: 'm', loaded_at: 't', age_seconds: 12 },
    });
    expect(loaded).toMatchObject({ outbox: { attempts: 1 }, sts: { state: 'loaded', age_seconds: 12 } });
    expect(ActivationStatus.parse({ propagation_status: 'waiting_for_sts', sts: { state: 'not_configured', detail: 'GATEWAY_STS_HMAC_KEY is not configured' } }).sts).toMatchObject({
      state: 'not_configured',
    });
    expect(ActivationStatus.parse({ propagation_status: 'waiting_for_outbox', outbox: null })).toMatchObject({ sts: null, outbox: null });
    // A body without a propagation status reads as "cannot tell", never as a failure.
    expect(ActivationStatus.parse({ policy_set_id: 's' }).propagation_status).toBe('unknown');
  });

  test('overview with missing counters and odd recent events', () => {
    const o = ZoneOverview.parse({ zone_id: 'z', applications: { total: '3' }, decisions_24h: null, recent_events: [{ id: 'e', event_type: 'token_exchange', metadata_json: null }, 7] });
    // The application counts are read (expired applications explain a 401 with no trace): numbers-as-strings read as numbers.
    expect(o).toMatchObject({ applications: { total: 3 }, decisions_24h: null });
    expect(o.recent_events).toHaveLength(1);
  });

  test('ready bodies, error envelopes and coordinator stats in their variants', () => {
    expect(ReadyBody.parse({ ok: false, draining: true })).toMatchObject({ ok: false, draining: true });
    expect(ReadyBody.parse({ ready: 'false', reason: null })).toMatchObject({ ready: false, reason: null });
    expect(ErrorEnvelope.parse({ error: 'request_not_found' }).error).toBe('request_not_found');
    expect(ErrorEnvelope.parse({ ok: false, error: { code: 'unauthorized', reason: 'x' } }).error).toBe('unauthorized');
    expect(CoordinatorStats.parse({ outbox: { dead: 1, oldest: null }, log: 'n/a' }).outbox).toEqual({ dead: 1, oldest: null });
  });
});

describe('what the triage relies on is still required', () => {
  test('bodies missing an identifier, status or list are rejected', () => {
    expect(DecisionTrace.safeParse({ zone_id: 'z', denied: [] }).success).toBe(false); // no request_id
    expect(Resource.safeParse({ id: 'r', scopes: ['payments:read'] }).success).toBe(false); // no identifier
    expect(Grant.safeParse({ id: 'g', scopes: [] }).success).toBe(false); // no status
    expect(Page(Zone).safeParse({ items: null }).success).toBe(false);
    expect(Page(Zone).safeParse({ items: [{ name: 'no id' }] }).success).toBe(false);
  });

  test('unknown keys pass through for evidence', () => {
    expect(Grant.parse({ id: 'g', scopes: [], status: 'active', provider_kind: 'none' })).toMatchObject({ provider_kind: 'none' });
  });
});
