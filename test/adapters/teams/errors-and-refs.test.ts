import { toChatError, retryAfterMs } from '../../../adapters/teams/errors';
import { conversationKey, destinationFromConversationId, isChannelRoot, parseTeamsMessageRef, splitConversationId } from '../../../adapters/teams/reference';
import { ChatPermanentError, ChatRateLimitedError } from '../../../src/chat/port';

/** A connector failure shaped as @azure/core-rest-pipeline's RestError reaches us. */
function restError(statusCode: number, headers: Record<string, string> = {}, error?: { code: string; message: string }) {
  return Object.assign(new Error(error?.message ?? `HTTP ${statusCode}`), {
    name: 'RestError',
    statusCode,
    details: error ? { error } : undefined,
    response: { headers: { get: (n: string) => headers[n] }, bodyAsText: error ? JSON.stringify({ error }) : '' },
  });
}

describe('Teams connector errors', () => {
  it('Retry-After in seconds or as an HTTP date', () => {
    const now = Date.parse('2026-11-27T12:00:00Z');
    expect(retryAfterMs(restError(429, { 'retry-after': '2.5' }), now)).toBe(2500);
    expect(retryAfterMs(restError(429, { 'retry-after': 'Fri, 27 Nov 2026 12:00:07 GMT' }), now)).toBe(7000);
    expect(retryAfterMs(restError(429, { 'retry-after': 'soon' }), now)).toBeNull();
  });

  it('without Retry-After, 429 waits out the short windows and 412/502/504 back off about a second, with jitter', () => {
    const a = toChatError(restError(429), 'teams:postStep:x', () => 0) as ChatRateLimitedError;
    const b = toChatError(restError(502), 'teams:postStep:x', () => 0.999) as ChatRateLimitedError;
    expect([a.retryAfterMs, b.retryAfterMs]).toEqual([2000, 1999]);
    expect(a.scope).toBe('teams:postStep:x (HTTP 429)');
  });

  it('refusals no retry can fix are permanent; 500, 503 and network errors go to the job’s retries', () => {
    expect(toChatError(restError(401), 's')).toMatchObject({ code: 'unauthorized' });
    expect(toChatError(restError(403, {}, { code: 'ConversationBlockedByUser', message: 'User blocked the conversation with the bot.' }), 's')).toMatchObject({
      code: 'forbidden',
      message: expect.stringContaining('HTTP 403 ConversationBlockedByUser'),
    });
    expect(toChatError(restError(404, {}, { code: 'BotNotInConversationRoster', message: 'The bot is not part of the conversation roster.' }), 's')).toMatchObject({ code: 'bot_not_in_conversation' });
    expect(toChatError(Object.assign(new Error('AADSTS7000215: Invalid client secret provided.'), { name: 'ServerError', errorCode: 'invalid_client' }), 's')).toMatchObject({ code: 'login_refused' });
    for (const e of [restError(500), restError(503), Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })]) {
      const out = toChatError(e, 's');
      expect(out).not.toBeInstanceOf(ChatPermanentError);
      expect(out).not.toBeInstanceOf(ChatRateLimitedError);
    }
  });
});

describe('Teams references', () => {
  it('splits a thread id into its channel and root post', () => {
    expect(splitConversationId('19:abc@thread.tacv2;messageid=1700')).toEqual({ base: '19:abc@thread.tacv2', rootMessageId: '1700' });
    expect(splitConversationId('a:personal')).toEqual({ base: 'a:personal', rootMessageId: null });
  });

  it('teams:<conversation id> destinations from configuration get the configured service URL and the bot’s Teams id', () => {
    const d = destinationFromConversationId('19:abc@thread.tacv2', { serviceUrl: 'https://smba.trafficmanager.net/teams/', appId: '11111111-2222-3333-4444-555555555555', tenantId: 't' });
    expect(d.ok && d.value.conversationRef).toEqual({
      channelId: 'msteams',
      serviceUrl: 'https://smba.trafficmanager.net/teams/',
      conversation: { id: '19:abc@thread.tacv2', conversationType: 'channel', isGroup: true, tenantId: 't' },
      bot: { id: '28:11111111-2222-3333-4444-555555555555' },
    });
    expect(d.ok && isChannelRoot(d.value.conversationRef)).toBe(true);
    const chat = destinationFromConversationId('19:meeting_abc@thread.v2', { serviceUrl: 'https://smba.trafficmanager.net/teams/', appId: 'x' });
    expect(chat.ok && chat.value.conversationRef.conversation.conversationType).toBe('groupChat');
    expect(destinationFromConversationId('19:abc@thread.tacv2', { serviceUrl: 'http://10.0.0.1/', appId: 'x' })).toMatchObject({ ok: false, message: expect.stringContaining('serviceUrl must use https') });
  });

  it('a stored reference is validated and keeps only the fields it declares', () => {
    const r = parseTeamsMessageRef({
      activityId: '1',
      conversationRef: { channelId: 'msteams', serviceUrl: 'https://smba.trafficmanager.net/emea/', conversation: { id: 'a:1', conversationType: 'personal', extra: 'x' }, bot: { id: '28:b' }, injected: true },
    });
    expect(r.ok && r.value).toEqual({ activityId: '1', conversationRef: { channelId: 'msteams', serviceUrl: 'https://smba.trafficmanager.net/emea/', conversation: { id: 'a:1', conversationType: 'personal' }, bot: { id: '28:b' } } });
    expect(parseTeamsMessageRef({ activityId: '1', conversationRef: { channelId: 'slack' } })).toMatchObject({ ok: false, message: expect.stringMatching(/^not a Teams message reference: /) });
    expect(r.ok && conversationKey(r.value.conversationRef)).toMatch(/^[0-9a-f]{32}$/);
  });
});
