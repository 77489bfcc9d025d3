/**
 * Text from outside (users, Caracal) on a Teams card. First the one platform-neutral rule
 * (src/render/outside-text.ts: terminal control sequences and control characters removed,
 * bidi and zero-width characters shown as `[U+XXXX]`), then Teams' own markup: Adaptive Card
 * TextBlocks render a CommonMark subset (bold, italic, lists, links), Teams' markdown-it also
 * decodes entities, and the card renderer expands `{{DATE(…)}}`/`{{TIME(…)}}`; so outside text
 * is backslash-escaped before it goes into a TextBlock or a fact: nothing it contains can
 * format, link or reorder the card. CodeBlock snippets are not markdown and only go through
 * `visible`.
 */
import { fitEscaped } from '../../../src/render/fit';
import { outsideText as neutral, sentenceParts } from '../../../src/render/outside-text';

/** The shared rule alone (line breaks kept), for snippets markdown does not touch. */
export function visible(text: string): string {
  return neutral(text, { multiline: true });
}

/** Inline markdown metacharacters: emphasis, code, links, autolinks, entities, strike, tables. */
const INLINE = /[\\`*[\]<>&~|!]/g;

/**
 * Markdown-neutral text for a TextBlock or fact: visible, then every formatting character
 * escaped. `_` is escaped only where it could open or close emphasis (not inside a word such
 * as `scope_mismatch`), so identifiers stay readable.
 */
export function outsideText(raw: string): string {
  let s = visible(raw).replace(INLINE, (c) => `\\${c}`);
  s = s.replace(/_/g, (m, i: number) => (/[A-Za-z0-9]/.test(s[i - 1] ?? '') && /[A-Za-z0-9]/.test(s[i + 1] ?? '') ? m : '\\_'));
  s = s.replace(/\{\{/g, '{\\{');
  // Block markers at the start of a line: headings, lists, quotes, numbered lists.
  s = s.replace(/^(\s*)([#+\->=])/gm, '$1\\$2').replace(/^(\s*\d+)([.)])/gm, '$1\\$2');
  return s;
}

/**
 * Escape, then fit into `max` characters; the cut is made on the raw text (an escape is never
 * split) and never leaves nothing: at least one character and the ellipsis remain.
 */
export function fitOutside(raw: string, max: number): string {
  return fitEscaped(raw, max, outsideText);
}

/**
 * A value inside a code span: CommonMark formats nothing there and takes backslashes literally,
 * so it is not backslash-escaped; only what could end the span or act anyway is changed (a
 * backtick becomes U+02CB, `{{` loses its template meaning as `{ {`).
 */
function inCode(raw: string): string {
  return neutral(raw).replace(/`/g, 'ˋ').replace(/\{\{/g, '{ {');
}

/**
 * A sentence the bot wrote around outside values (a step or diagnosis summary): the code spans
 * it opened stay code, the rest is outside text escaped as `outsideText` does.
 */
export function sentence(raw: string): string {
  return sentenceParts(raw)
    .map((p) => (p.code ? `\`${inCode(p.text)}\`` : outsideText(p.text)))
    .join('');
}

/** A bot sentence made inert as `sentence` does, fitted into `max` characters. */
export function fitSentence(raw: string, max: number): string {
  return fitEscaped(raw, max, sentence);
}
