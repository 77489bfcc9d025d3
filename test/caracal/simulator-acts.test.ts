/**
 * The simulator's acts answer as Caracal's Admin API does (FACTS §1, §2.6, §2.9,
 * platform-notes §11.7), through the bot's own act client: approve/reject only with an
 * `approve` token (a write token gets 403 approve_capability_required, a read token 403
 * admin_token_read_only), 404 / 409 / 403 subject_approval_required as Caracal gives them,
 * an approve token refused every other write (admin_token_approve_only); activation whose status
 * moves from waiting_for_sts to loaded, or stays waiting without STS; simulate per version, or
 * not_executed without STS.
 */
import { startSimulator, ZONE_B, type Simulator } from '../../sim';
import { NEW_POLICY_VERSION_ID, POLICY_SET_ID, POLICY_VERSION_ID } from '../../sim/world';
import { createActClient, type CaracalActClient } from '../../src/caracal/act-client';

let sim: Simulator;
const open: CaracalActClient[] = [];
const as = (token: string) => {
  const c = createActClient({ apiUrl: sim.apiUrl, timeoutMs: 3000 }, token);
  open.push(c);
  return c;
};

beforeAll(async () => {
  sim = await startSimulator({ scenario: 'role_scope_mismatch' });
});
afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await sim.close();
});
beforeEach(() => sim.setScenario('role_scope_mismatch'));

test('approvals: only an approve token decides; a decided hold is 409 with its state; unknown ones 404; subject holds 403', async () => {
  const { approval } = sim.acts.addApproval(ZONE_B);
  await expect(as(sim.tokens.globalWrite).decide(ZONE_B, approval.id, 'approve', 'x')).rejects.toMatchObject({ status: 403, code: 'approve_capability_required' });
  await expect(as(sim.tokens.globalRead).decide(ZONE_B, approval.id, 'approve', 'x')).rejects.toMatchObject({ status: 403, code: 'admin_token_read_only' });
  const approver = as(sim.tokens.zoneApprove);
  expect(await approver.getApproval(ZONE_B, approval.id)).toMatchObject({ id: approval.id, state: 'pending', tier: 'high', metadata_json: { purpose: 'refund order 4411' } });
  expect(await approver.decide(ZONE_B, approval.id, 'approve', 'ok by ana')).toMatchObject({ id: approval.id, state: 'approved' });
  await expect(approver.decide(ZONE_B, approval.id, 'reject', 'too late')).rejects.toMatchObject({ status: 409, code: 'approval_not_decidable' });
  await expect(approver.decide(ZONE_B, 'ch-none', 'approve', 'x')).rejects.toMatchObject({ status: 404, code: 'approval_not_found' });
  const subject = sim.acts.addApproval(ZONE_B, { approver_class: 'subject' }).approval;
  await expect(approver.decide(ZONE_B, subject.id, 'approve', 'x')).rejects.toMatchObject({ status: 403, code: 'subject_approval_required' });
  expect(sim.acts.events.map((e) => e.type)).toEqual(['step_up_issued', 'step_up_decided', 'step_up_issued']);
  expect(sim.acts.consume(ZONE_B, approval.id)?.type).toBe('step_up_consumed');
  await expect(approver.activate(ZONE_B, POLICY_SET_ID, NEW_POLICY_VERSION_ID)).rejects.toMatchObject({ status: 403, code: 'admin_token_approve_only' });
});

test('activation makes the version active and its status moves from waiting_for_sts to loaded', async () => {
  const fixer = as(sim.tokens.globalWrite);
  sim.acts.stsLoadAfterMs = 400;
  const res = await fixer.activate(ZONE_B, POLICY_SET_ID, NEW_POLICY_VERSION_ID);
  expect(res).toMatchObject({ activated: true, version_id: NEW_POLICY_VERSION_ID, outbox_id: expect.any(String) });
  expect((await fixer.listPolicySets(ZONE_B)).find((s) => s.id === POLICY_SET_ID)?.active_version_id).toBe(NEW_POLICY_VERSION_ID);
  expect(await fixer.activationStatus(ZONE_B, POLICY_SET_ID)).toMatchObject({ propagation_status: 'waiting_for_sts', sts: { state: 'not_loaded' } });
  await new Promise((r) => setTimeout(r, 450));
  expect(await fixer.activationStatus(ZONE_B, POLICY_SET_ID)).toMatchObject({ propagation_status: 'loaded', active_version_id: NEW_POLICY_VERSION_ID, sts: { state: 'loaded', policy_set_version_id: NEW_POLICY_VERSION_ID } });
  await expect(fixer.activate(ZONE_B, POLICY_SET_ID, 'v-none')).rejects.toMatchObject({ status: 404, code: 'version_not_found' });
  await expect(fixer.activate(ZONE_B, 'set-none', NEW_POLICY_VERSION_ID)).rejects.toMatchObject({ status: 404, code: 'policy_set_binding_not_found' });
});

test('without STS the activation stays waiting_for_sts and simulation is not executed', async () => {
  sim.acts.stsDown = true;
  sim.acts.stsLoadAfterMs = 0;
  const fixer = as(sim.tokens.globalWrite);
  expect(await fixer.simulate(ZONE_B, POLICY_SET_ID, { version_id: NEW_POLICY_VERSION_ID, input: {} })).toMatchObject({ dry_run: true, explanation: { evaluation: 'not_executed' }, result: null });
  await fixer.activate(ZONE_B, POLICY_SET_ID, NEW_POLICY_VERSION_ID);
  await new Promise((r) => setTimeout(r, 50));
  expect(await fixer.activationStatus(ZONE_B, POLICY_SET_ID)).toMatchObject({ propagation_status: 'waiting_for_sts', sts: { state: 'unreachable' } });
});

test('simulation answers per version, as a dry run that changes nothing', async () => {
  const fixer = as(sim.tokens.zoneWrite);
  expect(await fixer.simulate(ZONE_B, POLICY_SET_ID, { version_id: NEW_POLICY_VERSION_ID, input: {} })).toMatchObject({ dry_run: true, version_id: NEW_POLICY_VERSION_ID, result: { decision: 'allow', determining_policies: ['caracal-anton-mint'] } });
  expect(await fixer.simulate(ZONE_B, POLICY_SET_ID, { version_id: POLICY_VERSION_ID, input: {} })).toMatchObject({ result: { decision: 'deny', diagnostics: [{ reason: 'role_scope_mismatch' }] } });
  expect((await fixer.listPolicySets(ZONE_B)).find((s) => s.id === POLICY_SET_ID)?.active_version_id).toBe(POLICY_VERSION_ID);
  await expect(as(sim.tokens.globalRead).simulate(ZONE_B, POLICY_SET_ID, { version_id: POLICY_VERSION_ID })).rejects.toMatchObject({ status: 403, code: 'admin_token_read_only' });
});
