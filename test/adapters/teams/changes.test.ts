/**
 * "Changed before this denial" on the Teams card: up to three changes, the cause first; an
 * actor name from outside (mentions, bidi, markdown, entities) can neither mention, link,
 * format nor reorder, and twenty long changes on the largest card stay under Teams' size limit.
 */
import { AdaptiveCardSchema, LIMITS, buildStatusCard, cardBytes, type AdaptiveCard } from '../../../adapters/teams/render';
import { withChanges } from '../../support/change-records';
import { diagnosedRecord, worstCaseRecord } from './records';

const KEY = 'k'.repeat(48);
const NOW = new Date('2026-11-27T12:03:00.000Z');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Node = any;

function texts(card: AdaptiveCard): string[] {
  const out: string[] = [];
  const walk = (n: Node): void => {
    if (n.type === 'TextBlock') out.push(n.text);
    for (const c of n.items ?? []) walk(c);
  };
  card.body.forEach(walk);
  return out;
}

const changeLines = (card: AdaptiveCard): string[] => {
  const all = texts(card);
  const start = all.indexOf('📝 **Changed before this denial**');
  return start < 0 ? [] : all.slice(start, start + 5);
};

describe('changes on the Teams card', () => {
  it('shows three, the one named as the cause first, and counts the rest', () => {
    const card = buildStatusCard(withChanges(diagnosedRecord(), 5, 'alice'), { signingKey: KEY, now: NOW });
    expect(AdaptiveCardSchema.safeParse(card).success).toBe(true);
    const lines = changeLines(card);
    expect(lines[1]).toBe('👉 **cause**: `alice` edited the `scopes` of resource://payments at 11:59 UTC, 1 min before the denial.');
    expect(lines.slice(2, 4).every((l) => l.startsWith('• _zone_: `alice` edited the `scopes` of resource res-'))).toBe(true);
    expect(lines[4]).toBe('_and 2 more in the diagnostic bundle_');
  });

  it('an actor name with mentions, a bidi override and markdown renders inert, in the list and in the diagnosis', () => {
    const card = buildStatusCard(withChanges(diagnosedRecord()), { signingKey: KEY, now: NOW });
    const json = JSON.stringify(card);
    expect(json).not.toContain('\u202E');
    expect(json).not.toContain('\u200B');
    expect(json).not.toContain('<at>');
    expect(json).not.toContain('"entities"');
    for (const line of [changeLines(card)[1]!, texts(card).find((t) => t.startsWith('**Cause:**'))!]) {
      // The actor is the bot's code span: markdown inside it is literal, a backtick in it cannot end it.
      expect(line).toContain('`<!channel> @here <@U0ADMIN> *bold* ˋtickˋ [x](https://evil.example) [U+202E]ecived-wen[U+200B]`');
    }
  });

  it('twenty long changes on the largest card stay under the size limit', () => {
    const card = buildStatusCard(withChanges(worstCaseRecord(), 20, `${'<at>x</at> '.repeat(400)}\u202E`), { signingKey: KEY, now: NOW });
    expect(cardBytes(card)).toBeLessThan(LIMITS.cardBytes);
    expect(JSON.stringify(card)).not.toContain('<at>');
  });

  it('no changes, no section', () => {
    expect(changeLines(buildStatusCard(diagnosedRecord(), { signingKey: KEY, now: NOW }))).toEqual([]);
  });
});
