/**
 * Approval holds decided from Microsoft Teams, end to end: a signed sink delivery, the card
 * posted into the routed channel through the Bot Connector (fake, authentication on), the
 * Approve / Reject Action.Execute invokes as Teams sends them (the reason box merged into the
 * button's data), one call to Caracal each, and the card updated in place with who decided.
 */
import { registerSink, ZONE_B, type RegisteredSink } from '../../sim';
import { TENANT_ID, USER, BOT } from '../adapters/teams/fixtures';
import { startTeamsStack, type TeamsStack } from '../adapters/teams/stack';
import { approvalKeyOf } from '../../src/act/approvals';
import { waitFor } from '../queue/harness';

const SINK_SECRET = 'nsk_sink-secret-of-the-teams-test-0123456789';
const CHANNEL = '19:approvals0000000000000000000000@thread.tacv2';
const COLLEAGUE = { id: '29:colleague-teams-user-id', name: 'Grace Hopper', aadObjectId: '6f1c2a4e-0000-4000-8000-0000000000aa' };
let stack: TeamsStack;
let sink: RegisteredSink;

beforeAll(async () => {
  stack = await startTeamsStack({
    scenario: 'healthy_allow',
    incidentEnv: { TRIAGE_DEFAULT_CHANNEL: `teams:${CHANNEL}` },
    acts: (sim) => ({ sinkSecrets: [SINK_SECRET], approveToken: sim.tokens.globalApprove, approvers: [USER.aadObjectId.toUpperCase()] }),
  });
  sink = registerSink(stack.sim.acts, `${stack.base}/hooks/caracal`, SINK_SECRET);
}, 30_000);
afterAll(async () => {
  sink.stop();
  await stack.close();
});

type Activity = { attachments?: Array<{ content: { body: unknown[] } }> };
/** A new channel post is a create_conversation whose `activity` is the card; replies and updates carry it directly. */
type Call = { body: Activity & { activity?: Activity }; createdId: string | null; activityId: string | null };
const attachment = (c: Call) => (c.body.activity ?? c.body).attachments?.[0]?.content;
const cardText = (c: Call): string => JSON.stringify(attachment(c) ?? {});

/** Every act button of a card: its title and data. */
function actionsOf(c: Call): Array<{ title: string; data: { caracal: string; value: string } }> {
  const out: Array<{ title: string; data: { caracal: string; value: string } }> = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.type === 'Action.Execute') out.push(o as never);
      else Object.values(o).forEach(walk);
    }
  };
  walk(attachment(c)?.body);
  return out;
}

function invoke(data: Record<string, unknown>, cardId: string, from: typeof USER | typeof COLLEAGUE = USER) {
  return {
    type: 'invoke',
    name: 'adaptiveCard/action',
    id: `f:invoke-${Math.random()}`,
    channelId: 'msteams',
    serviceUrl: stack.connector.url,
    from,
    conversation: { isGroup: true, conversationType: 'channel', tenantId: TENANT_ID, id: `${CHANNEL};messageid=${cardId}` },
    recipient: BOT,
    replyToId: cardId,
    value: { action: { type: 'Action.Execute', verb: 'caracal.act', data }, trigger: 'manual' },
    channelData: { channel: { id: CHANNEL }, tenant: { id: TENANT_ID }, source: { name: 'message' } },
  };
}

/** The hold's card, once the worker has recorded where it is (a click before that is told to wait). */
async function cardFor(id: string): Promise<Call> {
  const card = await stack.connector.waitFor(() => stack.connector.posted().find((c) => cardText(c as Call).includes(id)) as Call | undefined, 15_000);
  await waitFor('the card to be recorded', async () => !!(await stack.service.store.redis.hget(`${stack.prefix}approval:${approvalKeyOf(ZONE_B, id)}`, 'ref')));
  return card;
}

const latest = (card: Call): string => {
  const ups = stack.connector.updates(card.createdId!);
  return ups.length ? cardText(ups[ups.length - 1] as Call) : cardText(card);
};

test('the card is posted in the routed channel with the hold, a reason box and Approve / Reject; an approver approves once and the card says so', async () => {
  const { approval } = stack.sim.acts.addApproval(ZONE_B, { metadata_json: { purpose: 'rotate the payments key' } });
  const card = await cardFor(approval.id);
  const text = cardText(card);
  expect(text).toContain('Approval needed: an agent is waiting');
  expect(text).toContain('rotate the payments key');
  expect(text).toContain('"type":"Input.Text","id":"reason"');
  const actions = actionsOf(card);
  expect(actions.map((a) => a.title)).toEqual(['Approve', 'Reject']);
  const approve = actions[0]!.data;
  // The approver, twice at once: one call.
  const answers = await Promise.all([stack.send(invoke({ ...approve, reason: '' }, card.createdId!)), stack.send(invoke({ ...approve, reason: '' }, card.createdId!))]);
  expect(answers.map((a) => a.status)).toEqual([200, 200]);
  const messages = answers.map((a) => String((a.body as { value?: string }).value ?? ''));
  expect(messages.some((m) => m.includes('Sending your approval to Caracal'))).toBe(true);
  await stack.connector.waitFor(() => latest(card).includes('Approval hold approved'), 15_000);
  expect(latest(card)).toContain(`Approved by \`Ada Lovelace (${USER.aadObjectId})\``);
  const calls = stack.sim.acts.calls.filter((c) => c.id === approval.id);
  expect(calls).toHaveLength(1);
  expect((calls[0]!.body as { reason: string }).reason).toBe(`Approved in Microsoft Teams by Ada Lovelace (${USER.aadObjectId}) through caracal-triage`);
});

test('a colleague not in TRIAGE_APPROVERS is told so in Teams, and nothing reaches Caracal', async () => {
  const { approval } = stack.sim.acts.addApproval(ZONE_B);
  const card = await cardFor(approval.id);
  const r = await stack.send(invoke({ ...actionsOf(card)[0]!.data }, card.createdId!, COLLEAGUE));
  expect(String((r.body as { value: string }).value)).toContain('You are not in TRIAGE_APPROVERS');
  expect(stack.sim.acts.calls.filter((c) => c.id === approval.id)).toHaveLength(0);
});

test('Reject takes the reason from the card\'s box (and asks for one when it is empty)', async () => {
  const { approval } = stack.sim.acts.addApproval(ZONE_B);
  const card = await cardFor(approval.id);
  const reject = actionsOf(card)[1]!.data;
  const empty = await stack.send(invoke({ ...reject, reason: '   ' }, card.createdId!));
  expect(String((empty.body as { value: string }).value)).toContain('Rejecting needs a reason');
  expect(stack.sim.acts.calls.filter((c) => c.id === approval.id)).toHaveLength(0);
  await stack.send(invoke({ ...reject, reason: 'no refunds on Fridays' }, card.createdId!));
  await stack.connector.waitFor(() => latest(card).includes('Approval hold rejected'), 15_000);
  const calls = stack.sim.acts.calls.filter((c) => c.id === approval.id);
  expect(calls.map((c) => c.kind)).toEqual(['reject']);
  expect((calls[0]!.body as { reason: string }).reason).toBe(`Rejected in Microsoft Teams by Ada Lovelace (${USER.aadObjectId}) through caracal-triage: no refunds on Fridays`);
});

test('a click copied onto another message applies to nothing', async () => {
  const { approval } = stack.sim.acts.addApproval(ZONE_B);
  const card = await cardFor(approval.id);
  const r = await stack.send(invoke({ ...actionsOf(card)[0]!.data }, '1700000000000'));
  expect(String((r.body as { value: string }).value)).toContain('does not belong to this message');
  expect(stack.sim.acts.calls.filter((c) => c.id === approval.id)).toHaveLength(0);
});
