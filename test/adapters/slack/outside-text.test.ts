/**
 * The one rule for text from outside, as Slack shows it: nothing a request ID, a pasted error
 * or a Caracal string contains can format, mention, link or reorder a message; long escaped
 * text is fitted without being cut to nothing.
 */
import { buildStatusCard } from '../../../adapters/slack/render';
import { code, codeBlock, escFit, sentence, sentenceFit } from '../../../adapters/slack/render/mrkdwn';
import { tick } from '../../../src/triage/steps/step';
import { parseCommand } from '../../../src/commands/grammar';
import { outcomeText } from '../../../adapters/slack/render/outcome';
import { diagnosedRecord } from './records';

const KEY = 'outside-text-signing-key-0123456789abcdef';
const facts = { botUserId: 'UBOT0001', access: 'anyone', incidentChannelPattern: /^inc-/ };

describe('outside text in Slack', () => {
  it('a request ID full of mrkdwn stays inside its code span, its backticks unable to close it', () => {
    const id = '*bold*_it_~s~`x`';
    const text = outcomeText({ kind: 'started', command: { kind: 'triage', input: { requestId: id, zoneId: null, symptom: null, error: null } }, triageId: 'tri-1', created: true }, facts);
    expect(text).toContain('`*bold*_it_~s~ˋxˋ`');
    expect(text.match(/`/g)).toHaveLength(2);
  });

  it('prose from Caracal loses its formatting characters to look-alikes, and identifiers stay readable', () => {
    const out = escFit('*bold* _it_ ~strike~ `tick` ```fence``` > quote <!channel> scope_mismatch', 500);
    expect(out).toBe('∗bold∗ ＿it＿ ∼strike∼ ˋtickˋ ˋˋˋfenceˋˋˋ &gt; quote &lt;!channel&gt; scope_mismatch');
    expect(escFit('> at the start', 100)).toBe('› at the start');
  });

  it('bidi and zero-width characters are shown as [U+XXXX], terminal escapes are removed', () => {
    expect(escFit('abc\u202Edef\u200Bghi\u001b]0;title\u0007!', 200)).toBe('abc[U+202E]def[U+200B]ghi!');
    expect(code('id\u202E\u2066')).toBe('`id[U+202E][U+2066]`');
    expect(codeBlock('{"a":"\u200F"}', 100)).toBe('```{"a":"[U+200F]"}```');
  });

  it('fits heavily escaped text after escaping, never to an empty ellipsis', () => {
    const body = '<&>'.repeat(500);
    for (const max of [10, 50, 300]) {
      const out = escFit(body, max);
      expect(out.length).toBeLessThanOrEqual(max);
      expect(out.replace('…', '').length).toBeGreaterThan(0);
      expect(out).not.toMatch(/&(?!amp;|lt;|gt;)/);
    }
  });

  it('a card whose reported error and summaries are hostile formats nothing', () => {
    const hostile = '*x* _y_ ~z~ `w` <!here> \u202Eevil';
    const card = buildStatusCard(diagnosedRecord({ input: { requestId: 'req-1', zoneId: null, symptom: null, error: hostile } }), { signingKey: KEY });
    const summary = JSON.stringify(card.blocks.find((b) => (b as { block_id?: string }).block_id === 'triage:summary'));
    expect(summary).not.toContain('<!here>');
    expect(summary).not.toContain('\u202E');
    expect(summary).toContain('[U+202E]evil');
  });

  describe("the bot's own sentences keep their code spans (fails on the old code: backticks became ˋ)", () => {
    it('a summary reads its code as code', () => {
      expect(sentence('STS denied it with evaluation_status `complete` (role_scope_mismatch).')).toBe('STS denied it with evaluation_status `complete` (role_scope_mismatch).');
      expect(sentenceFit('Requested `payments:read`, `payments:write` are defined.', 500)).toBe('Requested `payments:read`, `payments:write` are defined.');
    });

    it('a backtick inside an outside value in a span is replaced, so the span stays the bot’s', () => {
      const s = sentence(`Scope ${tick('pay`ments*')} is not defined on resource://x.`);
      expect(s).toBe('Scope `payˋments*` is not defined on resource://x.');
      expect(s.match(/`/g)).toHaveLength(2);
    });

    it('outside text in the prose around the spans still formats nothing', () => {
      expect(sentence('*bold* _it_ <!here> `code` stray ` tick')).toBe('∗bold∗ ＿it＿ &lt;!here&gt; `code` stray ˋ tick');
      expect(sentence('`<!channel>` and `a\u202Eb`')).toBe('`&lt;!channel&gt;` and `a[U+202E]b`');
    });

    it('a card shows the step summaries’ code spans as code', () => {
      const record = diagnosedRecord({});
      record.steps[2] = { ...record.steps[2]!, summary: 'Found 2 events; STS denied it with evaluation_status `complete`.' };
      const card = JSON.stringify(buildStatusCard(record, { signingKey: KEY }).blocks);
      expect(card).toContain('evaluation_status `complete`');
      expect(card).not.toContain('ˋcompleteˋ');
    });
  });

  it('a refused request ID answers with the bidi override shown as [U+202E], never raw (fails on the old code)', () => {
    const cmd = parseCommand('triage req-\u202Egnp.exe') as { kind: 'invalid'; message: string };
    const text = outcomeText({ kind: 'invalid', message: cmd.message }, facts);
    expect(text).not.toContain('\u202E');
    expect(text).toContain('`req-[U+202E]gnp.exe` is not a request ID');
  });

  it('status says Caracal was not checked here and what checks it, and shows Redis in a plain sentence (fails on the old code)', () => {
    const text = outcomeText({ kind: 'status', readiness: { ready: false, checks: [{ name: 'redis', ok: false, detail: 'cannot reach Redis at redis://127.0.0.1:6379: the connection is down and the bot is reconnecting' }] } }, facts);
    expect(text).toContain('Caracal: not checked here');
    expect(text).toContain('`caracal-triage bundle`');
    expect(text).toContain(':x: redis: cannot reach Redis at redis://127.0.0.1:6379: the connection is down');
  });
});
