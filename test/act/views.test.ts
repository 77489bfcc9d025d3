/**
 * What the act messages say (src/act/fix/view.ts, src/act/approval-view.ts) in the cases the
 * end-to-end tests do not reach: every activation error Caracal gives in words, the result's
 * headline following the evidence after the fix (never "fixed" before STS loaded the version,
 * "now allows" only from Caracal's simulation against the active version, "Fixed" only with the
 * re-triage passing too), and an approval card with nobody to decide it.
 */
import { approvalMessage } from '../../src/act/approval-view';
import type { ApprovalRecord } from '../../src/act/approvals';
import type { FixCheck, Proposal } from '../../src/act/fix/proposals';
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
  deployment: null,
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
  check: { outcome: 'allow', stage: null, policySetId: 'set-1', versionId: 'v3', version: 3, detail: null, policies: ['caracal-anton-mint'], at: '2026-12-01T10:01:04.000Z' },
  retriage: { state: 'clear', text: 'No failing step.', cause: null, step: null, summary: null, at: '2026-12-01T10:01:05.000Z' },
  resultRef: null,
  resultIntentAt: null,
  drawn: null,
  ...over,
});

const check = (over: Partial<FixCheck>): FixCheck => ({ outcome: 'allow', stage: null, policySetId: 'set-1', versionId: 'v3', version: 3, detail: null, policies: [], at: 'x', ...over });
const failing = { state: 'failing' as const, text: 'x', cause: 'role_scope_mismatch', step: 'grant_policy', summary: 'denied.', at: 'x' };
const said = (p: Proposal) => {
  const m = fixResultMessage(p, { confirmTimeoutMs: 120_000 });
  return { title: m.title, tone: m.tone, text: m.lines.join('\n') };
};

test("the result says the fix now allows the call only from Caracal's simulation against the active version, with the retry as the final proof", () => {
  const allows = said(proposal({ retriage: failing }));
  expect(allows.title).toBe("Applied and loaded: Caracal's simulation now allows the denied call");
  expect(allows.tone).toBe('good');
  expect(allows.text).toContain("Caracal's simulation of the denied call against the active version v3 (`v3`) now allows it (`caracal-anton-mint`); the request itself was denied before the fix, so a retry of the call is the final proof.");
  expect(allows.text).toContain('The re-triage of `req-1` still finds `role_scope_mismatch` at step `grant_policy`: denied.');
  expect(allows.title).not.toMatch(/fixed/i);
});

test('"Fixed" needs STS to have loaded the version, the simulation to allow the call and the re-triage to pass; the old trail alone is never enough', () => {
  expect(said(proposal({})).title).toBe("Fixed: STS loaded the version, Caracal's simulation allows the call and the re-triage passes");
  // A passing re-triage without the simulation's allow is not "fixed".
  for (const c of [check({ outcome: 'deny', detail: 'role_scope_mismatch' }), check({ outcome: 'not_executed', detail: 'not_executed' }), check({ outcome: 'unreadable', stage: 'simulate', detail: 'timeout' }), null]) {
    expect(said(proposal({ check: c })).title).not.toMatch(/^Fixed|now allows/);
  }
  // Not loaded: "applied", whatever the re-triage or a stored check says, and the check is not claimed.
  for (const retriage of [undefined, failing]) {
    const notLoaded = said(proposal({ confirm: { loaded: false, propagation: 'waiting_for_sts', sts: 'unreachable', detail: null, at: 'x' }, check: check({ outcome: 'not_loaded', versionId: null, version: null, policySetId: null }), ...(retriage ? { retriage } : {}) }));
    expect(notLoaded.title).toBe('Applied: Caracal has not confirmed STS loaded it');
    expect(notLoaded.tone).toBe('warning');
    expect(notLoaded.text).toContain('Applied; Caracal has not confirmed STS loaded it: activation-status was still `waiting_for_sts`, STS `unreachable` after 2 min.');
    expect(notLoaded.text).toContain("The bot did not re-run Caracal's simulation of the denied call: it checks the active version only once Caracal reports STS loaded it.");
    // (The card's button is named “Fixed, re-check”; that is not a claim.)
    expect(notLoaded.text.replace('“Fixed, re-check”', '')).not.toMatch(/now allows|fixed/i);
  }
});

test('a simulation that still denies, or that could not run, is said with its reason', () => {
  const denies = said(proposal({ check: check({ outcome: 'deny', detail: 'role_scope_mismatch' }), retriage: failing }));
  expect(denies.title).toBe("Applied and loaded, but Caracal's simulation still denies the call");
  expect(denies.tone).toBe('bad');
  expect(denies.text).toContain("Caracal's simulation of the denied call against the active version v3 (`v3`) still denies it (`role_scope_mismatch`): the fix has not ended the denial.");
  const notRun = said(proposal({ check: check({ outcome: 'not_executed', detail: 'not_executed' }), retriage: failing }));
  expect(notRun.title).toBe('Applied and loaded: not confirmed fixed');
  expect(notRun.tone).toBe('warning');
  expect(notRun.text).toContain("Caracal's simulation of the denied call against the active version v3 (`v3`) could not be run: STS did not evaluate it (`not_executed`), so nothing shows yet whether the version allows the call; a retry of the call will.");
  expect(said(proposal({ check: check({ outcome: 'unreadable', stage: 'trace', detail: 'request_not_found', versionId: null, version: null }) })).text).toContain(
    "Caracal's simulation of the denied call could not be run: the request's trace could not be read (`request_not_found`); a retry of the call shows whether the version allows it.",
  );
  expect(said(proposal({ check: check({ outcome: 'no_active_version', versionId: null, version: null }) })).text).toContain("Caracal's simulation of the denied call could not be run: the zone has no active policy-set version now.");
});

test('when another version became active after the fix, the result says so and claims nothing for the version applied', () => {
  const changed = said(proposal({ check: check({ versionId: 'v9', version: null }) }));
  expect(changed.title).toBe('Applied and loaded, but another version is active now');
  expect(changed.text).toContain("The zone's active version is `v9` now, not the one applied: another version was activated after it.");
});

test('an approval card with nobody allowed to decide it says so instead of showing buttons', () => {
  const rec: ApprovalRecord = {
    key: 'apr-00000000000000000000000000000001',
    deployment: null,
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
