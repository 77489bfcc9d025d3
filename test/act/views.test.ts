/**
 * What the act messages say (src/act/fix/view.ts, src/act/approval-view.ts) in the cases the
 * end-to-end tests do not reach: every activation error Caracal gives in words, "Fixed" only
 * when STS loaded the version and the re-triage passes, and an approval card with nobody to
 * decide it.
 */
import { approvalMessage } from '../../src/act/approval-view';
import type { ApprovalRecord } from '../../src/act/approvals';
import type { Proposal } from '../../src/act/fix/proposals';
import { activationRefusal, fixResultMessage } from '../../src/act/fix/view';

test("each of Caracal's activation errors is said in words, with its status and code", () => {
  const say = (status: number, code: string) => activationRefusal({ status, code });
  expect(say(404, 'version_not_found')).toBe('Caracal does not know that version in the policy set (404 `version_not_found`).');
  expect(say(404, 'policy_set_binding_not_found')).toBe('Caracal found no policy set bound to this zone by that ID (404 `policy_set_binding_not_found`).');
  expect(say(422, 'invalid_policy_contract')).toBe("The version does not satisfy Caracal's policy contract (422 `invalid_policy_contract`); fix the version, then propose again.");
  expect(say(422, 'invalid_policy_bundle')).toBe("STS cannot compile that version's bundle (422 `invalid_policy_bundle`); fix the version, then propose again.");
  expect(say(409, 'referenced_policy_version_missing')).toBe('The version references a policy version that no longer exists (409 `referenced_policy_version_missing`).');
  expect(say(403, 'admin_token_read_only')).toContain('CARACAL_FIX_TOKEN may not change anything (403 `admin_token_read_only`)');
});

const proposal = (over: Partial<Proposal>): Proposal => ({
  id: 'fix-000000000000000000000001',
  triageId: 'tri-1',
  zoneId: 'zone-1',
  requestId: 'req-1',
  card: null,
  proposer: { id: 'U1', name: 'ana', platform: 'slack' },
  createdAt: '2026-12-01T10:00:00.000Z',
  expiresAt: Date.parse('2026-12-01T10:15:00.000Z'),
  plan: {
    remedy: { kind: 'activate_policy_set_version', zoneId: 'zone-1', policySetId: 'set-1', policySetName: 'main', fromVersionId: 'v2', fromVersion: 2, toVersionId: 'v3', toVersion: 3, allows: { requestId: 'req-1', applicationId: 'a', application: 'Anton', resource: 'resource://payments', scopes: ['payments:write'], determiningPolicies: [] } },
    reason: 'v3 allows it.',
    at: '2026-12-01T10:00:01.000Z',
  },
  planError: null,
  ref: null,
  intentAt: null,
  consent: { by: { id: 'U2', name: 'bo', platform: 'slack' }, at: '2026-12-01T10:01:00.000Z' },
  calling: null,
  call: { outcome: 'activated', status: 202, code: null, outboxId: 'ob-1', activeNow: null, at: '2026-12-01T10:01:01.000Z' },
  confirm: { loaded: true, propagation: 'loaded', sts: 'loaded', detail: null, at: '2026-12-01T10:01:03.000Z' },
  retriage: { state: 'clear', text: 'No failing step.', cause: null, step: null, summary: null, at: '2026-12-01T10:01:05.000Z' },
  resultRef: null,
  resultIntentAt: null,
  drawn: null,
  ...over,
});

test('"Fixed" only when STS loaded the version and the re-triage passes; otherwise "applied"', () => {
  expect(fixResultMessage(proposal({}), { confirmTimeoutMs: 120_000 }).title).toBe('Fixed: STS loaded the version and the re-triage passes');
  const notLoaded = fixResultMessage(proposal({ confirm: { loaded: false, propagation: 'waiting_for_sts', sts: 'unreachable', detail: null, at: 'x' } }), { confirmTimeoutMs: 120_000 });
  expect(notLoaded.title).toBe('Applied: not confirmed fixed');
  expect(notLoaded.lines.join('\n')).toContain('Applied; Caracal has not confirmed STS loaded it: activation-status was still `waiting_for_sts`, STS `unreachable` after 2 min.');
  const stillFailing = fixResultMessage(proposal({ retriage: { state: 'failing', text: 'x', cause: 'role_scope_mismatch', step: 'grant_policy', summary: 'denied.', at: 'x' } }), { confirmTimeoutMs: 120_000 });
  expect(stillFailing.title).toBe('Applied: not confirmed fixed');
});

test('an approval card with nobody allowed to decide it says so instead of showing buttons', () => {
  const rec: ApprovalRecord = {
    key: 'apr-00000000000000000000000000000001',
    zoneId: 'zone-1',
    approvalId: 'ch-1',
    issued: { eventId: 'e', occurredAt: new Date().toISOString(), tier: 'high', approverClass: 'operator', privacyMode: 'identified', applicationId: 'app-1', agentSessionId: 's', agentLabels: [], expiresAt: new Date(Date.now() + 600_000).toISOString() },
    dest: { platform: 'slack', channel: 'C1' },
    decided: null,
    consumed: null,
    ref: null,
    intentAt: null,
    hold: null,
    holdError: 'approval_not_found',
    claim: null,
    tries: 0,
    calling: null,
    result: null,
    drawn: null,
  };
  const sign = () => 'v';
  const nobody = approvalMessage(rec, { now: new Date(), approvers: 0, canCall: true, sign });
  expect(nobody.buttons).toEqual([]);
  expect(nobody.lines).toContain("Nobody may decide holds from chat here (TRIAGE_APPROVERS is empty): decide it in Caracal's Console.");
  expect(nobody.lines).toContain('What the agent asks for could not be read: Caracal answered `approval_not_found` when the hold was read.');
  const noToken = approvalMessage(rec, { now: new Date(), approvers: 2, canCall: false, sign });
  expect(noToken.buttons).toEqual([]);
  expect(noToken.lines.join(' ')).toContain('This bot has no CARACAL_APPROVE_TOKEN');
});
