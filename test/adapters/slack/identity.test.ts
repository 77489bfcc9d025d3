import { createSlackWebClient } from '../../../adapters/slack/client';
import { SlackIdentityResolver } from '../../../adapters/slack/identity';
import { stripMention, unescapeSlack } from '../../../adapters/slack/text';
import { type FakeSlackApi, startFakeSlackApi } from '../../support/fake-slack-api';

let slack: FakeSlackApi;
beforeAll(async () => {
  slack = await startFakeSlackApi();
});
afterAll(() => slack.close());

describe('SlackIdentityResolver', () => {
  it('asks auth.test once, and forgets a failure instead of caching it', async () => {
    const resolver = new SlackIdentityResolver(createSlackWebClient('xoxb-test-token', { apiUrl: slack.url }));
    slack.failWith('auth.test', 'fatal_error');
    await expect(resolver.get()).rejects.toThrow();
    expect(resolver.lastError).toBe('fatal_error');
    expect(resolver.current()).toBeNull();
    const [a, b] = await Promise.all([resolver.get(), resolver.get()]);
    expect(a).toEqual({ botUserId: 'UBOT0001', botId: 'BBOT0001', teamId: 'T0TEST01' });
    expect(b).toBe(a);
    await resolver.get();
    expect(slack.callsTo('auth.test')).toHaveLength(2);
  });

  it('skips auth.test when the IDs are given', async () => {
    slack.reset();
    const resolver = new SlackIdentityResolver(createSlackWebClient('xoxb-test-token', { apiUrl: slack.url }), { botUserId: 'U1', botId: 'B1' });
    expect(await resolver.get()).toEqual({ botUserId: 'U1', botId: 'B1', teamId: null });
    expect(slack.calls).toHaveLength(0);
  });
});

describe('Slack text', () => {
  it('undoes Slack escaping and strips the bot mention', () => {
    expect(unescapeSlack('a &lt;b&gt; &amp;lt;')).toBe('a <b> &lt;');
    expect(stripMention('<@UBOT0001> triage <https://x.example/a|x.example/a>', 'UBOT0001')).toBe('triage https://x.example/a');
    expect(stripMention('<@UBOT0001|caracal>  help', undefined)).toBe('help');
  });
});
