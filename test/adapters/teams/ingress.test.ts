/**
 * The Teams messaging endpoint over real HTTP with authentication on: activities as Teams
 * sends them, correctly signed unless the point is the signature; replies to the fake
 * connector with the login's bearer token.
 */
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTeamsAdapter } from '../../../adapters/teams/adapter';
import { parseTeamsConfig } from '../../../adapters/teams/config';
import { type TeamsEvent, type TeamsEventHandler, createTeamsIngress, refuseWithoutToken } from '../../../adapters/teams/ingress';
import { isActionOnCard } from '../../../adapters/teams/reference';
import { ChatRateLimitedError } from '../../../src/chat/port';
import { buildStatusCard } from '../../../adapters/teams/render';
import { type FakeBotConnector, startFakeBotConnector } from '../../support/fake-bot-connector';
import { type MicrosoftLogin, type OpenIdServer, interceptMicrosoftLogin, makeSigningKey, signChannelToken, startOpenIdServer } from '../../support/teams-auth';
import { APP_ID, CHANNEL, TENANT_ID, channelMessage, executeInvoke, personalMessage, submitMessage } from './fixtures';
import { diagnosedRecord } from './records';

const key = makeSigningKey('ingress-key');
let connector: FakeBotConnector;
let openId: OpenIdServer;
let login: MicrosoftLogin;
let server: Server;
let url: string;
let events: TeamsEvent[];
let handler: TeamsEventHandler;

beforeAll(async () => {
  connector = await startFakeBotConnector();
  openId = await startOpenIdServer([key]);
  login = interceptMicrosoftLogin(TENANT_ID);
  const parsed = parseTeamsConfig({
    MICROSOFT_APP_ID: APP_ID,
    MICROSOFT_APP_PASSWORD: 'client-secret-value',
    MICROSOFT_APP_TENANT_ID: TENANT_ID,
    MICROSOFT_OPENID_METADATA_URL: openId.metadataUrl,
  });
  if (!parsed.ok || !parsed.config) throw new Error('config did not parse');
  const config = parsed.config;
  const handle = createTeamsIngress({ adapter: createTeamsAdapter(config), config });
  const app = express();
  app.post(
    '/api/messages',
    (req, res, next) => {
      const refused = refuseWithoutToken(req.headers, config);
      if (refused) res.status(refused.status).json(refused.body);
      else next();
    },
    express.json({ limit: '64kb' }),
    async (req, res) => {
      const answer = await handle({ method: req.method, headers: req.headers, body: req.body }, (e, turn) => {
        events.push(e);
        return handler(e, turn);
      });
      res.status(answer.status);
      if (answer.body === undefined) res.end();
      else res.json(answer.body);
    },
  );
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages`;
});
afterAll(async () => {
  await new Promise<void>((r) => {
    server.close(() => r());
    server.closeAllConnections();
  });
  await connector.close();
  await openId.close();
  login.done();
});
beforeEach(() => {
  events = [];
  connector.reset();
  handler = async () => undefined;
});

async function post(body: unknown, token: string | null = signChannelToken(key, { aud: APP_ID, serviceurl: connector.url })) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(url, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* express's own 400 page for a body that is not JSON */
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, body: parsed as any };
}

describe('Teams ingress', () => {
  it('a channel @mention runs the command and answers at once in the thread', async () => {
    handler = async (e, turn) => {
      if (e.kind === 'command') await turn.replyText(`Triage started for \`${e.text}\``);
    };
    const res = await post(channelMessage(connector.url, 'triage req-1'));
    expect(res.status).toBe(200);
    expect(events).toMatchObject([{ kind: 'command', text: 'triage req-1', conversation: { kind: 'channel' } }]);
    const [reply] = connector.posted();
    expect(reply).toMatchObject({ kind: 'reply', conversationId: `${CHANNEL};messageid=1700000000123`, activityId: '1700000000123', authorization: `Bearer ${login.token}` });
    expect(reply.body.text).toBe('Triage started for `triage req-1`');
  });

  it('an Action.Execute gets the updated card back as the invoke response', async () => {
    const card = buildStatusCard(diagnosedRecord({ version: 4, state: 'walking' }), { signingKey: 'k'.repeat(48) });
    handler = async (e) => (e.kind === 'action' ? { card } : undefined);
    const res = await post(executeInvoke(connector.url, 'v1.token.sig'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card });
    expect(events[0]).toMatchObject({ kind: 'action', buttonValue: 'v1.token.sig', via: 'execute', replyToId: '1700000000999' });
  });

  it('a refused action answers the clicker with a message and changes nothing', async () => {
    handler = async () => ({ message: 'This card has already advanced since you opened it; nothing was changed. Use the latest card.' });
    const res = await post(executeInvoke(connector.url, 'v1.stale.sig'));
    expect(res.body).toEqual({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: expect.stringContaining('already advanced') });
    expect(connector.calls).toHaveLength(0);
  });

  it('a click binds to its card: same thread and the card’s activity id', async () => {
    const card = { conversationRef: { channelId: 'msteams' as const, serviceUrl: connector.url, conversation: { id: `${CHANNEL};messageid=1700000000123`, conversationType: 'channel' as const }, bot: { id: `28:${APP_ID}` } }, activityId: '1700000000999' };
    await post(executeInvoke(connector.url, 'v'));
    await post(executeInvoke(connector.url, 'v', '1700000000998'));
    const [onCard, other] = events.map((e) => (e.kind === 'action' ? { conversationId: e.conversation.id, replyToId: e.replyToId } : null));
    expect(onCard && isActionOnCard(card, onCard)).toBe(true);
    expect(other && isActionOnCard(card, other)).toBe(false);
    expect(isActionOnCard(card, { conversationId: '19:otherChannel@thread.tacv2;messageid=1', replyToId: '1700000000999' })).toBe(false);
  });

  it('an Action.Submit from an old client updates the card in place through the connector', async () => {
    const card = buildStatusCard(diagnosedRecord(), { signingKey: 'k'.repeat(48) });
    handler = async () => ({ card });
    const res = await post(submitMessage(connector.url, 'v1.token.sig'));
    expect(res.status).toBe(200);
    const [update] = connector.updates();
    expect(update).toMatchObject({ activityId: '1700000000999', authorization: `Bearer ${login.token}` });
    expect(update.body.attachments[0].content).toEqual(card);
  });

  it.each([
    ['not JSON', '{"type":'],
    ['no activity type', { channelId: 'msteams' }],
    ['a message without a conversation', { ...personalMessage('x', 'help'), conversation: null }],
  ])('a malformed activity (%s) gets 400 and nothing runs', async (_what, body) => {
    const res = await post(typeof body === 'string' ? body : { ...body, serviceUrl: connector.url });
    expect(res.status).toBe(400);
    expect(events).toHaveLength(0);
    expect(connector.calls).toHaveLength(0);
  });

  it('without a token the answer is 401 before the body is read; a bad token is 401 after it; nothing runs', async () => {
    expect((await post(personalMessage(connector.url, 'help'), null)).status).toBe(401);
    expect((await post(personalMessage(connector.url, 'help'), signChannelToken(key, { aud: 'someone-else', serviceurl: connector.url }))).status).toBe(401);
    expect(events).toHaveLength(0);
    expect(connector.calls).toHaveLength(0);
  });

  it('an activity we do not act on is answered 200 and runs nothing', async () => {
    const res = await post({ ...channelMessage(connector.url, 'hello'), entities: [], text: 'hello' });
    expect(res.status).toBe(200);
    expect(events).toHaveLength(0);
  });

  it('a handler failure is a 500 without its details', async () => {
    handler = async () => {
      throw new Error('secret internals');
    };
    const res = await post(personalMessage(connector.url, 'help'));
    expect(res).toEqual({ status: 500, body: { error: 'the bot could not handle this activity' } });
  });
});

describe('Teams ingress replies', () => {
  it('a 429 on the immediate reply reaches the handler as a ChatRateLimitedError, sent once', async () => {
    const seen: unknown[] = [];
    handler = async (_e, turn) => {
      try {
        await turn.replyText('Triage started');
      } catch (e) {
        seen.push(e);
      }
    };
    connector.failNext({ status: 429, retryAfter: 2 });
    const res = await post(personalMessage(connector.url, 'help'));
    expect(res.status).toBe(200);
    expect(seen[0]).toBeInstanceOf(ChatRateLimitedError);
    expect((seen[0] as ChatRateLimitedError).retryAfterMs).toBe(2000);
    expect(connector.calls).toHaveLength(1);
  });
});
