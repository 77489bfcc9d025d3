import { parseActivity } from '../../../adapters/teams/activity';
import { parseTeamsDestination } from '../../../adapters/teams/reference';
import { parseCommand } from '../../../src/commands/grammar';
import { BOT, CHANNEL, TENANT_ID, USER, channelCreated, channelMessage, executeInvoke, groupChatMessage, personalMessage, submitMessage } from './fixtures';

const SERVICE = 'https://smba.trafficmanager.net/amer/';

function event(body: unknown) {
  const r = parseActivity(body);
  if (!r.ok) throw new Error(r.message);
  return r.event;
}

describe('Teams activity parsing', () => {
  it('a channel @mention becomes a command in its thread, mention stripped, with the reference the card goes to', () => {
    const e = event(channelMessage(SERVICE, 'triage 0190a1b2-7c3d zone-prod'));
    expect(e).toMatchObject({
      kind: 'command',
      text: 'triage 0190a1b2-7c3d zone-prod',
      mentioned: true,
      activityId: '1700000000123',
      actor: { id: USER.aadObjectId, name: USER.name, teamsUserId: USER.id },
      conversation: { kind: 'channel', channelId: CHANNEL, threadRootId: '1700000000123', teamId: expect.stringMatching(/^19:team/) },
      tenantId: TENANT_ID,
    });
    if (e.kind !== 'command') return;
    expect(e.conversationReference).toEqual({
      channelId: 'msteams',
      serviceUrl: SERVICE,
      conversation: { id: `${CHANNEL};messageid=1700000000123`, conversationType: 'channel', isGroup: true, tenantId: TENANT_ID },
      bot: BOT,
      user: USER,
      activityId: '1700000000123',
      locale: 'en-US',
    });
    // What the core stores is what this adapter's own schema accepts back.
    expect(parseTeamsDestination({ conversationRef: e.conversationReference }).ok).toBe(true);
    expect(parseCommand(e.text)).toMatchObject({ kind: 'triage', input: { requestId: '0190a1b2-7c3d', zoneId: 'zone-prod' } });
  });

  it('carries the channel’s name when Teams sends one (channelData.channel.name, else conversation.name), for deployments bound by name; none in a personal chat', () => {
    const base = channelMessage(SERVICE, 'status');
    const named = event({ ...base, channelData: { ...base.channelData, channel: { id: CHANNEL, name: 'Incidents Staging' } } });
    expect(named.kind === 'command' && named.conversation.name).toBe('Incidents Staging');
    const byConversation = event({ ...base, conversation: { ...base.conversation, name: 'inc-staging-7' } });
    expect(byConversation.kind === 'command' && byConversation.conversation.name).toBe('inc-staging-7');
    expect(event(base).kind === 'command' && (event(base) as { conversation: { name: unknown } }).conversation.name).toBeNull();
    const p = event(personalMessage(SERVICE, 'help'));
    expect(p.kind === 'command' && p.conversation.name).toBeNull();
  });

  it('strips every mention of the bot (not only the first), keeps other people by name, and undoes Teams HTML and entities', () => {
    const body = channelMessage(SERVICE, 'x', {
      text: '<at>Caracal</at> <p>triage&nbsp;--error {&quot;code&quot;:&quot;access_denied&quot;} &lt;tag&gt; <at>Grace</at> <at>Caracal</at></p>',
      entities: [
        { type: 'mention', mentioned: BOT, text: '<at>Caracal</at>' },
        { type: 'mention', mentioned: { id: '29:grace', name: 'Grace' }, text: '<at>Grace</at>' },
        { type: 'mention', mentioned: BOT, text: '<at>Caracal</at>' },
      ],
    });
    const e = event(body);
    expect(e.kind === 'command' && e.text).toBe('triage --error {"code":"access_denied"} <tag> Grace');
  });

  it('a group chat @mention is a command; a personal chat needs no mention', () => {
    const g = event(groupChatMessage(SERVICE, 'status'));
    expect(g).toMatchObject({ kind: 'command', text: 'status', conversation: { kind: 'groupChat', channelId: null, threadRootId: null } });
    expect(g.kind === 'command' && g.conversationReference.conversation.id).toBe('19:groupChatId@thread.v2');
    const p = event(personalMessage(SERVICE, 'help'));
    expect(p).toMatchObject({ kind: 'command', text: 'help', mentioned: false, conversation: { kind: 'personal', id: 'a:oneOnOneConversationId' } });
  });

  it('ignores channel and group chat messages that do not @mention the bot (RSC delivers every post)', () => {
    const noMention = { ...channelMessage(SERVICE, 'triage req-1'), entities: [], text: 'triage req-1' };
    expect(event(noMention)).toEqual({ kind: 'ignored', reason: 'a channel message that does not @mention the bot' });
    const otherMention = { ...groupChatMessage(SERVICE, 'x'), entities: [{ type: 'mention', mentioned: { id: '29:grace', name: 'Grace' }, text: '<at>Grace</at>' }] };
    expect(event(otherMention)).toEqual({ kind: 'ignored', reason: 'a group chat message that does not @mention the bot' });
  });

  it('a new channel post that mentions the bot is its own thread root', () => {
    const body = channelMessage(SERVICE, 'triage req-1', { id: '1700000000777', conversation: { isGroup: true, conversationType: 'channel', tenantId: TENANT_ID, id: CHANNEL } });
    const e = event(body);
    expect(e.kind === 'command' && e.conversationReference.conversation.id).toBe(`${CHANNEL};messageid=1700000000777`);
  });

  it('an Action.Execute invoke and an Action.Submit fallback both become the same action', () => {
    const x = event(executeInvoke(SERVICE, 'v1.payload.sig'));
    expect(x).toMatchObject({ kind: 'action', buttonValue: 'v1.payload.sig', via: 'execute', verb: 'caracal.next', replyToId: '1700000000999', actor: { id: USER.aadObjectId } });
    const s = event(submitMessage(SERVICE, 'v1.payload.sig'));
    expect(s).toMatchObject({ kind: 'action', buttonValue: 'v1.payload.sig', via: 'submit', verb: null, replyToId: '1700000000999' });
    expect(event({ ...executeInvoke(SERVICE, 'v'), value: { action: { type: 'Action.Execute', data: { other: 1 } } } })).toMatchObject({ kind: 'ignored' });
    expect(event({ ...executeInvoke(SERVICE, 'v'), name: 'composeExtensions/query' })).toEqual({ kind: 'ignored', reason: 'invoke composeExtensions/query is not handled' });
  });

  it('a channel created in the team becomes channel_created, addressed to the new channel root', () => {
    const e = event(channelCreated(SERVICE, 'inc-4242-db-latency'));
    expect(e).toMatchObject({
      kind: 'channel_created',
      channel: { id: '19:6d97d816470f481dbcda38244b98689a@thread.tacv2', name: 'inc-4242-db-latency' },
      team: { id: '19:team0000000000000000000000000000@thread.tacv2', name: 'SRE' },
      tenantId: TENANT_ID,
    });
    if (e.kind !== 'channel_created') return;
    expect(e.conversationReference.conversation).toEqual({ id: '19:6d97d816470f481dbcda38244b98689a@thread.tacv2', conversationType: 'channel', isGroup: true, tenantId: TENANT_ID });
    expect(e.conversationReference.activityId).toBeUndefined();
    // Teams redelivering the event gives the same key.
    expect(event(channelCreated(SERVICE, 'inc-4242-db-latency'))).toMatchObject({ dedupeKey: e.dedupeKey });
    const renamed = channelCreated(SERVICE, 'x');
    renamed.channelData.eventType = 'channelRenamed';
    expect(event(renamed)).toEqual({ kind: 'ignored', reason: 'conversationUpdate channelRenamed is not handled' });
  });

  it('dedupe keys follow the activity: a redelivery matches, another message does not', () => {
    const a = event(channelMessage(SERVICE, 'triage req-1'));
    const again = event(channelMessage(SERVICE, 'triage req-1'));
    const other = event(channelMessage(SERVICE, 'triage req-1', { id: '1700000000124' }));
    expect(a.kind === 'command' && again.kind === 'command' && a.dedupeKey === again.dedupeKey).toBe(true);
    expect(a.kind === 'command' && other.kind === 'command' && a.dedupeKey !== other.dedupeKey).toBe(true);
  });

  it('ignores other activity types and other channels, and the bot’s own messages', () => {
    expect(event({ type: 'typing', channelId: 'msteams' })).toEqual({ kind: 'ignored', reason: 'activity type typing is not handled' });
    expect(event({ ...personalMessage(SERVICE, 'help'), channelId: 'webchat' })).toEqual({ kind: 'ignored', reason: 'channel webchat is not Teams' });
    expect(event({ ...personalMessage(SERVICE, 'help'), from: BOT })).toEqual({ kind: 'ignored', reason: "the bot's own activity" });
  });

  const malformed: Array<[string, unknown]> = [
    ['not an object', 'hello'],
    ['null', null],
    ['no type', { channelId: 'msteams' }],
    ['no serviceUrl', { ...personalMessage(SERVICE, 'help'), serviceUrl: undefined }],
    ['a serviceUrl that is plain http off loopback', { ...personalMessage('http://10.1.2.3/', 'help') }],
    ['no conversation id', { ...personalMessage(SERVICE, 'help'), conversation: { conversationType: 'personal' } }],
    ['no sender', { ...personalMessage(SERVICE, 'help'), from: null }],
    ['text that is not a string', { ...personalMessage(SERVICE, 'help'), text: { a: 1 } }],
  ];
  it.each(malformed)('rejects an activity with %s, saying what is wrong', (_what, body) => {
    const r = parseActivity(body);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/^malformed Teams activity: /);
  });
});
