/**
 * Finding and following a triage in Teams, end to end with authentication on, in a personal
 * chat (no @mention needed there): every command works, the card gives times with Adaptive
 * Card date functions and UTC beside them, names the zone, links the page and the runbook and
 * has no version counter; `list` and `show` answer in the chat (UTC, since a reply is not a
 * card); *Export* on the resolved card posts the postmortem as a card in the conversation and
 * leaves the status card as it is.
 */
import { NO_LINKS } from '../../../src/report/config';
import { personalMessage, executeInvoke } from './fixtures';
import { type TeamsStack, startTeamsStack } from './stack';

let stack: TeamsStack;
const CHAT = 'a:oneOnOneConversationId';
let seq = 0;

beforeAll(async () => {
  stack = await startTeamsStack({ links: { ...NO_LINKS, publicUrl: 'https://triage.example.com', runbookUrl: 'https://git.example.com/docs/runbooks.md' } });
}, 30_000);
afterAll(() => stack.close());

const say = (text: string) => stack.send({ ...personalMessage(stack.connector.url, text), id: `personal-${Date.now()}-${++seq}` });
const cardOf = (c: { body: { attachments?: Array<{ content?: { type?: string } }> } }) => c.body.attachments?.[0]?.content as { type: string; body: unknown[]; actions?: Array<{ verb?: string; data?: { value?: string } }> } | undefined;
const texts = () => stack.connector.posted(CHAT).map((c) => String(c.body.text ?? ''));
const invoke = (value: string, cardId: string) => {
  const base = executeInvoke(stack.connector.url, value, cardId);
  return stack.send({ ...base, id: `f:invoke-${++seq}`, conversation: { conversationType: 'personal', tenantId: base.conversation.tenantId, id: CHAT }, channelData: { tenant: base.channelData.tenant, source: { name: 'message' } } });
};

describe('a triage in a personal chat', () => {
  let cardId: string;
  let triageId: string;

  it('takes the command without a mention and posts the card in the chat, with date functions beside UTC, the zone by name and no version', async () => {
    expect((await say('triage req-scope-1 --symptom token_exchange_denied')).status).toBe(200);
    await stack.connector.waitFor(() => texts().find((t) => t.includes('Triage started for request `req-scope-1`')));
    const posted = await stack.connector.waitFor(() => stack.connector.posted(CHAT).find((c) => cardOf(c)?.type === 'AdaptiveCard' && String(c.body.summary).startsWith('Caracal triage')));
    cardId = posted.createdId!;
    const final = await stack.connector.waitFor(() => {
      const last = stack.connector.updates(cardId).at(-1);
      return last && JSON.stringify(last.body).includes('Failing surface') && last;
    }, 25_000);
    const text = JSON.stringify(final.body);
    triageId = /Triage (tri-[0-9a-z]+)/.exec(text)![1]!;
    expect(text).toMatch(/\{\{DATE\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ, SHORT\)\}\} \{\{TIME\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)\}\} \(\d\d:\d\d UTC\)/);
    expect(text).toContain('"title":"Zone","value":"Triage Demo"');
    expect(text).toContain('Needs you: step 6 of 8 (Requested scopes)');
    expect(text).toContain('[runbook](https://git.example.com/docs/runbooks.md#scope_mismatch)');
    expect(text).toMatch(/\[Triage page\]\(https:\/\/triage\.example\.com\/triage\/tri-[0-9a-z]+\?exp=\d+&sig=[A-Za-z0-9_-]{43}\)/);
    expect(text).not.toMatch(/version \d/);
  }, 40_000);

  it('list and show answer in the chat, times in UTC', async () => {
    await say('list');
    const listed = await stack.connector.waitFor(() => texts().find((t) => t.includes('Open triages in this conversation')));
    expect(listed).toContain(triageId);
    expect(listed).toContain('**Needs you: step 6 of 8 (Requested scopes)**');
    expect(listed).toContain('zone Triage Demo');
    expect(listed).toMatch(/started \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(listed).not.toContain('{{DATE');
    await say(`show ${triageId}`);
    const shown = await stack.connector.waitFor(() => texts().find((t) => t.includes(`**Triage \`${triageId}\`**`)));
    expect(shown).toContain('cause `scope_mismatch` ([runbook](https://git.example.com/docs/runbooks.md#scope_mismatch))');
    expect(shown).toContain('[the triage on a page of its own](https://triage.example.com/triage/');
  });

  it('Export on the resolved card posts the postmortem as a card in the chat', async () => {
    const current = cardOf(stack.connector.updates(cardId).at(-1)!)!;
    const resolve = current.actions!.find((a) => a.verb === 'caracal.resolve')!;
    const resolved = await invoke(resolve.data!.value!, cardId);
    expect(resolved.body).toMatchObject({ type: 'application/vnd.microsoft.card.adaptive' });
    const after = (resolved.body as { value: { actions?: Array<{ verb?: string; data?: { value?: string } }> } }).value;
    expect(after.actions!.map((a) => a.verb)).toEqual(['caracal.export']);
    const exported = await invoke(after.actions![0]!.data!.value!, cardId);
    expect(exported.body).toMatchObject({ type: 'application/vnd.microsoft.activity.message', value: expect.stringContaining('postmortem export is posted') });
    const card = await stack.connector.waitFor(() => stack.connector.posted(CHAT).find((c) => String(c.body.summary).startsWith('Postmortem export')));
    const body = JSON.stringify(cardOf(card));
    expect(body).toContain('"type":"CodeBlock"');
    expect(body).toContain('## Timeline');
    expect(body).toContain('resolved the triage');
    expect(body).toContain('[Download the whole document (Markdown)](https://triage.example.com/triage/');
    expect(body).toContain('The audit chain verifies');
  }, 30_000);
});
