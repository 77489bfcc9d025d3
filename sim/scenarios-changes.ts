/**
 * Scenarios where an admin change came before the denial (issue 19), with admin-audit rows as
 * Caracal writes them (sim/admin-audit.ts) next to rows that are not changes (failed requests)
 * and changes that are not the cause:
 * - a Console change removed `payments:write` from the resource's scopes, then a refused edit
 *   (400) of the same resource and an edit of another resource just before the denial;
 * - the policy set was activated at a version whose rules deny the call, and STS decided with it;
 * - the resource's credential provider was edited, then a grant of the same resource revoked
 *   (never the cause: STS does not decide from grants);
 * - a typo in the requested scope, with an edit of another resource's scopes a minute before
 *   (by an admin token whose name is hostile text) and an edit of the same resource's upstream:
 *   neither is blamed.
 */
import { adminRow } from './admin-audit';
import type { Scenario } from './types';
import {
  MANIFEST_SHA,
  OLD_MANIFEST_SHA,
  OLD_POLICY_VERSION_ID,
  POLICY_SET_ID,
  POLICY_VERSION_ID,
  PROVIDER_ID,
  RESOURCE_ID,
  ZONE_B,
  at,
  exchangeDeniedRow,
  grant,
  healthyServices,
  policyVersion,
  provider,
  resource,
  stsRow,
  zoneA,
  zoneB,
} from './world';

const INVOICES_ID = '01a21de6-cb89-71b9-8a9e-b23cef40ae8b';
/** The Console account Caracal records as `payload_json.operator` (an id: the Console resolves names). */
export const CONSOLE_ACCOUNT = 'acct_7Hq2LmN9vXc4';
const ALICE = { id: '01a21de5-a11c-7000-8000-0000000a11ce', name: 'alice' };
const RELEASE_BOT = { id: '01a21de5-b07b-7000-8000-00000000b07b', name: 'release-bot' };
const TRIAGE_BOT = { id: '01a21de5-7b07-7000-8000-000000007b07', name: 'triage-bot' };
/** An admin token's name is whatever its creator typed: mentions, a bidi override. */
export const HOSTILE_ACTOR = '<!channel> @here \u202Eecived-wen';

/** The bot's own read that failed (a 404 in another triage): recorded, not a change. */
const failedRead = (id: string, t: number) =>
  adminRow({ id, zoneId: ZONE_B, at: at(t), method: 'GET', rest: '/audit/by-request/req-elsewhere/explain', actor: TRIAGE_BOT, status: 404 });

const scopeRemoved: Scenario = {
  name: 'scope_removed',
  description: 'A Console change removed payments:write from resource://payments 3 min before STS denied it with scope_mismatch; a refused edit and an edit of another resource came after.',
  input: { requestId: 'req-chg-scope-1', symptom: 'token_exchange_denied' },
  expect: { surface: 'resource_definition', step: 'requested_scopes', cause: 'scope_mismatch', exit: 1, change: { entityType: 'resources', entityId: RESOURCE_ID, actor: CONSOLE_ACCOUNT } },
  causeVisibleViaApi: true,
  zones: [
    zoneA(),
    zoneB({
      resources: [
        resource({ id: RESOURCE_ID, zone_id: ZONE_B, scopes: ['payments:read'], operations: [{ method: 'GET', path: '/v1/payments', scope: 'payments:read' }], updated_at: at(420) }),
        ...zoneB().resources.slice(1),
      ],
      audit: [
        ...zoneB().audit,
        stsRow({ id: 'evt-chg-scope-1', zoneId: ZONE_B, requestId: 'req-chg-scope-1', t: 600, decision: 'deny', evaluationStatus: 'scope_mismatch', requestedScopes: ['payments:write'], shape: 'real', prePolicy: true }),
        exchangeDeniedRow({ id: 'evt-chg-scope-2', zoneId: ZONE_B, requestId: 'req-chg-scope-1', t: 600 }),
      ],
      adminAudit: [
        failedRead('adm-scope-0', -3000),
        adminRow({ id: 'adm-scope-1', zoneId: ZONE_B, at: at(420), method: 'PATCH', rest: `/resources/${RESOURCE_ID}`, operator: CONSOLE_ACCOUNT, change: { kind: 'update', fields: ['scopes', 'operations'] }, chainSeq: 41 }),
        adminRow({ id: 'adm-scope-2', zoneId: ZONE_B, at: at(480), method: 'PATCH', rest: `/resources/${RESOURCE_ID}`, actor: ALICE, status: 400, chainSeq: 42 }),
        adminRow({ id: 'adm-scope-3', zoneId: ZONE_B, at: at(540), method: 'PATCH', rest: `/resources/${INVOICES_ID}`, actor: ALICE, change: { kind: 'update', fields: ['scopes'] }, chainSeq: 43 }),
      ],
    }),
  ],
  services: healthyServices(),
};

/** v2 was added and activated ten minutes before the request; STS loaded it and decided with it. */
const activationDenies: Scenario = {
  name: 'activation_denies',
  description: 'release-bot activated policy set main at v2 ten minutes before the request; STS loaded v2 and its rules denied payments:write (role_scope_mismatch).',
  input: { requestId: 'req-chg-act-1', error: '{"error":"access_denied","error_description":"policy denied (role_scope_mismatch)","requestId":"req-chg-act-1"}' },
  expect: { surface: 'sts_policy', step: 'grant_policy', cause: 'role_scope_mismatch', exit: 1, change: { entityType: 'policy-sets', entityId: POLICY_SET_ID, actor: 'release-bot' } },
  causeVisibleViaApi: true,
  zones: [
    zoneA(),
    zoneB({
      policyVersions: { [POLICY_SET_ID]: [policyVersion(OLD_POLICY_VERSION_ID, 1, OLD_MANIFEST_SHA, at(-86400 * 7)), policyVersion(POLICY_VERSION_ID, 2, MANIFEST_SHA, at(540))] },
      activation: {
        [POLICY_SET_ID]: {
          status: 200,
          body: {
            zone_id: ZONE_B,
            policy_set_id: POLICY_SET_ID,
            version_id: POLICY_VERSION_ID,
            active: true,
            active_version_id: POLICY_VERSION_ID,
            manifest_sha256: MANIFEST_SHA,
            propagation_status: 'loaded',
            outbox: { id: '01a21de6-b42c-7341-8928-6cb110a499e1', state: 'dispatched', attempts: 1, last_error: null, dispatched_at: at(601) },
            sts: { state: 'loaded', loaded: true, policy_set_version_id: POLICY_VERSION_ID, manifest_sha256: MANIFEST_SHA, loaded_at: at(610), age_seconds: 30 },
          },
        },
      },
      audit: [
        ...zoneB().audit,
        stsRow({
          id: 'evt-chg-act-1',
          zoneId: ZONE_B,
          requestId: 'req-chg-act-1',
          t: 1200,
          decision: 'deny',
          evaluationStatus: 'complete',
          determining: [],
          diagnostics: [{ reason: 'role_scope_mismatch' }],
          requestedScopes: ['payments:write'],
          shape: 'real',
        }),
        exchangeDeniedRow({ id: 'evt-chg-act-2', zoneId: ZONE_B, requestId: 'req-chg-act-1', t: 1200 }),
      ],
      adminAudit: [
        adminRow({ id: 'adm-act-1', zoneId: ZONE_B, at: at(540), method: 'POST', rest: `/policy-sets/${POLICY_SET_ID}/versions`, actor: RELEASE_BOT, status: 201, change: { kind: 'action', fields: ['manifest'] }, chainSeq: 51 }),
        adminRow({ id: 'adm-act-2', zoneId: ZONE_B, at: at(600), method: 'POST', rest: `/policy-sets/${POLICY_SET_ID}/activate`, actor: RELEASE_BOT, status: 202, change: { kind: 'action', fields: ['version_id'] }, chainSeq: 52 }),
        adminRow({ id: 'adm-act-3', zoneId: ZONE_B, at: at(1100), method: 'POST', rest: '/applications', actor: ALICE, created: { type: 'applications', id: '01a21de6-cbb2-7649-a7ea-c2bb6a9729ff' }, change: { kind: 'create', fields: ['name', 'registration_method'] }, chainSeq: 53 }),
      ],
    }),
  ],
  services: healthyServices(),
};

const REVOKED_GRANT = '01a21de6-cc87-75e6-b543-499009b05809';

const providerEdited: Scenario = {
  name: 'provider_edited',
  description: "alice edited the token URL of resource://payments' credential provider 2 min before STS failed to refresh its credential; bob revoked a grant on the resource 30 s before (not the cause).",
  input: { requestId: 'req-chg-prov-1', symptom: 'token_exchange_denied' },
  expect: { surface: 'sts_policy', step: 'grant_policy', cause: 'credential_refresh_failed', exit: 1, change: { entityType: 'providers', entityId: PROVIDER_ID, actor: 'alice' } },
  causeVisibleViaApi: true,
  zones: [
    zoneA(),
    zoneB({
      providers: [provider(ZONE_B, { config_json: { token_url: 'https://auth2.payments.example.com/oauth/token', allowed_token_hosts: ['auth.payments.example.com'] }, connectivity_failed_at: at(890), updated_at: at(780) })],
      grants: [grant(ZONE_B, { id: '01a21de6-cc87-75e6-b543-499009b05805' }), grant(ZONE_B, { id: REVOKED_GRANT, status: 'revoked', scopes: ['payments:read'] })],
      audit: [
        ...zoneB().audit,
        stsRow({ id: 'evt-chg-prov-1', zoneId: ZONE_B, requestId: 'req-chg-prov-1', t: 900, decision: 'deny', evaluationStatus: 'credential_refresh_failed', shape: 'real', prePolicy: true }),
        exchangeDeniedRow({ id: 'evt-chg-prov-2', zoneId: ZONE_B, requestId: 'req-chg-prov-1', t: 900 }),
      ],
      adminAudit: [
        adminRow({ id: 'adm-prov-1', zoneId: ZONE_B, at: at(300), method: 'POST', rest: `/providers/${PROVIDER_ID}/test`, actor: ALICE, change: { kind: 'action' }, chainSeq: 61 }),
        adminRow({ id: 'adm-prov-2', zoneId: ZONE_B, at: at(780), method: 'PATCH', rest: `/providers/${PROVIDER_ID}`, actor: ALICE, change: { kind: 'update', fields: ['config_json.token_url'] }, chainSeq: 62 }),
        adminRow({ id: 'adm-prov-3', zoneId: ZONE_B, at: at(870), method: 'DELETE', rest: `/grants/${REVOKED_GRANT}`, actor: { id: '01a21de5-b0b0-7000-8000-00000000b0b0', name: 'bob' }, change: { kind: 'delete' }, chainSeq: 63 }),
        failedRead('adm-prov-4', 880),
      ],
    }),
  ],
  services: healthyServices(),
};

/** A typo, as in `scope_mismatch`, with changes just before that did not cause it. */
const unrelatedChange: Scenario = {
  name: 'unrelated_change',
  description: 'The SDK asked for payments:wirte (a typo); a minute before, another resource\'s scopes were edited, and earlier the upstream URL of this one: neither is blamed.',
  input: { requestId: 'req-chg-none-1', symptom: 'token_exchange_denied' },
  expect: { surface: 'resource_definition', step: 'requested_scopes', cause: 'scope_mismatch', exit: 1 },
  causeVisibleViaApi: true,
  pageSize: 2,
  zones: [
    zoneA(),
    zoneB({
      audit: [
        ...zoneB().audit,
        stsRow({ id: 'evt-chg-none-1', zoneId: ZONE_B, requestId: 'req-chg-none-1', t: 700, decision: 'deny', evaluationStatus: 'scope_mismatch', requestedScopes: ['payments:wirte'], shape: 'real', prePolicy: true }),
        exchangeDeniedRow({ id: 'evt-chg-none-2', zoneId: ZONE_B, requestId: 'req-chg-none-1', t: 700 }),
      ],
      adminAudit: [
        adminRow({ id: 'adm-none-1', zoneId: ZONE_B, at: at(400), method: 'PATCH', rest: `/resources/${RESOURCE_ID}`, actor: ALICE, change: { kind: 'update', fields: ['upstream_url'] }, chainSeq: 71 }),
        adminRow({ id: 'adm-none-2', zoneId: ZONE_B, at: at(640), method: 'PATCH', rest: `/resources/${INVOICES_ID}`, actor: { id: '01a21de5-dead-7000-8000-00000000dead', name: HOSTILE_ACTOR }, change: { kind: 'update', fields: ['scopes'] }, chainSeq: 72 }),
        adminRow({ id: 'adm-none-3', zoneId: ZONE_B, at: at(660), method: 'POST', rest: '/notification-sinks', operator: CONSOLE_ACCOUNT, change: { kind: 'create', fields: ['events', 'name', 'url'] }, chainSeq: 73 }),
        failedRead('adm-none-4', 690),
        // After the denial: outside the window, never a candidate.
        adminRow({ id: 'adm-none-5', zoneId: ZONE_B, at: at(760), method: 'PATCH', rest: `/resources/${RESOURCE_ID}`, operator: CONSOLE_ACCOUNT, change: { kind: 'update', fields: ['scopes'] }, chainSeq: 74 }),
      ],
    }),
  ],
  services: healthyServices(),
};

export const CHANGE_SCENARIOS: readonly Scenario[] = [scopeRemoved, activationDenies, providerEdited, unrelatedChange];
