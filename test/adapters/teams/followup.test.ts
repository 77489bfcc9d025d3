/**
 * Following a triage up in Teams, end to end (authentication on; the fake Bot Connector stores
 * what the bot sends), with short settings: *Escalate* from the card @mentions the Teams user
 * TRIAGE_ESCALATE names, in the card's thread (`<at>Name</at>` in the card text and a matching
 * `mention` entity, so Teams notifies them), once; the card says to whom, by whom and when; the
 * idle triage then gets one reminder naming the step that waits, and is abandoned with the
 * reason on its card.
 */
import { STEP_IDS } from '../../../src/triage/model';
import type { ConnectorCall } from '../../support/fake-bot-connector';
import { CHANNEL, channelMessage, executeInvoke } from './fixtures';
import { type TeamsStack, startTeamsStack } from './stack';

const ONCALL = '6c1f0d2e-8a4b-4c3d-9e5f-0a1b2c3d4e5f';
const THREAD = `${CHANNEL};messageid=1700000000123`;

let stack: TeamsStack;
beforeAll(async () => {
  stack = await startTeamsStack({
    escalation: { mentions: [{ platform: 'teams', id: ONCALL, name: 'Payments on-call' }], pagerduty: false },
    worker: { sweepEveryMs: 250, remindAfterMs: 1500, staleAfterMs: 4000 },
  });
}, 30_000);
afterAll(() => stack.close());

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const contentOf = (c: ConnectorCall): any => c.body.attachments?.[0]?.content;
const replies = (): ConnectorCall[] => stack.connector.posted(THREAD);
const noticesOf = (marker: string): ConnectorCall[] => replies().filter((c) => JSON.stringify(contentOf(c)?.body ?? '').includes(marker));

test('Escalate @mentions the Teams user in the thread; the idle triage is reminded once, then abandoned with the reason on its card', async () => {
  await stack.send(channelMessage(stack.connector.url, 'triage req-scope-1 --symptom token_exchange_denied'));
  const card = await stack.connector.waitFor(() => replies().find((c) => contentOf(c)?.type === 'AdaptiveCard' && JSON.stringify(contentOf(c)).includes('Caracal triage')));
  const cardId = card.createdId!;
  await stack.connector.waitFor(() => replies().filter((c) => c.seq > card.seq).length >= STEP_IDS.length + 1, 20_000);
  const settled = await stack.connector.waitFor(() => {
    const last = stack.connector.updates(cardId).at(-1);
    return last && JSON.stringify(last.body).includes('Failing surface') && last;
  }, 20_000);

  const escalate = (contentOf(settled).actions as Array<{ verb: string; data: { value: string } }>).find((a) => a.verb === 'caracal.escalate')!;
  const r = await stack.send(executeInvoke(stack.connector.url, escalate.data.value, cardId));
  expect(r.status).toBe(200);

  const [mention] = await stack.connector.waitFor(() => noticesOf('escalated to you').length > 0 && noticesOf('escalated to you'));
  const c = contentOf(mention!);
  expect(mention!.activityId).toBe(cardId);
  expect(c.body[0].text).toBe('🚨 <at>Payments on-call</at>: this triage was escalated to you by Ada Lovelace.');
  expect(c.msteams.entities).toEqual([{ type: 'mention', text: '<at>Payments on-call</at>', mentioned: { id: ONCALL, name: 'Payments on-call' } }]);

  const escalated = await stack.connector.waitFor(() => {
    const last = stack.connector.updates(cardId).at(-1)!;
    return JSON.stringify(contentOf(last)).includes('**Escalated** to Payments on-call') && last;
  });
  expect(JSON.stringify(contentOf(escalated))).toMatch(/\*\*Escalated\*\* to Payments on-call by Ada Lovelace at \d\d:\d\d:\d\dZ\./);
  // The card names people as text: only the thread's notice carries the mention.
  expect(contentOf(escalated).msteams.entities).toBeUndefined();

  const [reminder] = await stack.connector.waitFor(() => noticesOf('No one has acted').length > 0 && noticesOf('No one has acted'), 15_000);
  expect(JSON.stringify(contentOf(reminder!).body)).toMatch(/It was escalated at \d\d:\d\d:\d\dZ\. Waiting on step 6 of 8, Requested scopes\./);

  const abandoned = await stack.connector.waitFor(() => {
    const last = stack.connector.updates(cardId).at(-1)!;
    return JSON.stringify(contentOf(last)).includes('**Abandoned**') && last;
  }, 20_000);
  expect(JSON.stringify(contentOf(abandoned))).toContain('**Abandoned**: no one acted for 4 s.');
  expect(noticesOf('escalated to you')).toHaveLength(1);
  expect(noticesOf('No one has acted')).toHaveLength(1);
}, 60_000);
