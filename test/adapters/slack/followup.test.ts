/**
 * Following a triage up in Slack, end to end (signed requests → Bolt → the service → the real
 * workers → the Slack port → the fake Slack Web API; PagerDuty faked on loopback), with short
 * settings: *Escalate* on a slash command's triage reaches TRIAGE_ESCALATE (a user group
 * mentioned in the thread as `<!subteam^S…>`, once; a PagerDuty alert linking the card), and the
 * card says to whom, by whom and when; an idle triage gets one reminder per idle period naming
 * the step that waits (a click starts a new period); then it is abandoned, and the card says why.
 */
import { blocksOf, type SlackCall } from '../../support/fake-slack-api';
import { startFakePagerDuty, type FakePagerDuty } from '../../support/fake-pagerduty';
import { sendClick, sendCommand } from '../../support/slack-signing';
import { type SlackStack, startSlackStack } from './stack';
import { readThreads } from './threads';

const REMIND_MS = 1500;
const ABANDON_MS = 4000;

let stack: SlackStack;
let pd: FakePagerDuty;
let requestId: string;

beforeAll(async () => {
  pd = await startFakePagerDuty();
  stack = await startSlackStack({
    scenario: 'scope_mismatch',
    escalation: { mentions: [{ platform: 'slack', id: 'S0ONCALL1' }], pagerduty: true },
    worker: {
      sweepEveryMs: 250,
      remindAfterMs: REMIND_MS,
      staleAfterMs: ABANDON_MS,
      pagerduty: { routingKey: 'R0UTINGKEY0123456789abcdefABCDEF', eventsUrl: pd.eventsUrl },
      escalationTiming: { retryDelayMs: 50, cardWaitMs: 50 },
    },
  });
  requestId = stack.sim.scenario.input.requestId;
});
afterAll(async () => {
  await stack.close();
  await pd.close();
});

const updates = (channel: string): SlackCall[] => stack.slack.callsTo('chat.update').filter((c) => c.body.channel === channel);
const lastCard = (channel: string): string => JSON.stringify(blocksOf(updates(channel).at(-1)!));
/** Thread replies of the one card in the channel, by the block the notice carries. */
const notices = (channel: string, kind: 'escalation' | 'reminder') =>
  readThreads(stack.slack, channel)
    .flatMap((t) => stack.slack.replies(channel, t.card.ts))
    .filter((m) => (m.blocks ?? '').includes(`"block_id":"triage:${kind}"`));

async function settledCard(channel: string): Promise<{ ts: string; triageId: string }> {
  await sendCommand(stack.events, { text: `triage ${requestId}`, channel_id: channel });
  return stack.slack.waitFor(() => {
    const [t] = readThreads(stack.slack, channel);
    return t && t.reads.includes('bundle') && updates(channel).length > 0 && lastCard(channel).includes('Failing surface') && { ts: t.card.ts, triageId: t.triageId };
  }, 30_000);
}

function button(channel: string, actionId: string): string {
  const el = blocksOf(updates(channel).at(-1)!)
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements as Array<{ action_id: string; value: string }>)
    .find((e) => e.action_id === actionId);
  if (!el) throw new Error(`no ${actionId} on the card`);
  return el.value;
}

test('Escalate mentions the on-call user group in the thread once, pages PagerDuty with the card link, and the card says to whom, by whom and when', async () => {
  const channel = 'C0ESC0001';
  const card = await settledCard(channel);
  await sendClick(stack.events, { actionId: 'triage:escalate', value: button(channel, 'triage:escalate'), channelId: channel, messageTs: card.ts, userId: 'U0ALICE01', responseUrl: `${stack.slack.responseUrlBase}esc` });

  const [mention] = await stack.slack.waitFor(() => notices(channel, 'escalation').length > 0 && notices(channel, 'escalation'));
  expect(mention!.text).toBe('<!subteam^S0ONCALL1>: escalated to you by <@U0ALICE01>.');
  expect(mention!.blocks).toContain('<!subteam^S0ONCALL1>: this triage was escalated to you by <@U0ALICE01>. PagerDuty is being paged too.');
  expect(mention!.metadata?.event_payload).toEqual({ triage_id: card.triageId, post_key: 'escalate.1' });

  const [event] = await pd.waitFor(() => pd.accepted().length > 0 && pd.accepted());
  const permalink = `https://test.slack.com/archives/${channel}/p${card.ts.replace('.', '')}`;
  expect(event!.body).toMatchObject({ event_action: 'trigger', dedup_key: `caracal-triage/${card.triageId}`, links: [{ href: permalink, text: 'Caracal triage card' }] });

  const escalated = await stack.slack.waitFor(() => lastCard(channel).includes('PagerDuty alert triggered') && lastCard(channel));
  expect(escalated).toMatch(/Escalated\* to <!subteam\^S0ONCALL1> and PagerDuty by <@U0ALICE01> at \d\d:\d\d:\d\dZ\./);
  // Still one mention, however many sweeps and card updates came after.
  await new Promise((r) => setTimeout(r, 600));
  expect(notices(channel, 'escalation')).toHaveLength(1);
});

test('an idle triage gets one reminder per idle period naming the step that waits, then is abandoned and the card says why', async () => {
  const channel = 'C0IDLE001';
  const card = await settledCard(channel);

  const [first] = await stack.slack.waitFor(() => notices(channel, 'reminder').length > 0 && notices(channel, 'reminder'), 15_000);
  expect(first!.blocks).toMatch(/No one has acted on this triage for \d+ s\.\*  ?Waiting on step 6 of 8, Requested scopes/);
  // The same idle period gets no second reminder (two sweeps and more later).
  await new Promise((r) => setTimeout(r, 600));
  expect(notices(channel, 'reminder')).toHaveLength(1);

  // A click is activity: a new idle period, and in time a new reminder (Next step from the
  // routed card starts the walk at the diagnosed step, which still waits).
  await stack.slack.waitFor(() => updates(channel).at(-1)!.body.blocks.includes('reminder: no one acted'));
  await sendClick(stack.events, { actionId: 'triage:next', value: button(channel, 'triage:next'), channelId: channel, messageTs: card.ts, responseUrl: `${stack.slack.responseUrlBase}next` });
  const two = await stack.slack.waitFor(() => notices(channel, 'reminder').length === 2 && notices(channel, 'reminder'), 15_000);
  expect(two[1]!.ts).not.toBe(two[0]!.ts);
  expect(two[1]!.blocks).toContain('Waiting on step 6 of 8, Requested scopes');

  const abandoned = await stack.slack.waitFor(() => lastCard(channel).includes('Abandoned') && lastCard(channel), 20_000);
  expect(abandoned).toContain('*Abandoned*: no one acted for 4 s.');
  expect(abandoned).not.toContain('triage:actions');
  expect(notices(channel, 'reminder')).toHaveLength(2);
}, 60_000);
