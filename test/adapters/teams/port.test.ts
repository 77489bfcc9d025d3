/**
 * The Teams ChatPort against the fake Bot Connector with authentication on: every call
 * carries the bearer token from Microsoft's (intercepted) login, as a worker process would
 * send it with its own adapter and no inbound server. What every port does (a 429 reported once
 * with its Retry-After, among the rest) is test/chat/port-conformance.test.ts's.
 */
import { TeamsChatPort } from '../../../adapters/teams/port';
import { parseTeamsConfig } from '../../../adapters/teams/config';
import { LIMITS } from '../../../adapters/teams/render';
import { ChatPermanentError, ChatRateLimitedError, type Destination } from '../../../src/chat/port';
import { verifyButton } from '../../../src/commands/button-token';
import { STEP_IDS } from '../../../src/triage/model';
import { type FakeBotConnector, startFakeBotConnector } from '../../support/fake-bot-connector';
import { type MicrosoftLogin, interceptMicrosoftLogin } from '../../support/teams-auth';
import { APP_ID, BOT, CHANNEL, TENANT_ID } from './fixtures';
import { diagnosedRecord, worstCaseRecord } from './records';

const KEY = 'k'.repeat(48);
let connector: FakeBotConnector;
let login: MicrosoftLogin;
let port: TeamsChatPort;

beforeAll(async () => {
  connector = await startFakeBotConnector();
  login = interceptMicrosoftLogin(TENANT_ID);
  const parsed = parseTeamsConfig({ MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: 'client-secret-value', MICROSOFT_APP_TENANT_ID: TENANT_ID });
  if (!parsed.ok || !parsed.config) throw new Error('config did not parse');
  port = new TeamsChatPort({ config: parsed.config, signingKey: KEY });
});
afterAll(async () => {
  await connector.close();
  login.done();
});
beforeEach(() => connector.reset());

function destination(conversationId: string, kind: 'channel' | 'groupChat' | 'personal' = 'channel'): Destination {
  return {
    platform: 'teams',
    conversationRef: { channelId: 'msteams', serviceUrl: connector.url, conversation: { id: conversationId, conversationType: kind, tenantId: TENANT_ID, isGroup: kind !== 'personal' }, bot: BOT },
  };
}

const THREAD = `${CHANNEL};messageid=1700000000123`;

function cardOf(body: { attachments: Array<{ contentType: string; content: { actions?: Array<{ data: { value: string } }> } }> }) {
  expect(body.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
  return body.attachments[0].content;
}

describe('TeamsChatPort', () => {
  it('posts the card into the command’s channel thread, updates it in place, and replies in the thread in order', async () => {
    const r = diagnosedRecord();
    const ref = await port.postCard(destination(THREAD), r);
    const [post] = connector.calls;
    expect(post).toMatchObject({ method: 'POST', kind: 'reply', conversationId: THREAD, activityId: '1700000000123', authorization: `Bearer ${login.token}` });
    expect(ref).toEqual({ platform: 'teams', conversationRef: expect.objectContaining({ conversation: expect.objectContaining({ id: THREAD }), activityId: post.createdId }), activityId: post.createdId });

    await port.updateCard(ref, { ...r, version: 4, state: 'walking', current: 'requested_scopes' });
    const [update] = connector.updates();
    expect(update).toMatchObject({ method: 'PUT', conversationId: THREAD, activityId: post.createdId, authorization: `Bearer ${login.token}` });
    const claim = verifyButton(cardOf(update.body).actions?.[0].data.value, KEY);
    expect(claim.ok && claim.claim.version).toBe(4);

    // Called without awaiting each, the first held by Teams: the rest wait behind it and go in the order called.
    const held = connector.hold((c) => c.kind === 'reply');
    const all = Promise.all([...STEP_IDS.map((s) => port.postStep(ref, r, s)), port.postBundle(ref, r)]);
    await held.arrived;
    await new Promise((res) => setTimeout(res, 200));
    expect(connector.calls.filter((c) => c.kind === 'reply')).toHaveLength(2);
    held.release();
    await all;
    const replies = connector.posted(THREAD).slice(1);
    expect(replies.map((c) => c.activityId)).toEqual(Array(9).fill(post.createdId));
    const headings = replies.map((c) => (c.body.attachments[0].content.body[0] as { text: string }).text);
    expect(headings.slice(0, 8).map((h) => /Step (\d)\/8/.exec(h)?.[1])).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
    expect(headings[8]).toMatch(/^📦 \*\*Diagnostic bundle\*\*/);
    expect(replies.every((c) => c.authorization === `Bearer ${login.token}`)).toBe(true);
  });

  it('a channel without a thread gets a new post (new conversation); later replies go into that post’s thread', async () => {
    const ref = await port.postCard(destination(CHANNEL), diagnosedRecord());
    const [create] = connector.calls;
    expect(create).toMatchObject({ method: 'POST', kind: 'create_conversation', authorization: `Bearer ${login.token}` });
    expect(create.body).toMatchObject({ isGroup: true, channelData: { channel: { id: CHANNEL } }, tenantId: TENANT_ID });
    const thread = `${CHANNEL};messageid=${create.createdId}`;
    expect(ref).toMatchObject({ activityId: create.createdId, conversationRef: { conversation: { id: thread } } });
    await port.postStep(ref, diagnosedRecord(), 'readiness');
    expect(connector.calls[1]).toMatchObject({ kind: 'reply', conversationId: thread, activityId: create.createdId });
  });

  it('in a group chat or a personal chat the card is a plain message in the conversation', async () => {
    const ref = await port.postCard(destination('19:groupChatId@thread.v2', 'groupChat'), diagnosedRecord());
    expect(connector.calls[0]).toMatchObject({ kind: 'send', conversationId: '19:groupChatId@thread.v2' });
    await port.postCard(destination('a:personalChat', 'personal'), diagnosedRecord());
    expect(connector.calls[1]).toMatchObject({ kind: 'send', conversationId: 'a:personalChat' });
    await port.updateCard(ref, diagnosedRecord());
    expect(connector.calls[2]).toMatchObject({ kind: 'update', conversationId: '19:groupChatId@thread.v2' });
  });

  it('the largest messages of a worst-case triage arrive under Teams’ 28 KB', async () => {
    const r = worstCaseRecord();
    const ref = await port.postCard(destination(THREAD), r);
    for (const s of STEP_IDS) await port.postStep(ref, r, s);
    await port.postBundle(ref, r);
    const biggest = Math.max(...connector.calls.map((c) => c.bytes));
    expect(biggest).toBeLessThan(LIMITS.teamsMessageBytes);
  });

  it.each([412, 502, 504] as const)('a %i is a slow-down with a short backoff when Teams names no wait', async (status) => {
    const ref = await port.postCard(destination(THREAD), diagnosedRecord());
    connector.failNext({ status });
    const err = await port.updateCard(ref, diagnosedRecord()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChatRateLimitedError);
    expect((err as ChatRateLimitedError).retryAfterMs).toBeGreaterThanOrEqual(1000);
    expect((err as ChatRateLimitedError).retryAfterMs).toBeLessThanOrEqual(2000);
    expect(connector.calls.filter((c) => c.kind === 'update')).toHaveLength(1);
  });

  it.each([403, 404] as const)('"bot is not part of the conversation roster" (%i) is permanent, with what to do', async (status) => {
    connector.failNext({ status, roster: true });
    const err = await port.postCard(destination(THREAD), diagnosedRecord()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChatPermanentError);
    expect((err as ChatPermanentError).code).toBe('bot_not_in_conversation');
    expect((err as Error).message).toContain('add the app again');
    expect(connector.calls).toHaveLength(1);
  });

  it('413 MessageSizeTooBig is permanent with a clear reason', async () => {
    const ref = await port.postCard(destination(THREAD), diagnosedRecord());
    connector.failNext({ status: 413 });
    const err = await port.postStep(ref, diagnosedRecord(), 'readiness').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChatPermanentError);
    expect((err as ChatPermanentError).code).toBe('message_too_big');
    expect((err as Error).message).toMatch(/HTTP 413 MessageSizeTooBig \(the message is larger than Teams accepts/);
  });

  it('a reference that is not a Teams reference is refused without a call', async () => {
    await expect(port.updateCard({ platform: 'teams', conversationRef: { conversation: { id: 'x' } }, activityId: '1' }, diagnosedRecord())).rejects.toMatchObject({ code: 'invalid_message_ref' });
    await expect(port.postCard({ platform: 'slack', channel: 'C1' }, diagnosedRecord())).rejects.toMatchObject({ code: 'wrong_platform' });
    expect(connector.calls).toHaveLength(0);
  });

  it('asked the login for a token once and reused it', () => {
    expect(login.tokenRequests).toHaveLength(1);
  });
});
