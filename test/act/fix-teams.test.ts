/**
 * A governed fix from Microsoft Teams, end to end against the fake Bot Connector: a triage of
 * req-role-1 (sim scenario role_scope_mismatch: v2 active and denying, v3 allows) started by a
 * mention, *Propose fix* on its Adaptive Card, the proposal as a reply in the card's thread with
 * the exact change, *Apply* refused to the proposer, applied once by a colleague in
 * TRIAGE_FIXERS, and the result under it: Caracal's simulation of the denied call against the
 * now-active version, and the re-triage.
 */
import { NEW_POLICY_VERSION_ID, POLICY_SET_ID } from '../../sim/world';
import { ZONE_B } from '../../sim';
import { CHANNEL, TENANT_ID, USER, BOT, channelMessage } from '../adapters/teams/fixtures';
import { startTeamsStack, type TeamsStack } from '../adapters/teams/stack';
import { waitFor } from '../queue/harness';

const COLLEAGUE = { id: '29:colleague-teams-user-id', name: 'Grace Hopper', aadObjectId: '6f1c2a4e-0000-4000-8000-0000000000aa' };
const THREAD = `${CHANNEL};messageid=1700000000123`;
let stack: TeamsStack;

beforeAll(async () => {
  stack = await startTeamsStack({
    scenario: 'role_scope_mismatch',
    acts: (sim) => ({ fixToken: sim.tokens.globalWrite, fixers: [USER.aadObjectId, COLLEAGUE.aadObjectId], fixConfirmTimeoutMs: 1500 }),
  });
}, 30_000);
afterAll(async () => {
  await stack.close();
});

type Call = { body: { attachments?: Array<{ content: { type?: string; body: unknown[] } }> }; createdId: string | null; seq: number };
const cardText = (c: Call): string => JSON.stringify(c.body.attachments?.[0]?.content ?? {});
const latest = (c: Call): string => {
  const ups = stack.connector.updates(c.createdId!);
  return ups.length ? cardText(ups[ups.length - 1] as Call) : cardText(c);
};

/** Every Action.Execute of a card as last drawn: its title and data. */
function actionsIn(text: string): Array<{ title: string; data: Record<string, unknown> }> {
  const out: Array<{ title: string; data: Record<string, unknown> }> = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.type === 'Action.Execute') out.push(o as never);
      else Object.values(o).forEach(walk);
    }
  };
  walk(JSON.parse(text));
  return out;
}

function invoke(data: Record<string, unknown>, messageId: string, from: typeof USER | typeof COLLEAGUE) {
  return {
    type: 'invoke',
    name: 'adaptiveCard/action',
    id: `f:invoke-${Math.random()}`,
    channelId: 'msteams',
    serviceUrl: stack.connector.url,
    from,
    conversation: { isGroup: true, conversationType: 'channel', tenantId: TENANT_ID, id: THREAD },
    recipient: BOT,
    replyToId: messageId,
    value: { action: { type: 'Action.Execute', verb: 'caracal.act', data }, trigger: 'manual' },
    channelData: { channel: { id: CHANNEL }, tenant: { id: TENANT_ID }, source: { name: 'message' } },
  };
}

const answer = (r: { body: unknown }): string => String((r.body as { value?: string }).value ?? '');

test('Propose fix on the Teams card posts the exact change in its thread; the proposer cannot apply it; a colleague in TRIAGE_FIXERS applies it once and the re-triage follows', async () => {
  expect((await stack.send(channelMessage(stack.connector.url, 'triage req-role-1'))).status).toBe(200);
  const card = (await stack.connector.waitFor(() => stack.connector.posted(THREAD).find((c) => c.body.attachments?.[0]?.content?.type === 'AdaptiveCard'))) as unknown as Call;
  const proposeFix = await stack.connector.waitFor(() => actionsIn(latest(card)).find((a) => a.title === 'Propose fix'), 20_000);
  const proposed = await stack.send(invoke(proposeFix.data, card.createdId!, USER));
  expect(proposed.status).toBe(200);

  const proposal = (await stack.connector.waitFor(() => stack.connector.posted(THREAD).find((c) => c.seq > card.seq && cardText(c as unknown as Call).includes('Proposal')), 15_000)) as unknown as Call;
  const id = /Proposal `(fix-[0-9a-f]{24})`/.exec(latest(proposal))![1];
  await waitFor('the proposal to be recorded', async () => !!(await stack.service.store.redis.hget(`${stack.prefix}fix:${id}`, 'ref')));
  const apply = await stack.connector.waitFor(() => actionsIn(latest(proposal)).find((a) => a.title === 'Apply'), 15_000);
  const text = latest(proposal);
  expect(text).toContain('Proposed fix');
  expect(text).toContain(NEW_POLICY_VERSION_ID);
  expect(text).toContain('needs a second person');

  // The proposer may not apply their own fix.
  expect(answer(await stack.send(invoke(apply.data, proposal.createdId!, USER)))).toContain('You proposed this fix: a second person');
  const activations = () => stack.sim.acts.calls.filter((c) => c.kind === 'activate');
  expect(activations()).toHaveLength(0);

  // The colleague clicks twice at once: one activation.
  await Promise.all([stack.send(invoke(apply.data, proposal.createdId!, COLLEAGUE)), stack.send(invoke(apply.data, proposal.createdId!, COLLEAGUE))]);
  await stack.connector.waitFor(() => latest(proposal).includes('Caracal reports STS loaded it'), 15_000);
  expect(latest(proposal)).toContain(`Applied by \`Grace Hopper (${COLLEAGUE.aadObjectId})\``);
  expect(actionsIn(latest(proposal))).toEqual([]);
  expect(activations()).toHaveLength(1);
  expect(activations()[0]).toMatchObject({ zoneId: ZONE_B, id: POLICY_SET_ID, body: { version_id: NEW_POLICY_VERSION_ID }, status: 202 });

  const result = (await stack.connector.waitFor(() => stack.connector.posted(THREAD).find((c) => c.seq > proposal.seq && cardText(c as unknown as Call).includes('re-triage')), 20_000)) as unknown as Call;
  const r = cardText(result);
  expect(r).toContain('Caracal reports STS loaded it');
  expect(r).toContain("Applied and loaded: Caracal's simulation now allows the denied call");
  expect(r).toContain(`against the active version v3 (\`${NEW_POLICY_VERSION_ID}\`) now allows it`);
  expect(r).toMatch(/The re-triage of `req-role-1` still finds `role_scope_mismatch`/);
  expect(r).not.toContain('Fixed:');
}, 60_000);
