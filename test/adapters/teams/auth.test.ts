/**
 * Bot Framework authentication with an app ID set, over real HTTP: activities posted to a
 * route that hands them to the CloudAdapter built from configuration, tokens signed with keys
 * served on loopback through MICROSOFT_OPENID_METADATA_URL, replies going to the fake
 * connector with a bearer token from Microsoft's (intercepted) login. Nothing turns
 * authentication off.
 */
import { createTeamsAdapter } from '../../../adapters/teams/adapter';
import { type TeamsConfig, parseTeamsConfig } from '../../../adapters/teams/config';
import { type FakeBotConnector, startFakeBotConnector } from '../../support/fake-bot-connector';
import {
  type MicrosoftLogin,
  type OpenIdServer,
  type SigningKey,
  interceptMicrosoftLogin,
  makeSigningKey,
  signChannelToken,
  startOpenIdServer,
} from '../../support/teams-auth';
import { type TeamsRoute, startTeamsRoute } from '../../support/teams-route';
import { APP_ID, TENANT_ID, channelMessage } from './fixtures';

const good = makeSigningKey('key-teams');
const otherChannel = makeSigningKey('key-skype', ['skype', 'webchat']);
const noEndorsements = makeSigningKey('key-bare', null);
const unpublished = makeSigningKey('key-unpublished');

let connector: FakeBotConnector;
let openId: OpenIdServer;
let login: MicrosoftLogin;
let route: TeamsRoute;
let turns: string[];
let config: TeamsConfig;

beforeAll(async () => {
  connector = await startFakeBotConnector();
  openId = await startOpenIdServer([good, otherChannel, noEndorsements]);
  login = interceptMicrosoftLogin(TENANT_ID);
  const parsed = parseTeamsConfig({
    MICROSOFT_APP_ID: APP_ID,
    MICROSOFT_APP_PASSWORD: 'client-secret-value',
    MICROSOFT_APP_TENANT_ID: TENANT_ID,
    MICROSOFT_OPENID_METADATA_URL: openId.metadataUrl,
  });
  if (!parsed.ok || !parsed.config) throw new Error('config did not parse');
  config = parsed.config;
  route = await startTeamsRoute(createTeamsAdapter(config), async (ctx) => {
    turns.push(ctx.activity.text ?? '');
    await ctx.sendActivity('triage started');
  });
});
afterAll(async () => {
  await route.close();
  await connector.close();
  await openId.close();
  login.done();
});
beforeEach(() => {
  turns = [];
  connector.reset();
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

const token = (key: SigningKey, over: Partial<Parameters<typeof signChannelToken>[1]> = {}) =>
  signChannelToken(key, { aud: APP_ID, serviceurl: connector.url, ...over });

describe('inbound JWT checks', () => {
  it('accepts a correctly signed activity, runs the turn, and the reply carries a bearer token from the login', async () => {
    const res = await route.post(channelMessage(connector.url, 'triage req-1'), token(good));
    expect(res.status).toBe(200);
    expect(turns).toHaveLength(1);
    const [reply] = connector.posted();
    expect(reply.kind).toBe('reply');
    expect(reply.authorization).toBe(`Bearer ${login.token}`);
    expect(login.tokenRequests[0]).toMatchObject({ client_id: APP_ID, grant_type: 'client_credentials', scope: 'https://api.botframework.com/.default' });
  });

  const refused: Array<[string, () => string | null]> = [
    ['no token', () => null],
    ['a wrong audience', () => token(good, { aud: '99999999-2222-3333-4444-555555555555' })],
    ['an expired token', () => token(good, { expiresIn: -600 })],
    ['a wrong issuer', () => token(good, { iss: 'https://evil.example' })],
    ['a key not in the metadata', () => token(unpublished)],
    ['a key endorsed for other channels only', () => token(otherChannel)],
    ['a key with no endorsements at all', () => token(noEndorsements)],
    ['a serviceurl claim that is not the activity serviceUrl', () => token(good, { serviceurl: 'https://smba.trafficmanager.net/amer/' })],
    ['a token signed by a key other than the one it names', () => token({ ...unpublished, kid: good.kid })],
    ['a token not valid yet', () => token(good, { notBeforeIn: 3600 })],
  ];
  it.each(refused)('refuses %s with 401 and runs nothing', async (_what, make) => {
    const res = await route.post(channelMessage(connector.url, 'triage req-1'), make());
    expect(res.status).toBe(401);
    expect(turns).toHaveLength(0);
    expect(connector.calls).toHaveLength(0);
  });

  it('fetched the published keys once per cache for the whole run, not per request (botbuilder and the endorsement check each keep theirs for 24 h)', () => {
    expect(openId.fetches).toEqual({ metadata: 2, keys: 2 });
  });
});

describe('outbound with an app ID', () => {
  it('a proactive post from a worker adapter (no inbound server) carries the bearer token', async () => {
    const worker = createTeamsAdapter(config);
    await worker.continueConversationAsync(
      APP_ID,
      { channelId: 'msteams', serviceUrl: connector.url, conversation: { id: 'a:chat', conversationType: 'personal', isGroup: false, name: '' }, bot: { id: `28:${APP_ID}`, name: 'Caracal' } },
      async (ctx) => {
        await ctx.sendActivity('from the worker');
      },
    );
    const [post] = connector.posted();
    expect(post.conversationId).toBe('a:chat');
    expect(post.authorization).toBe(`Bearer ${login.token}`);
  });
});
