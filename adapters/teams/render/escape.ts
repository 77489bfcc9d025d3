/**
 * Text from outside (users, Caracal) on a Teams card. Adaptive Card TextBlocks render a
 * CommonMark subset (bold, italic, lists, links) and Teams' markdown-it also decodes
 * entities, and the card renderer expands `{{DATE(…)}}`/`{{TIME(…)}}`; so outside text is
 * backslash-escaped before it goes into a TextBlock or a fact: nothing it contains can format,
 * link or reorder the card. Characters that hide or reorder text (bidi controls, zero-width)
 * are shown as `U+XXXX`, other control characters too.
 *
 * `outsideText` is the one rule; it is small on purpose so the shared rule in src/ can
 * replace it. CodeBlock snippets are not markdown and only go through `visible`.
 */
import { clip } from '../../../src/chat/render/labels';

/** Bidi embeddings/overrides/isolates, zero-width and invisible formatting characters. */
const INVISIBLE = /[\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;
/** C0/C1 controls except tab and newline. */
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;

const codePoint = (c: string): string => `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

/** Invisible and control characters made visible as `U+XXXX`. */
export function visible(text: string): string {
  return text.replace(INVISIBLE, codePoint).replace(CONTROL, codePoint);
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
  let out = outsideText(raw);
  let n = raw.length;
  while (out.length > max && n > 2) {
    n = Math.max(2, n - Math.max(1, out.length - max));
    out = outsideText(clip(raw, n));
  }
  return out;
}
