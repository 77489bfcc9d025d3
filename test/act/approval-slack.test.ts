/**
 * Approval holds decided from Slack, end to end: the Caracal simulator emits `step_up_issued`
 * to the bot's /hooks/caracal as Caracal's sink dispatcher does (signed), the worker reads the
 * hold and posts its card in the default channel (fake Slack Web API), people click, and
 * Caracal gets exactly one approve or reject, made with CARACAL_APPROVE_TOKEN and a reason
 * naming the person and the platform; its answers (403, 409) show on the card in words.
 */
import { deliverToSink, registerSink, signSinkDelivery, ZONE_B, type RegisteredSink } from '../../sim';
import { approvalKeyOf } from '../../src/act/approvals';
import { verifyAuditChain } from '../../src/audit/verify';
import { waitFor } from '../queue/harness';
import { startSlackStack, STACK_SIGNING_KEY, type SlackStack } from '../adapters/slack/stack';
import { answersTo, button, buttonsOf, clickButton, current, submitReason, textOf, waitForMessage } from './slack-support';

const SINK_SECRET = 'nsk_sink-secret-of-the-slack-test-0123456789';
const CHANNEL = 'C0APPROVALS';
let stack: SlackStack;
let sink: RegisteredSink;

beforeAll(async () => {
  stack = await startSlackStack({
    scenario: 'healthy_allow',
    incidentEnv: { TRIAGE_DEFAULT_CHANNEL: `slack:${CHANNEL}` },
    usergroups: { S0ONCALL: ['U0GROUPIE'] },
    acts: (sim) => ({ sinkSecrets: [SINK_SECRET], approveToken: sim.tokens.globalApprove, approvers: ['U0APPROVER', 'S0ONCALL'] }),
  });
  sink = registerSink(stack.sim.acts, `${stack.base}/hooks/caracal`, SINK_SECRET);
}, 30_000);
afterAll(async () => {
  sink.stop();
  await stack.close();
});

const calls = (kind: 'approve' | 'reject') => stack.sim.acts.calls.filter((c) => c.kind === kind);

/** The hold's card, once the worker has recorded where it is (a click before that is told to wait). */
async function cardFor(approvalId: string) {
  const card = await waitForMessage(stack.slack, (m) => m.channel === CHANNEL && !m.thread_ts && textOf(m).includes(approvalId));
  await waitFor('the card to be recorded', async () => !!(await stack.service.store.redis.hget(`${stack.prefix}approval:${approvalKeyOf(ZONE_B, approvalId)}`, 'ref')));
  return card;
}

async function until(what: (text: string) => boolean, m: Parameters<typeof current>[1], timeoutMs = 15_000) {
  return stack.slack.waitFor(() => what(textOf(current(stack.slack, m))) && current(stack.slack, m), timeoutMs);
}

test('a hold becomes a card in the routed channel: who asks, for what, the tier, the approver class, the expiry, Approve and Reject', async () => {
  const { approval } = stack.sim.acts.addApproval(ZONE_B, { tier: 'high', metadata_json: { action: 'payments:write', resource: 'resource://payments', purpose: 'refund order 4411' } });
  const card = await cardFor(approval.id);
  await sink.settled();
  expect(sink.sent.map((s) => s.status)).toContain(200);
  const text = textOf(card);
  expect(text).toContain('Approval needed: an agent is waiting');
  expect(text).toContain('`app-sim-1`');
  expect(text).toContain('`refund order 4411`');
  expect(text).toContain('`resource://payments`');
  expect(text).toMatch(/\*Tier\*\n`high`/);
  expect(text).toMatch(/\*Approver class\*\n`operator`/);
  expect(text).toMatch(/Waiting for a decision until \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
  expect(buttonsOf(card).map((b) => b.text.text)).toEqual(['Approve', 'Reject']);
  // The card carries its identity, so a worker that crashed after posting finds it again.
  expect(card.metadata?.event_payload).toMatchObject({ post_key: 'act' });
});

test('an approver approves once; a double click and a colleague clicking at the same moment make no second call; the card says who and when', async () => {
  const { approval } = stack.sim.acts.addApproval(ZONE_B);
  const card = await cardFor(approval.id);
  const approve = button(card, 'Approve');
  const replies = await Promise.all([
    clickButton(stack.events, stack.slack, card, approve, 'U0APPROVER'),
    clickButton(stack.events, stack.slack, card, approve, 'U0APPROVER'),
    clickButton(stack.events, stack.slack, card, approve, 'U0GROUPIE'),
  ]);
  expect(replies.map((r) => r.status)).toEqual([200, 200, 200]);
  const decided = await until((t) => t.includes('Approval hold approved'), card);
  expect(textOf(decided)).toMatch(/Approved by `oncall \((U0APPROVER|U0GROUPIE)\)` at \d{4}-\d\d-\d\d \d\d:\d\d UTC: Caracal recorded it/);
  expect(buttonsOf(decided)).toEqual([]);
  const mine = calls('approve').filter((c) => c.id === approval.id);
  expect(mine).toHaveLength(1);
  expect((mine[0]!.body as { reason: string }).reason).toMatch(/^Approved in Slack by oncall \((U0APPROVER|U0GROUPIE)\) through caracal-triage$/);
  expect(stack.sim.acts.approval(ZONE_B, approval.id)?.satisfied_at).not.toBeNull();
  // The two clicks that lost were told so, and nothing was sent for them.
  await stack.slack.waitFor(() => stack.slack.responses.filter((r) => /clicked (Approve|first)/.test(String(r.body.text))).length >= 2);
  // A click after the decision is refused too.
  await clickButton(stack.events, stack.slack, card, approve, 'U0APPROVER');
  await stack.slack.waitFor(() => answersTo(stack.slack, 'U0APPROVER').some((t) => /approved now; nothing was sent/.test(t)));
  expect(calls('approve').filter((c) => c.id === approval.id)).toHaveLength(1);
});

test('someone not in TRIAGE_APPROVERS is told so, and nothing reaches Caracal', async () => {
  const { approval } = stack.sim.acts.addApproval(ZONE_B);
  const card = await cardFor(approval.id);
  await clickButton(stack.events, stack.slack, card, button(card, 'Approve'), 'U0STRANGER');
  await stack.slack.waitFor(() => answersTo(stack.slack, 'U0STRANGER').some((t) => t.includes('You are not in TRIAGE_APPROVERS')));
  expect(calls('approve').filter((c) => c.id === approval.id)).toHaveLength(0);
  expect(stack.sim.acts.approval(ZONE_B, approval.id)?.satisfied_at).toBeNull();
});

test('Reject asks for a reason in a dialog and sends it to Caracal with the person and the platform', async () => {
  const { approval } = stack.sim.acts.addApproval(ZONE_B);
  const card = await cardFor(approval.id);
  await clickButton(stack.events, stack.slack, card, button(card, 'Reject'), 'U0APPROVER');
  const dialog = await stack.slack.waitFor(() => stack.slack.dialogs.find((v) => String(v.view.private_metadata).includes(card.ts)));
  expect(dialog.view.callback_id).toBe('act:reason');
  expect(calls('reject').filter((c) => c.id === approval.id)).toHaveLength(0);
  const r = await submitReason(stack.events, dialog.view, 'U0APPROVER', 'not during the payments freeze');
  expect(r.status).toBe(200);
  const rejected = await until((t) => t.includes('Approval hold rejected'), card);
  expect(textOf(rejected)).toContain('Rejected by `oncall (U0APPROVER)` at');
  expect(textOf(rejected)).toContain('(`not during the payments freeze`): Caracal recorded it');
  const mine = calls('reject').filter((c) => c.id === approval.id);
  expect(mine).toHaveLength(1);
  expect((mine[0]!.body as { reason: string }).reason).toBe('Rejected in Slack by oncall (U0APPROVER) through caracal-triage: not during the payments freeze');
  expect(stack.sim.acts.approval(ZONE_B, approval.id)?.decision_reason).toContain('not during the payments freeze');
});

test("Caracal's 403 subject_approval_required is shown on the card in words", async () => {
  const { approval } = stack.sim.acts.addApproval(ZONE_B, { approver_class: 'subject' });
  const card = await cardFor(approval.id);
  await clickButton(stack.events, stack.slack, card, button(card, 'Approve'), 'U0APPROVER');
  const refused = await until((t) => t.includes('Caracal refused'), card);
  expect(textOf(refused)).toContain("Caracal refused `oncall (U0APPROVER)`'s approval (403 `subject_approval_required`): this hold must be approved by its subject");
  expect(calls('approve').filter((c) => c.id === approval.id && c.status === 403)).toHaveLength(1);
  expect(stack.sim.acts.approval(ZONE_B, approval.id)?.satisfied_at).toBeNull();
});

test("Caracal's 409: a hold decided in the Console after the card was drawn is shown decided, and the click changed nothing", async () => {
  sink.stop();
  try {
    const { approval, event } = stack.sim.acts.addApproval(ZONE_B);
    expect((await deliverToSink(`${stack.base}/hooks/caracal`, signSinkDelivery(event, SINK_SECRET))).status).toBe(200);
    const card = await cardFor(approval.id);
    const console = await fetch(`${stack.sim.apiUrl}/v1/zones/${ZONE_B}/approvals/${approval.id}/reject`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.sim.tokens.globalApprove}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'decided in the Console' }),
    });
    expect(console.status).toBe(200);
    await clickButton(stack.events, stack.slack, card, button(card, 'Approve'), 'U0APPROVER');
    const shown = await until((t) => t.includes('approval_not_decidable'), card);
    expect(textOf(shown)).toContain("`oncall (U0APPROVER)`'s approval was not taken: Caracal says the hold is already `rejected` (409 `approval_not_decidable`).");
    expect(textOf(shown)).toContain('Approval hold rejected');
    expect(stack.sim.acts.approval(ZONE_B, approval.id)?.satisfied_at).toBeNull();
  } finally {
    sink = registerSink(stack.sim.acts, `${stack.base}/hooks/caracal`, SINK_SECRET);
  }
});

test('step_up_decided and step_up_consumed reach the card by challenge_id: decided in the Console, then used by the agent, with no click and no wait for the minute re-read', async () => {
  const { approval } = stack.sim.acts.addApproval(ZONE_B, { metadata_json: { action: 'payments:refund' } });
  const card = await cardFor(approval.id);
  const console = await fetch(`${stack.sim.apiUrl}/v1/zones/${ZONE_B}/approvals/${approval.id}/approve`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.sim.tokens.globalApprove}`, 'content-type': 'application/json' },
    body: JSON.stringify({ reason: 'approved in the Console' }),
  });
  expect(console.status).toBe(200);
  const approved = await until((t) => t.includes('Approval hold approved'), card, 10_000);
  expect(buttonsOf(approved)).toEqual([]);
  expect(stack.sim.acts.consume(ZONE_B, approval.id)?.type).toBe('step_up_consumed');
  await until((t) => t.includes('Approval used by the agent'), card, 10_000);
  await sink.settled();
  const rows = await stack.service.store.redis.xrange(`${stack.prefix}audit`, '-', '+');
  const mine = rows.map(([, f]) => JSON.parse(f[f.indexOf('e') + 1]!) as { action: string; subject?: string }).filter((e) => e.subject?.endsWith(approval.id));
  expect(mine.map((e) => e.action)).toEqual(expect.arrayContaining(['approval hold issued', 'approval hold decided', 'approval consumed']));
  // Nobody clicked: the Console's approve is the only decision Caracal got.
  expect(stack.sim.acts.calls.filter((c) => c.id === approval.id).map((c) => c.kind)).toEqual(['approve']);
});

test('a hold that expires while it waits is shown expired, without buttons', async () => {
  const { approval } = stack.sim.acts.addApproval(ZONE_B, { expires_at: new Date(Date.now() + 2500).toISOString() });
  const card = await cardFor(approval.id);
  expect(buttonsOf(card).length).toBe(2);
  const expired = await until((t) => t.includes('Approval hold expired'), card, 20_000);
  expect(textOf(expired)).toMatch(/Expired at \d{4}-\d\d-\d\d \d\d:\d\d UTC without a decision/);
  expect(buttonsOf(expired)).toEqual([]);
}, 30_000);

test('the audit chain names the card, each click, each call and its answer, and still verifies', async () => {
  const rows = await stack.service.store.redis.xrange(`${stack.prefix}audit`, '-', '+');
  const entries = rows.map(([, f]) => JSON.parse(f[f.indexOf('e') + 1]!) as { action: string; actor: { id: string }; subject?: string; detail?: string });
  const actions = entries.map((e) => e.action);
  for (const a of ['approval hold issued', 'approval card posted', 'approval approve requested', 'approve called', 'approve answered', 'approval reject requested', 'reject called', 'reject answered']) expect(actions).toContain(a);
  expect(entries.find((e) => e.action === 'reject called')).toMatchObject({ actor: { id: 'U0APPROVER' }, subject: expect.stringMatching(/^approval:/) });
  const verified = await verifyAuditChain(stack.service.store.redis, { signingKey: STACK_SIGNING_KEY, prefix: stack.prefix });
  expect(verified).toMatchObject({ ok: true });
  // No token ever reaches the chain.
  expect(JSON.stringify(entries)).not.toContain(stack.sim.tokens.globalApprove);
});
