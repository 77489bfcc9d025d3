/**
 * The Teams endpoint checks who is talking before it reads what they say: the Bot Framework
 * JWT first (an unauthenticated client gets 401 and none of the bot's validation messages, and
 * costs it no body parsing, whatever it sends), then the body, then the tenant (a validly signed
 * activity from a tenant the bot does not serve gets 403 and starts nothing). Keys are served
 * on loopback; the stack is the real web host, service and Redis.
 */
import { makeSigningKey, signChannelToken } from '../../support/teams-auth';
import { APP_ID, TENANT_ID, channelMessage } from './fixtures';
import { type TeamsStack, startTeamsStack } from './stack';

const FOREIGN = '0badc0de-0000-4000-8000-000000000001';
let stack: TeamsStack;
beforeAll(async () => {
  stack = await startTeamsStack({ workers: false });
}, 30_000);
afterAll(() => stack.close());

const started = async (): Promise<number> => stack.service.store.redis.zcard(stack.service.store.keys.active());

async function raw(body: string, authorization: string | null): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (authorization) headers.authorization = authorization;
  const res = await fetch(stack.messages, { method: 'POST', headers, body });
  return { status: res.status, text: await res.text() };
}

test('a validly signed activity from another tenant is refused with 403 and starts nothing', async () => {
  const url = stack.connector.url;
  const base = channelMessage(url, 'triage req-scope-1');
  const foreign = { ...base, conversation: { ...base.conversation, tenantId: FOREIGN }, channelData: { ...base.channelData, tenant: { id: FOREIGN } } };
  expect(await stack.send(foreign)).toEqual({ status: 403, body: { error: 'forbidden', message: 'the activity comes from a tenant this bot does not serve' } });
  // Ours in one place and a foreign one in the other is still foreign.
  expect((await stack.send({ ...base, channelData: { ...base.channelData, tenant: { id: FOREIGN } } })).status).toBe(403);
  const { tenantId: _dropped, ...noTenant } = base.conversation;
  expect(await stack.send({ ...base, conversation: noTenant, channelData: { ...base.channelData, tenant: undefined } })).toEqual({ status: 403, body: { error: 'forbidden', message: 'the activity names no tenant' } });
  expect(await started()).toBe(0);
  expect(stack.connector.calls).toHaveLength(0);
  // The same activity from the app's own tenant is served.
  expect((await stack.send(base)).status).toBe(200);
  expect(await started()).toBe(1);
  expect(TENANT_ID).not.toBe(FOREIGN);
});

test('an unauthenticated client gets 401 before the body is read: no validation message, whatever the body', async () => {
  const forger = makeSigningKey('forged-key');
  const forged = `Bearer ${signChannelToken(forger, { aud: APP_ID, serviceurl: stack.connector.url })}`;
  const malformed = JSON.stringify({ type: 'message', channelId: 'msteams', from: 42 });
  for (const body of [malformed, 'not json at all', `{"type":"message","text":"${'x'.repeat(128 * 1024 - 40)}"}`]) {
    const r = await raw(body, forged);
    expect(r).toEqual({ status: 401, text: JSON.stringify({ error: 'unauthorized' }) });
  }
  expect((await raw(malformed, null)).status).toBe(401);
  // An authenticated client is told what is wrong with its activity.
  const answer = await stack.send({ type: 'message', channelId: 'msteams', serviceUrl: stack.connector.url, from: 42 });
  expect(answer.status).toBe(400);
  expect(JSON.stringify(answer.body)).toMatch(/malformed Teams activity/);
});
