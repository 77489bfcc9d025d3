/**
 * Finding and following a triage in Slack, end to end (signed requests → Bolt → the real
 * service and workers over Redis → the Slack port → the fake Web API): `list`, `show` and
 * `list all` answer with where each triage stands, its zone by name, date tokens and links; the
 * card names the zone, links its page, the Console and the cause's runbook, gives times as date
 * tokens and carries no version counter; the Home tab is published on `app_home_opened` with
 * the person's triages and the open ones in their channels; a direct message takes commands
 * and gets its card in the DM; *Export* on a resolved card uploads the postmortem into the
 * card's thread.
 */
import { NO_LINKS } from '../../../src/report/config';
import { type SlackCall, blocksOf } from '../../support/fake-slack-api';
import { sendClick, sendCommand, sendEvent } from '../../support/slack-signing';
import { type SlackStack, startSlackStack } from './stack';

let stack: SlackStack;
let requestId: string;
const LINKS = { ...NO_LINKS, consoleUrl: 'https://console.example.com', publicUrl: 'https://triage.example.com', runbookUrl: 'https://git.example.com/docs/runbooks.md' };

beforeAll(async () => {
  stack = await startSlackStack({ scenario: 'scope_mismatch', links: LINKS, slackEnv: { TRIAGE_ALLOWED_USERS: 'U0ONCALL,U0LEAD001' } });
  requestId = stack.sim.scenario.input.requestId;
});
afterAll(() => stack.close());

const posts = (channel: string): SlackCall[] => stack.slack.callsTo('chat.postMessage').filter((c) => c.body.channel === channel);
const cardPosts = (channel: string): SlackCall[] => posts(channel).filter((c) => !c.body.thread_ts && c.body.blocks);
const updates = (channel: string): SlackCall[] => stack.slack.callsTo('chat.update').filter((c) => c.body.channel === channel);
const cardText = (c: SlackCall): string => JSON.stringify(blocksOf(c));
function latestCard(channel: string): SlackCall | undefined {
  const u = updates(channel);
  const p = cardPosts(channel);
  return u.length ? u[u.length - 1] : p[p.length - 1];
}
const triageIdOf = (card: SlackCall): string => /Triage `(tri-[0-9a-z]+)`/.exec(card.body.blocks ?? '')![1]!;
function cardTs(card: SlackCall): string {
  if (card.body.ts) return card.body.ts;
  return stack.slack.messages.find((x) => x.channel === card.body.channel && !x.thread_ts && x.blocks === card.body.blocks)!.ts;
}
function button(card: SlackCall, actionId: string): string {
  for (const b of blocksOf(card)) {
    if (b.type !== 'actions') continue;
    const el = (b.elements as Array<{ action_id: string; value: string }>).find((e) => e.action_id === actionId);
    if (el) return el.value;
  }
  throw new Error(`no ${actionId} button on the card`);
}
const settledCard = (channel: string): Promise<SlackCall> =>
  stack.slack.waitFor(() => {
    const c = latestCard(channel);
    return c && cardText(c).includes('Failing surface') && stack.slack.replies(channel, cardTs(c)).length >= 9 && c;
  }, 25_000);

describe('the card', () => {
  const channel = 'C0FIND101';
  let card: SlackCall;

  beforeAll(async () => {
    expect((await sendCommand(stack.events, { text: `triage ${requestId}`, channel_id: channel })).status).toBe(200);
    card = await settledCard(channel);
  }, 30_000);

  it('names the zone, links the page, the Console and the runbook, and gives times as date tokens, without a version counter', () => {
    const text = cardText(card);
    const facts = JSON.stringify(blocksOf(card).find((b) => b.block_id === 'triage:facts'));
    // The simulator's zone of this request is named "Triage Demo"; its ID stays in the evidence.
    expect(facts).toContain('*Zone*\\nTriage Demo');
    expect(facts).toContain('Needs you: step 6 of 8 (Requested scopes)');
    expect(text).toMatch(/<https:\/\/triage\.example\.com\/triage\/tri-[0-9a-z]+\?exp=\d+&sig=[A-Za-z0-9_-]{43}\|Triage page>/);
    expect(text).toMatch(/<https:\/\/console\.example\.com\/[0-9a-f-]+\/app\/audit\?request=req-scope-1\|request trace>/);
    expect(text).toContain('<https://git.example.com/docs/runbooks.md#scope_mismatch|runbook>');
    expect(text).toMatch(/<!date\^\d+\^\{date_short_pretty\} at \{time\}\|\d{4}-\d\d-\d\d \d\d:\d\d UTC>/);
    expect(text).not.toMatch(/version \d/);
  });

  it('list: this channel\'s open triages, by state in words, zone by name, a date token and links', async () => {
    const ack = await sendCommand(stack.events, { text: 'list', channel_id: channel });
    const text = String(ack.json?.text);
    expect(text).toContain('Open triages in this conversation');
    expect(text).toContain(triageIdOf(card));
    expect(text).toContain('*Needs you: step 6 of 8 (Requested scopes)*');
    expect(text).toContain('zone Triage Demo');
    expect(text).toMatch(/started <!date\^\d+\^/);
    expect(text).toMatch(/<https:\/\/triage\.example\.com\/triage\/[^|]+\|page>/);
    // Another channel's list does not show it.
    const other = await sendCommand(stack.events, { text: 'list', channel_id: 'C0FIND999' });
    expect(String(other.json?.text)).toContain('No open triage in this conversation');
  });

  it('show: the card\'s link, the diagnosis with its runbook, the page', async () => {
    const id = triageIdOf(card);
    const text = String((await sendCommand(stack.events, { text: `show ${id}`, channel_id: channel })).json?.text);
    expect(text).toContain(`*Triage \`${id}\`*`);
    expect(text).toContain('cause `scope_mismatch` (<https://git.example.com/docs/runbooks.md#scope_mismatch|runbook>)');
    expect(text).toMatch(/Card: <https:\/\/test\.slack\.com\/archives\/C0FIND101\/p\d+\|open it>/);
    expect(text).toContain('|the triage on a page of its own>');
    // From another channel: for the people the allow-list names (anyone else may not use the bot here at all).
    const stranger = await sendCommand(stack.events, { text: `show ${id}`, channel_id: 'C0FIND999', user_id: 'U0STRANGE' });
    expect(String(stranger.json?.text)).toContain('You are not on the list of people allowed');
    const lead = await sendCommand(stack.events, { text: `show ${id}`, channel_id: 'C0FIND999', user_id: 'U0LEAD001' });
    expect(String(lead.json?.text)).toContain(`*Triage \`${id}\`*`);
  });

  it('list all: for the people the allow-list names, and said why to anyone else', async () => {
    const lead = String((await sendCommand(stack.events, { text: 'list all', channel_id: 'C0FIND999', user_id: 'U0LEAD001' })).json?.text);
    expect(lead).toContain('Open triages in every conversation');
    expect(lead).toContain(triageIdOf(card));
    expect(lead).toContain('<#C0FIND101>');
  });

  it('the Home tab: published on app_home_opened with your triages and the open ones in your channels', async () => {
    stack.slack.memberships.set('U0ONCALL', [channel, 'C0ELSE001']);
    expect((await sendEvent(stack.events, { type: 'app_home_opened', user: 'U0ONCALL', channel: 'D0ONCALL1', tab: 'home' })).status).toBe(200);
    const published = await stack.slack.waitFor(() => stack.slack.views.find((v) => v.userId === 'U0ONCALL'));
    const text = JSON.stringify(published.view.blocks);
    expect(published.view.blocks.length).toBeLessThanOrEqual(100);
    expect(text).toContain('Your recent triages');
    expect(text).toContain('Open in your channels');
    const [mine, open] = text.split('Open in your channels');
    expect(mine).toContain(triageIdOf(card));
    expect(open).toContain(triageIdOf(card));
    expect(text).toContain('/caracal triage <request-id> [zone]');
    expect(stack.slack.callsTo('users.conversations').at(-1)?.body).toMatchObject({ user: 'U0ONCALL', types: 'public_channel,private_channel' });
    // Someone the bot cannot place: their own triages only, and the tab says why.
    await sendEvent(stack.events, { type: 'app_home_opened', user: 'U0NOBODY1', channel: 'D0NOBODY1', tab: 'home' });
    const theirs = await stack.slack.waitFor(() => stack.slack.views.find((v) => v.userId === 'U0NOBODY1'));
    expect(JSON.stringify(theirs.view.blocks)).toContain('could not tell which channels you are in (Slack answered user_not_found)');
  });

  it('Export on the resolved card uploads the postmortem into its thread', async () => {
    const before = latestCard(channel)!;
    const responseUrl = `${stack.slack.responseUrlBase}find-resolve`;
    await sendClick(stack.events, { actionId: 'triage:resolve', value: button(before, 'triage:resolve'), channelId: channel, messageTs: cardTs(before), responseUrl });
    const resolved = await stack.slack.waitFor(() => {
      const c = latestCard(channel);
      return c && c !== before && cardText(c).includes('Resolved') && c;
    });
    expect(cardText(resolved)).toContain('"text":"Export"');
    await sendClick(stack.events, { actionId: 'triage:export', value: button(resolved, 'triage:export'), channelId: channel, messageTs: cardTs(before), responseUrl: `${stack.slack.responseUrlBase}find-export` });
    const done = await stack.slack.waitFor(() => stack.slack.callsTo('files.completeUploadExternal').find((c) => c.body.thread_ts === cardTs(before) && /Postmortem/.test(c.body.initial_comment ?? '')));
    expect(done.body.channel_id).toBe(channel);
    const name = stack.slack.callsTo('files.getUploadURLExternal').map((c) => c.body.filename).find((f) => f?.endsWith('.md'));
    expect(name).toBe(`caracal-triage-${triageIdOf(before)}.md`);
    const upload = stack.slack.uploads.at(-1)!.content;
    expect(upload).toMatch(/^# Caracal triage `tri-/);
    expect(upload).toContain('## Timeline');
    expect(upload).toMatch(/\| oncall \| resolved the triage \|/);
    expect(upload).toContain('## Diagnostic bundle');
    expect(upload).toContain('The audit chain verifies');
    // Nothing about the triage changed, and nobody was told off.
    expect(stack.slack.responses.find((r) => r.id === 'find-export')).toBeUndefined();
  });
});

describe('a direct message to the bot', () => {
  it('takes the command, answers in the DM and posts the card there', async () => {
    const dm = 'D0ONCALL9';
    expect((await sendEvent(stack.events, { type: 'message', channel_type: 'im', channel: dm, user: 'U0ONCALL', text: `triage ${requestId}`, ts: '1700000500.000100' })).status).toBe(200);
    const answer = await stack.slack.waitFor(() => posts(dm).find((p) => !p.body.blocks && /Triage started/.test(p.body.text ?? '')));
    expect(answer.body.thread_ts).toBeUndefined();
    const card = await settledCard(dm);
    expect(cardText(card)).toContain('Failing surface');
    // The bot's own posts in the DM are not commands (no answer to them).
    await sendEvent(stack.events, { type: 'message', channel_type: 'im', channel: dm, user: 'UBOT0001', bot_id: 'BBOT0001', text: 'list', ts: '1700000501.000100' });
    await sendEvent(stack.events, { type: 'message', channel_type: 'im', channel: dm, user: 'U0ONCALL', text: 'list', ts: '1700000502.000100' });
    const listed = await stack.slack.waitFor(() => posts(dm).find((p) => /Open triages in this conversation/.test(p.body.text ?? '')));
    expect(listed.body.text).toContain('a direct message');
    expect(posts(dm).filter((p) => /Open triages/.test(p.body.text ?? ''))).toHaveLength(1);
  }, 40_000);
});
