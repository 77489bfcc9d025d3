/**
 * Teams activities as Teams sends them, after the real shapes in botbuilder-js
 * libraries/botbuilder/tests/teamsInfo.test.js and the Teams docs' channelCreated example,
 * with the service URL pointing at the fake connector.
 */
export const APP_ID = '11111111-2222-3333-4444-555555555555';
export const TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const BOT = { id: `28:${APP_ID}`, name: 'Caracal' };
export const USER = { id: '29:1wR7IdIRIoerMIWbewMi75JA3scaMuxvFon9eRQW2Nix5lo', name: 'Ada Lovelace', aadObjectId: '6f1c2a4e-0000-4000-8000-00000000ada1' };
export const CHANNEL = '19:generalChannelId1234567890abcdef@thread.tacv2';

const mention = { type: 'mention', mentioned: BOT, text: `<at>${BOT.name}</at>` };

export function channelMessage(serviceUrl: string, text: string, over: Record<string, unknown> = {}) {
  return {
    type: 'message',
    id: '1700000000123',
    timestamp: '2026-11-27T12:00:00.000Z',
    channelId: 'msteams',
    serviceUrl,
    from: USER,
    conversation: { isGroup: true, conversationType: 'channel', tenantId: TENANT_ID, id: `${CHANNEL};messageid=1700000000123` },
    recipient: BOT,
    text: `<at>${BOT.name}</at> ${text}\n`,
    textFormat: 'plain',
    attachments: [{ contentType: 'text/html', content: `<div><div><span itemscope="" itemtype="http://schema.skype.com/Mention" itemid="0">${BOT.name}</span>&nbsp;${text}</div>\n</div>` }],
    entities: [mention, { type: 'clientInfo', locale: 'en-US', country: 'US', platform: 'Web' }],
    channelData: {
      teamsChannelId: CHANNEL,
      teamsTeamId: '19:team0000000000000000000000000000@thread.tacv2',
      channel: { id: CHANNEL },
      team: { id: '19:team0000000000000000000000000000@thread.tacv2' },
      tenant: { id: TENANT_ID },
    },
    locale: 'en-US',
    ...over,
  };
}

export function groupChatMessage(serviceUrl: string, text: string) {
  return {
    type: 'message',
    id: 'groupChatActivityId',
    channelId: 'msteams',
    serviceUrl,
    from: USER,
    conversation: { isGroup: true, conversationType: 'groupChat', tenantId: TENANT_ID, id: '19:groupChatId@thread.v2' },
    recipient: BOT,
    text: `<at>${BOT.name}</at> ${text}\n`,
    entities: [mention],
    channelData: { tenant: { id: TENANT_ID } },
  };
}

export function personalMessage(serviceUrl: string, text: string) {
  return {
    type: 'message',
    id: 'oneOnOneActivityId',
    channelId: 'msteams',
    serviceUrl,
    from: USER,
    conversation: { conversationType: 'personal', tenantId: TENANT_ID, id: 'a:oneOnOneConversationId' },
    recipient: BOT,
    text,
    channelData: { tenant: { id: TENANT_ID } },
  };
}

export function executeInvoke(serviceUrl: string, value: string, cardId = '1700000000999') {
  return {
    type: 'invoke',
    name: 'adaptiveCard/action',
    id: 'f:invoke-1',
    channelId: 'msteams',
    serviceUrl,
    from: USER,
    conversation: { isGroup: true, conversationType: 'channel', tenantId: TENANT_ID, id: `${CHANNEL};messageid=1700000000123` },
    recipient: BOT,
    replyToId: cardId,
    value: { action: { type: 'Action.Execute', id: 'next', verb: 'caracal.next', data: { caracal: 'button', value } }, trigger: 'manual' },
    channelData: { channel: { id: CHANNEL }, tenant: { id: TENANT_ID }, source: { name: 'message' } },
  };
}

export function submitMessage(serviceUrl: string, value: string, cardId = '1700000000999') {
  return {
    type: 'message',
    id: '1700000000555',
    channelId: 'msteams',
    serviceUrl,
    from: USER,
    conversation: { isGroup: true, conversationType: 'channel', tenantId: TENANT_ID, id: `${CHANNEL};messageid=1700000000123` },
    recipient: BOT,
    replyToId: cardId,
    value: { caracal: 'button', value },
    channelData: { channel: { id: CHANNEL }, tenant: { id: TENANT_ID } },
  };
}

export function channelCreated(serviceUrl: string, name: string) {
  return {
    type: 'conversationUpdate',
    timestamp: '2026-11-27T12:00:00.000Z',
    id: 'f:dd6ec311',
    channelId: 'msteams',
    serviceUrl,
    from: { id: USER.id, aadObjectId: USER.aadObjectId },
    conversation: { isGroup: true, conversationType: 'channel', tenantId: TENANT_ID, id: '19:team0000000000000000000000000000@thread.tacv2' },
    recipient: BOT,
    channelData: {
      channel: { id: '19:6d97d816470f481dbcda38244b98689a@thread.tacv2', name },
      team: { id: '19:team0000000000000000000000000000@thread.tacv2', name: 'SRE' },
      eventType: 'channelCreated',
      tenant: { id: TENANT_ID },
    },
  };
}
