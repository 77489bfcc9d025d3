/**
 * A triage from Teams end to end, authentication on: the @mention is answered at once in the
 * thread, a worker posts the card and the eight steps under it with a bearer token, an
 * Action.Execute advances the card and gets it back as the invoke response, and what is
 * tampered, malformed or throttled is handled as Teams users would expect.
 */
import { STEP_IDS } from '../../../src/triage/model';
import { signButton } from '../../../src/commands/button-token';
import { CHANNEL, channelMessage, executeInvoke } from './fixtures';
import { TEAMS_SIGNING_KEY, type TeamsStack, startTeamsStack } from './stack';

let stack: TeamsStack;
beforeAll(async () => {
  stack = await startTeamsStack();
}, 30_000);
afterAll(() => stack.close());

const THREAD = `${CHANNEL};messageid=1700000000123`;

interface CardAction {
  type: string;
  data?: { value?: string };
  verb?: string;
}
function cardActions(card: { actions?: CardAction[] }): CardAction[] {
  return card.actions ?? [];
}

describe('readiness', () => {
  it('names Teams among its checks: the login accepted the app credentials', async () => {
    const base = stack.messages.replace(/\/api\/messages$/, '');
    const r = await fetch(`${base}/readyz`);
    expect(r.status).toBe(200);
    expect(((await r.json()) as { checks: Array<{ name: string; ok: boolean }> }).checks).toContainEqual({ name: 'teams', ok: true });
  });
});

describe('a triage from a Teams channel', () => {
  let cardId: string;

  it('answers at once in the thread, then the worker posts the card and every step under it', async () => {
    const r = await stack.send(channelMessage(stack.connector.url, 'triage req-scope-1 --symptom token_exchange_denied'));
    expect(r.status).toBe(200);
    const first = await stack.connector.waitFor(() => stack.connector.posted(THREAD)[0]);
    expect(first.body.text).toContain('Triage started for request `req-scope-1`');
    const card = await stack.connector.waitFor(() => stack.connector.posted(THREAD).find((c) => c.body.attachments?.[0]?.content?.type === 'AdaptiveCard'));
    cardId = card.createdId!;
    const steps = await stack.connector.waitFor(() => {
      const replies = stack.connector.posted(THREAD).filter((c) => c.seq > card.seq);
      return replies.length >= STEP_IDS.length + 1 && replies;
    }, 20_000);
    // The thread reads top to bottom: steps 1 to 8 in order, then the bundle.
    expect(steps).toHaveLength(STEP_IDS.length + 1);
    expect(steps.slice(0, 8).map((c) => Number(/Step (\d)\/8/.exec(JSON.stringify(c.body))?.[1]))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(String(steps[8]!.body.summary)).toMatch(/^Caracal diagnostic bundle/);
    for (const call of stack.connector.calls.filter((c) => c.kind !== 'other')) expect(call.authorization).toBe(`Bearer ${stack.login.token}`);
    const updated = await stack.connector.waitFor(() => {
      const last = stack.connector.updates(cardId).at(-1);
      const text = last ? JSON.stringify(last.body) : '';
      return last && text.includes('Failing surface') && last;
    }, 20_000);
    expect(JSON.stringify(updated.body)).toContain('scope_mismatch');
    expect(JSON.stringify(updated.body)).toContain('Requested scopes');
  }, 40_000);

  it('applies an Action.Execute from the card and returns the advanced card as the invoke response', async () => {
    const triage = (await stack.service.store.view((await findTriageId())!))!;
    const card = stack.connector.updates(cardId).at(-1)!.body.attachments[0].content;
    const next = cardActions(card).find((a) => a.verb === 'caracal.next')!;
    expect(next).toBeDefined();
    const r = await stack.send(executeInvoke(stack.connector.url, next.data!.value!, cardId));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    const after = await stack.service.get(triage.record.id);
    expect(after?.state).toBe('walking');
    expect(after?.version).toBe(triage.record.version + 1);
    // The same click again is stale: refused as a message, nothing changes.
    const again = await stack.send(executeInvoke(stack.connector.url, next.data!.value!, cardId));
    expect(again.body).toMatchObject({ type: 'application/vnd.microsoft.activity.message', value: expect.stringContaining('already advanced') });
    expect((await stack.service.get(triage.record.id))?.version).toBe(after!.version);
  });

  it('refuses a tampered action, and one copied to a message elsewhere, changing nothing', async () => {
    const id = (await findTriageId())!;
    const before = (await stack.service.get(id))!;
    const forged = signButton({ triageId: id, action: 'resolve', version: before.version, expiresAt: Math.floor(Date.now() / 1000) + 60 }, 'another-installation-key-0123456789');
    const tampered = await stack.send(executeInvoke(stack.connector.url, forged, cardId));
    expect(tampered.body).toMatchObject({ value: expect.stringContaining('signature') });
    const genuine = signButton({ triageId: id, action: 'resolve', version: before.version, expiresAt: Math.floor(Date.now() / 1000) + 60 }, TEAMS_SIGNING_KEY);
    const invoke = executeInvoke(stack.connector.url, genuine, 'some-other-message');
    const elsewhere = await stack.send({ ...invoke, conversation: { ...invoke.conversation, id: '19:anotherChannel@thread.tacv2;messageid=1700000000001' } });
    expect(elsewhere.body).toMatchObject({ value: expect.stringContaining('does not belong to this message') });
    // In the card's own conversation another message with its buttons can only be a card the
    // triage left behind (test/adapters/teams/left-behind-card.test.ts): it is pointed at the card in use.
    const sameThread = await stack.send(invoke);
    expect(JSON.stringify(sameThread.body)).toContain('This card was replaced');
    expect((await stack.service.get(id))?.version).toBe(before.version);
  });

  it('answers a malformed activity 400 and one without a token 401, running nothing', async () => {
    const thread = `${CHANNEL};messageid=1700000000444`;
    const over = { id: '1700000000444', conversation: { isGroup: true, conversationType: 'channel', tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', id: thread } };
    expect((await stack.send({ type: 'message', text: 'triage req-x' })).status).toBe(400);
    expect((await stack.send(channelMessage(stack.connector.url, 'triage req-x', over), null)).status).toBe(401);
    expect((await stack.send(channelMessage(stack.connector.url, 'triage req-x', over), 'Bearer not-a-jwt')).status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    expect(stack.connector.calls.filter((c) => c.conversationId === thread)).toHaveLength(0);
    expect(await findTriageId('req-x')).toBeNull();
  });

  it('honours a 429 from the connector: the card is delayed by Retry-After, then posted once', async () => {
    const thread = `${CHANNEL};messageid=1700000000777`;
    // The first two replies in the thread are throttled: the immediate answer (the triage runs
    // anyway) and the card's first attempt (its job waits Retry-After, then posts).
    stack.connector.failNext({ status: 429, retryAfter: 1 }, 2, (c) => c.conversationId === thread && c.kind === 'reply');
    const r = await stack.send(channelMessage(stack.connector.url, 'bundle', { id: '1700000000777', conversation: { isGroup: true, conversationType: 'channel', tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', id: thread } }));
    expect(r.status).toBe(200);
    const cards = await stack.connector.waitFor(() => {
      const c = stack.connector.posted(thread).filter((x) => (x.body.summary as string | undefined)?.startsWith('Caracal triage '));
      return c.length >= 1 && c;
    }, 20_000);
    const limited = stack.connector.calls.filter((c) => c.conversationId === thread && c.status === 429);
    expect(limited).toHaveLength(2);
    expect(cards[0].at - limited[1].at).toBeGreaterThanOrEqual(900);
    await new Promise((res) => setTimeout(res, 500));
    const isCard = (x: { body: { summary?: string } }) => !!x.body.summary?.startsWith('Caracal triage ');
    expect(stack.connector.posted(thread).filter(isCard)).toHaveLength(1);
  }, 30_000);
});

async function findTriageId(requestId = 'req-scope-1'): Promise<string | null> {
  const keys = await stack.service.store.redis.keys(`${stack.service.store.keys.prefix}triage:*`);
  for (const k of keys) {
    const id = k.slice(`${stack.service.store.keys.prefix}triage:`.length);
    const rec = await stack.service.get(id);
    if (rec?.input.requestId === requestId) return id;
  }
  return null;
}
