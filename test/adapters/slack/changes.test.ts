/**
 * "Changed before this denial" on the Slack card: up to three changes, the cause first; an
 * actor name from outside (mentions, bidi, markup) can neither notify, link, format nor reorder,
 * and twenty long changes on the largest card stay inside Block Kit's limits.
 */
import { buildStatusCard } from '../../../adapters/slack/render';
import { LIMITS } from '../../../adapters/slack/render/limits';
import { withChanges } from '../../support/change-records';
import { diagnosedRecord, hugeEvidenceRecord } from './records';

const KEY = 'changes-signing-key-0123456789abcdef';
const NOW = new Date('2026-11-27T12:03:10Z');

const block = (card: ReturnType<typeof buildStatusCard>, id: string): string => JSON.stringify(card.blocks.find((b) => (b as { block_id?: string }).block_id === id) ?? null);

describe('changes on the Slack card', () => {
  it('shows three, the one named as the cause first, and counts the rest', () => {
    const card = buildStatusCard(withChanges(diagnosedRecord(), 5, 'alice'), { signingKey: KEY, now: NOW });
    const text = JSON.parse(block(card, 'triage:changes')).text.text as string;
    const lines = text.split('\n');
    expect(lines[0]).toBe(':memo: *Changed before this denial*');
    expect(lines[1]).toMatch(/^:point_right: \*cause\*: `alice` edited the `scopes` of resource:\/\/payments at 11:59 UTC, 1 min before the denial\.$/);
    expect(lines.slice(2, 4).every((l) => l.startsWith('• _zone_: `alice` edited the `scopes` of resource res-'))).toBe(true);
    expect(lines[4]).toBe('_and 2 more in the diagnostic bundle_');
    // The block sits right under the summary.
    expect(card.blocks.map((b) => (b as { block_id?: string }).block_id).slice(1, 3)).toEqual(['triage:summary', 'triage:changes']);
  });

  it('an actor name with mentions, a bidi override and markup renders inert, in the list and in the diagnosis', () => {
    const card = buildStatusCard(withChanges(diagnosedRecord()), { signingKey: KEY, now: NOW });
    for (const id of ['triage:changes', 'triage:summary']) {
      const json = block(card, id);
      expect(json).not.toContain('<!channel>');
      expect(json).not.toContain('<@U0ADMIN>');
      expect(json).not.toContain('<https://');
      expect(json).not.toContain('\u202E');
      expect(json).not.toContain('\u200B');
      // The actor is the bot's code span: markup inside it is literal, a backtick in it cannot end it.
      expect(json).toContain('`&lt;!channel&gt; @here &lt;@U0ADMIN&gt; *bold* ˋtickˋ [x](https://evil.example) [U+202E]ecived-wen[U+200B]`');
      expect(json).toContain('[U+202E]ecived-wen[U+200B]');
    }
    // Slack turns a bare @here into a mention only with link_names, which the bot never sets.
    expect(JSON.stringify(card)).not.toContain('link_names');
  });

  it('twenty long changes on the largest card stay inside the limits', () => {
    const r = withChanges(hugeEvidenceRecord(), 20, `${'<!here> '.repeat(400)}\u202E`);
    const card = buildStatusCard(r, { signingKey: KEY, now: NOW });
    expect(JSON.stringify(card.blocks).length).toBeLessThanOrEqual(LIMITS.messageChars);
    expect(JSON.parse(block(card, 'triage:changes')).text.text.length).toBeLessThanOrEqual(LIMITS.sectionText);
    expect(JSON.stringify(card)).not.toContain('<!here>');
  });

  it('no changes, no block', () => {
    expect(block(buildStatusCard(diagnosedRecord(), { signingKey: KEY, now: NOW }), 'triage:changes')).toBe('null');
  });
});
