/**
 * End to end: signed Slack requests → Bolt → the real TriageService (Redis) → the real
 * workers and engine (against the Caracal simulator) → the Slack ChatPort → the fake Slack
 * Web API, where we read what people would have seen.
 */
import { SEEDED_SECRETS } from '../../../sim';
import { type SlackCall, blocksOf } from '../../support/fake-slack-api';
import { commandBody, sendClick, sendCommand, sendEvent, sendSigned } from '../../support/slack-signing';
import { type SlackStack, startSlackStack } from './stack';

let stack: SlackStack;
let requestId: string;

beforeAll(async () => {
  stack = await startSlackStack({ scenario: 'scope_mismatch' });
  requestId = stack.sim.scenario.input.requestId;
});
afterAll(() => stack.close());

const posts = (channel: string): SlackCall[] => stack.slack.callsTo('chat.postMessage').filter((c) => c.body.channel === channel);
const cardPosts = (channel: string): SlackCall[] => posts(channel).filter((c) => !c.body.thread_ts);
const replies = (channel: string): SlackCall[] => posts(channel).filter((c) => c.body.thread_ts);
const updates = (channel: string): SlackCall[] => stack.slack.callsTo('chat.update').filter((c) => c.body.channel === channel);
const cardText = (c: SlackCall): string => JSON.stringify(blocksOf(c));

/** What the card shows now: its last update, else its last post (a 429'd attempt is recorded too). */
function latestCard(channel: string): SlackCall | undefined {
  const u = updates(channel);
  const p = cardPosts(channel);
  return u.length ? u[u.length - 1] : p[p.length - 1];
}

/** The triage ID printed in a card's footer. */
function triageIdOf(card: SlackCall): string {
  const m = /Triage `(tri-[0-9a-z]+)`/.exec(card.body.blocks ?? '');
  if (!m) throw new Error('no triage ID on the card');
  return m[1];
}

/** The ts of the message a card call drew (an update names it; a post got it from the fake). */
function cardTs(card: SlackCall): string {
  if (card.body.ts) return card.body.ts;
  const m = stack.slack.messages.find((x) => x.channel === card.body.channel && !x.thread_ts && x.blocks === card.body.blocks);
  if (!m) throw new Error('the fake did not store this card');
  return m.ts;
}

function button(card: SlackCall, actionId: string): string {
  for (const b of blocksOf(card)) {
    if (b.type !== 'actions') continue;
    const el = (b.elements as Array<{ action_id: string; value: string }>).find((e) => e.action_id === actionId);
    if (el) return el.value;
  }
  throw new Error(`no ${actionId} button on the card`);
}

/**
 * Until no collect or post job is waiting, running or delayed: whatever these deliveries set
 * off has been posted by then, however slow the machine (a fixed pause would not say so).
 */
async function drained(timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const busy = async (): Promise<boolean> => {
    const counts = await Promise.all([stack.queues.collect, stack.queues.post].map((q) => q.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children')));
    return counts.some((c) => Object.values(c).some((n) => n > 0));
  };
  while (await busy()) {
    if (Date.now() > deadline) throw new Error(`queues not drained within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function settledCard(channel: string): Promise<SlackCall> {
  return stack.slack.waitFor(() => {
    const c = latestCard(channel);
    return c && cardText(c).includes('Failing surface') && replies(channel).length >= 8 && c;
  }, 20_000);
}

describe('a triage from Slack', () => {
  const channel = 'C0E2E001';

  it('posts the card and threads every step under it, with the diagnosis first', async () => {
    const ack = await sendCommand(stack.events, { text: `triage ${requestId}`, channel_id: channel });
    expect(ack.status).toBe(200);
    expect(ack.json).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('Triage started') });
    const card = await settledCard(channel);
    expect(cardPosts(channel)).toHaveLength(1);
    const ref = await stack.service.messageRef(triageIdOf(card));
    if (ref?.platform !== 'slack') throw new Error('no Slack message ref stored');
    expect(ref.channel).toBe(channel);
    expect(updates(channel).every((u) => u.body.ts === ref.ts)).toBe(true);
    for (const r of replies(channel)) expect(r.body.thread_ts).toBe(ref.ts);
    const stepHeads = replies(channel).map((r) => blocksOf(r)[0]).map((b) => JSON.stringify(b));
    for (let i = 1; i <= 8; i++) expect(stepHeads.some((h) => h.includes(`Step ${i}/8`))).toBe(true);
    const summary = JSON.stringify(blocksOf(card)[1]);
    expect(summary).toContain('Failing surface: Resource definition');
    expect(summary).toContain('scope_mismatch');
    // Everything from Caracal went through escaping: no live Slack control sequence anywhere
    // (the simulator plants secrets and odd values; only our own user mentions may appear).
    for (const c of [...posts(channel), ...updates(channel)]) expect(c.body.blocks.replace(/<@U0ONCALL>/g, '').replace(/<!date\^\d+\^[^|<>]+\|[^|<>]+>/g, '')).not.toMatch(/<[!@#]|<https?:/);
  });

  it('advances the card when a button is clicked, and refuses the same click twice', async () => {
    const before = latestCard(channel)!;
    const next = button(before, 'triage:next');
    const responseUrl = `${stack.slack.responseUrlBase}e2e-next`;
    // The click comes from the card's own message (Slack's ts are times, so the default would not match).
    const messageTs = cardTs(before);
    expect((await sendClick(stack.events, { actionId: 'triage:next', value: next, channelId: channel, messageTs, responseUrl })).status).toBe(200);
    const after = await stack.slack.waitFor(() => {
      const c = latestCard(channel);
      return c && c !== before && cardText(c).includes('Needs you: step') && c;
    });
    expect(cardText(after)).toContain('<@U0ONCALL>: next step');
    expect(cardText(after)).toContain('next step');
    await sendClick(stack.events, { actionId: 'triage:next', value: next, channelId: channel, messageTs, responseUrl: `${stack.slack.responseUrlBase}e2e-replay` });
    const refused = await stack.slack.waitFor(() => stack.slack.responses.find((r) => r.id === 'e2e-replay'));
    expect(String(refused.body.text)).toContain('already advanced');
  });
});

describe('delivery', () => {
  it('makes a retried command one triage', async () => {
    const channel = 'C0E2E002';
    const body = commandBody({ text: `triage ${requestId}`, channel_id: channel });
    const first = await sendSigned(stack.events, body, 'application/x-www-form-urlencoded');
    const retry = await sendSigned(stack.events, body, 'application/x-www-form-urlencoded', { retryNum: 1, retryReason: 'http_timeout' });
    expect(String(first.json?.text)).toContain('Triage started');
    expect(String(retry.json?.text)).toContain('Already started');
    await settledCard(channel);
    await drained();
    expect(cardPosts(channel)).toHaveLength(1);
  });

  it('honours a 429 from Slack: the post is delayed by Retry-After, then delivered', async () => {
    const channel = 'C0E2E003';
    stack.slack.rateLimit('chat.postMessage', 1, 1);
    await sendCommand(stack.events, { text: `triage ${requestId}`, channel_id: channel });
    await settledCard(channel);
    const limited = stack.slack.callsTo('chat.postMessage').find((c) => c.body.channel === channel)!;
    const delivered = cardPosts(channel);
    expect(delivered).toHaveLength(2); // the 429'd attempt is recorded too
    expect(delivered[1].at - limited.at).toBeGreaterThanOrEqual(950);
  });
});

describe('incident channels', () => {
  it('gets its bundle once, however often Slack tells us', async () => {
    const channel = 'C0E2EINC';
    stack.slack.channels.set(channel, { id: channel, name: 'inc-77-payments', topic: 'payments denials', is_member: false });
    const created = { type: 'channel_created', channel: { id: channel, name: 'inc-77-payments', created: 1, creator: 'U0ONCALL' } };
    await sendEvent(stack.events, created, { eventId: 'EvE2E1' });
    await sendEvent(stack.events, created, { eventId: 'EvE2E1', retryNum: 1 });
    await sendEvent(stack.events, { type: 'member_joined_channel', user: 'UBOT0001', channel, channel_type: 'C' }, { eventId: 'EvE2E2' });
    const bundle = await stack.slack.waitFor(() => replies(channel).find((r) => r.body.text.startsWith('Caracal diagnostic bundle')), 20_000);
    expect(stack.slack.callsTo('conversations.join').some((c) => c.body.channel === channel)).toBe(true);
    expect(bundle.body.thread_ts).toBeDefined();
    await drained();
    expect(cardPosts(channel)).toHaveLength(1);
    expect(replies(channel).filter((r) => r.body.text.startsWith('Caracal diagnostic bundle'))).toHaveLength(1);
    const completes = stack.slack.callsTo('files.completeUploadExternal').filter((c) => c.body.channel_id === channel);
    expect(completes.length).toBeGreaterThanOrEqual(1);
    expect(completes.every((c) => c.body.thread_ts === bundle.body.thread_ts)).toBe(true);
  });
});

describe('secrets', () => {
  it('never sends a seeded Caracal secret to Slack, in messages or files', () => {
    const sent = [...stack.slack.calls.map((c) => JSON.stringify(c.body)), ...stack.slack.uploads.map((u) => u.content)].join('\n');
    expect(stack.slack.uploads.length).toBeGreaterThan(0);
    for (const secret of SEEDED_SECRETS) expect(sent).not.toContain(secret);
  });
});

describe('one card per open triage', () => {
  const channel = 'C0E2EONE';
  const cardsHere = () => stack.slack.channelMessages(channel).filter((m) => m.metadata?.event_payload.post_key === 'card');

  it('answers the same command with a link to the open card instead of a second card; a redelivery is still "already started"', async () => {
    const body = commandBody({ text: `triage ${requestId}`, channel_id: channel });
    expect(String((await sendSigned(stack.events, body, 'application/x-www-form-urlencoded')).json?.text)).toContain('Triage started');
    await settledCard(channel);
    await drained();
    const [card] = cardsHere();

    const again = await sendCommand(stack.events, { text: `triage ${requestId}`, channel_id: channel });
    const text = String(again.json?.text);
    expect(again.json?.response_type).toBe('ephemeral');
    expect(text).toContain('already has an open triage');
    expect(text).toContain(`<https://test.slack.com/archives/${channel}/p${card!.ts.replace('.', '')}|its card>`);
    expect(text).toContain('*Fixed, re-check*');
    const redelivered = await sendSigned(stack.events, body, 'application/x-www-form-urlencoded', { retryNum: 1, retryReason: 'http_timeout' });
    expect(String(redelivered.json?.text)).toContain('Already started');
    await drained();
    expect(cardsHere()).toHaveLength(1);
  });

  it('starts a new triage for another zone, and for the same command once the first is resolved', async () => {
    await sendCommand(stack.events, { text: `triage ${requestId} zone-other`, channel_id: channel });
    await stack.slack.waitFor(() => cardsHere().length === 2);

    const first = cardsHere()[0]!;
    const triageId = String(first.metadata!.event_payload.triage_id);
    const resolve = blocksOf({ method: 'chat.update', body: { blocks: first.blocks! }, token: null, at: 0 })
      .filter((b) => b.type === 'actions')
      .flatMap((b) => b.elements as Array<{ action_id: string; value: string }>)
      .find((e) => e.action_id === 'triage:resolve')!;
    await sendClick(stack.events, { actionId: 'triage:resolve', value: resolve.value, channelId: channel, messageTs: first.ts, responseUrl: `${stack.slack.responseUrlBase}one-resolve` });
    await stack.slack.waitFor(() => stack.slack.messages.find((m) => m.ts === first.ts)?.blocks?.includes('*Resolved* by'));
    expect((await stack.service.get(triageId))!.state).toBe('resolved');

    const afterResolve = await sendCommand(stack.events, { text: `triage ${requestId}`, channel_id: channel });
    expect(String(afterResolve.json?.text)).toContain('Triage started');
    await stack.slack.waitFor(() => cardsHere().length === 3);
  });
});
