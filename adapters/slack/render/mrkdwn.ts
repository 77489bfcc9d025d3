/**
 * Escaping for Slack mrkdwn, and the one rule for text from outside (Caracal, users) in Slack.
 *
 * - `esc`: `&`, `<`, `>` become entities, which is all Slack needs to treat `<!channel>`,
 *   `<@U…>`, `<#C…>` and `<http…|label>` as plain text. Messages are never sent with
 *   `link_names`, so a bare `@channel` stays inert too. For the bot's own words.
 * - `escFit` (outside text in running prose): first the platform-neutral rule
 *   (src/render/outside-text.ts: terminal controls removed, bidi and zero-width characters shown
 *   as `[U+XXXX]`), then Slack's formatting characters neutralised by look-alikes, since mrkdwn
 *   has no escape for them: `*` → `∗`, `~` → `∼`, a backtick → `ˋ`, an `_` that could open or
 *   close italics → `＿` (an `_` inside a word such as `scope_mismatch` stays), a `>` that
 *   would start a quote → `›`. Then escaped and fitted (never cut to nothing).
 * - `code` / `codeBlock`: outside values inside code spans and blocks, where mrkdwn does not
 *   format; only the backtick (which would close the span) is replaced.
 * - `sentence` / `sentenceFit`: the bot's own sentences around outside values (step and
 *   diagnosis summaries): the code spans the bot opened stay code, the rest is `outside`.
 */
import { fitEscaped } from '../../../src/render/fit';
import { outsideText, sentenceParts } from '../../../src/render/outside-text';

export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** U+02CB looks like a backtick but does not open or close a code span. */
function neutralTicks(text: string): string {
  return text.replace(/`/g, 'ˋ');
}

const WORD = /[\p{L}\p{N}]/u;

/** mrkdwn's formatting characters in outside text, replaced by look-alikes that format nothing. */
export function neutralFormatting(text: string): string {
  const out = neutralTicks(text).replace(/\*/g, '∗').replace(/~/g, '∼').replace(/^(\s*)>/gm, '$1›');
  return out.replace(/_/g, (m, i: number) => (WORD.test(out[i - 1] ?? '') && WORD.test(out[i + 1] ?? '') ? m : '＿'));
}

/** Outside text as inert mrkdwn: the shared rule, formatting neutralised, escaped. */
export function outside(raw: string): string {
  return esc(neutralFormatting(outsideText(raw, { multiline: true })));
}

/** Outside text, made inert and fitted into `max` characters (the cut made on the raw text). */
export function escFit(raw: string, max: number): string {
  return fitEscaped(raw, max, outside);
}

const inCode = (raw: string): string => esc(neutralTicks(outsideText(raw, { multiline: true })));

/**
 * A sentence the bot wrote around outside values (a step or diagnosis summary): its own code
 * spans stay code (the value inside made inert: only a backtick in it is replaced), and the rest
 * is outside text, neutralised like `outside`. So `evaluation_status \`complete\`` reads as code,
 * and nothing a value contains can format.
 */
export function sentence(raw: string): string {
  return sentenceParts(raw)
    .map((p) => (p.code ? `\`${inCode(p.text.replace(/\s+/g, ' '))}\`` : outside(p.text)))
    .join('');
}

/** A bot sentence, made inert as `sentence` does and fitted into `max` characters. */
export function sentenceFit(raw: string, max: number): string {
  return fitEscaped(raw, max, sentence);
}

/** An inline code span for an outside value (ids, codes): one line, backtick-free, fitted. */
export function code(raw: string, max = 200): string {
  return `\`${fitEscaped(raw.replace(/\s+/g, ' '), max, inCode) || ' '}\``;
}

/** A code block for an outside value, fitted so fences included it is at most `max` characters. */
export function codeBlock(raw: string, max: number): string {
  return `\`\`\`${fitEscaped(raw, Math.max(1, max - 6), inCode)}\`\`\``;
}

/** A Slack user mention, only for real Slack user IDs; anything else is shown as escaped text. */
export function userRef(id: string, name?: string): string {
  if (/^[UW][A-Z0-9]{2,20}$/.test(id)) return `<@${id}>`;
  return esc(name ?? id);
}
