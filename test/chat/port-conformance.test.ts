/**
 * The one ChatPort suite (test/support/chat-port-conformance.ts) over every port: Slack's against
 * the fake Web API, Teams' against the fake Bot Connector (authentication off: what a port
 * sends is the point here, the token is test/adapters/teams/port.test.ts's), and the in-memory
 * port the queue tests and the benchmark post through.
 */
import { SlackChatPort } from '../../adapters/slack/port';
import { parseTeamsConfig } from '../../adapters/teams/config';
import { TeamsChatPort } from '../../adapters/teams/port';
import { ChatPermanentError, type Destination, type MessageRef } from '../../src/chat/port';
import { describeChatPort } from '../support/chat-port-conformance';
import { startFakeBotConnector } from '../support/fake-bot-connector';
import { startFakeSlackApi } from '../support/fake-slack-api';
import { createMemoryPort } from '../support/memory-port';

const KEY = 'k'.repeat(48);
let conversations = 0;
const next = (): number => ++conversations;

const SLACK_DESTINATION: Destination = { platform: 'slack', channel: 'C0ELSEWHERE' };
const teamsDestination = (serviceUrl: string, conversationId: string): Destination => ({
  platform: 'teams',
  conversationRef: { channelId: 'msteams', serviceUrl, conversation: { id: conversationId, conversationType: 'channel', isGroup: true }, bot: { id: '28:conformance', name: 'Caracal' } },
});

describeChatPort('Slack', async () => {
  const slack = await startFakeSlackApi();
  const port = new SlackChatPort({ token: 'xoxb-test-token', apiUrl: slack.url, signingKey: KEY });
  const posts = slack.callsTo.bind(slack);
  return {
    close: () => slack.close(),
    bench: {
      port,
      destination: () => ({ platform: 'slack', channel: `C0CONF${String(next()).padStart(4, '0')}`, teamId: slack.teamId }),
      foreign: teamsDestination('http://127.0.0.1:9/teams/', '19:elsewhere@thread.tacv2'),
      idOf: (ref: MessageRef) => String((ref as { ts?: unknown }).ts),
      posts: () => slack.messages.filter((m) => !m.files).map((m) => ({ id: m.ts, replyTo: m.thread_ts ?? null, text: `${m.text}\n${m.blocks ?? ''}` })),
      updates: () => posts('chat.update').filter((c) => !c.refused).map((c) => c.body.ts!),
      attempts: () => slack.calls.length,
      slowDownNext: (seconds: number) => {
        slack.rateLimit('chat.postMessage', seconds);
        slack.rateLimit('chat.update', seconds);
      },
      refuseNext: (what: 'conversation' | 'message') => {
        const error = what === 'conversation' ? 'channel_not_found' : 'msg_too_long';
        slack.failWith('chat.postMessage', error);
        slack.failWith('chat.update', error);
      },
      reset: () => slack.reset(),
    },
  };
});

describeChatPort('Teams', async () => {
  const parsed = parseTeamsConfig({ MICROSOFT_APP_ID: '', MICROSOFT_APP_TYPE: 'MultiTenant' });
  if (!parsed.ok || !parsed.config) throw new Error(`the Teams config did not parse: ${JSON.stringify(parsed)}`);
  const connector = await startFakeBotConnector();
  const port = new TeamsChatPort({ config: parsed.config, signingKey: KEY });
  return {
    close: () => connector.close(),
    bench: {
      port,
      // A channel thread (the command's), so the card and its replies share one conversation.
      destination: () => teamsDestination(connector.url, `19:conformance${next()}@thread.tacv2;messageid=1700000000123`),
      foreign: SLACK_DESTINATION,
      idOf: (ref: MessageRef) => String((ref as { activityId?: unknown }).activityId),
      posts: () => connector.posted().map((c) => ({ id: c.createdId!, replyTo: c.kind === 'reply' ? c.activityId : null, text: JSON.stringify(c.body) })),
      updates: () => connector.updates().map((c) => c.activityId!),
      attempts: () => connector.calls.length,
      slowDownNext: (seconds: number) => connector.failNext({ status: 429, retryAfter: seconds }),
      refuseNext: (what: 'conversation' | 'message') => connector.failNext(what === 'conversation' ? { status: 403, roster: true } : { status: 413 }),
      reset: () => connector.reset(),
      knownDeviations: [
        // The bot removed from the team or chat (403/404 "not part of the conversation roster")
        // refuses every later post there too, but adapters/teams/errors.ts reports it as a refusal
        // of the one message (`affects` left at its default), so the thread pump tries each
        // remaining reply in turn. Listed, not fixed: issue 16 changes no behaviour.
        'a conversation that refuses for good is a ChatPermanentError for the whole conversation',
      ],
    },
  };
});

describeChatPort('in-memory (test/support/memory-port.ts)', async () => {
  const port = createMemoryPort();
  const delivered = () => port.calls.filter((c) => c.outcome === 'ok');
  return {
    close: async () => undefined,
    bench: {
      port,
      destination: () => ({ platform: 'slack', channel: `C-conformance-${next()}` }),
      foreign: teamsDestination('http://127.0.0.1:9/teams/', '19:elsewhere@thread.tacv2'),
      idOf: (ref: MessageRef) => String((ref as { ts?: unknown }).ts),
      posts: () =>
        delivered()
          .filter((c) => c.method !== 'updateCard')
          .map((c) => {
            const ts = (ref?: MessageRef) => String((ref as { ts?: unknown } | undefined)?.ts);
            return c.method === 'postCard' ? { id: ts(c.ref), replyTo: null, text: c.text } : { id: ts(c.reply), replyTo: ts(c.ref), text: c.text };
          }),
      updates: () => delivered().filter((c) => c.method === 'updateCard').map((c) => String((c.ref as { ts?: unknown }).ts)),
      attempts: () => port.calls.length,
      slowDownNext: (seconds: number) => port.rateLimitNext(1, seconds * 1000),
      refuseNext: (what: 'conversation' | 'message') =>
        port.failNext(1, what === 'conversation' ? new ChatPermanentError('is_archived', 'the channel is archived', 'conversation') : new ChatPermanentError('msg_too_long', 'too long for one message', 'message')),
      reset: () => port.reset(),
    },
  };
});
