/**
 * Long evidence on a Teams card: one CodeBlock (shown verbatim, never as markdown) holding as
 * many whole lines as fit a byte budget of serialized JSON, and when something was left out,
 * a note with the CLI command that prints all of it.
 */
import type { CardElement } from './card-schema';
import { outsideText, visible } from './escape';
import { text } from './parts';

/** Bytes a string costs inside the card's JSON (quotes and newlines are escaped there). */
const jsonBytes = (s: string): number => Buffer.byteLength(JSON.stringify(s), 'utf8') - 2;

export interface EvidencePart {
  elements: CardElement[];
  cut: boolean;
  shownChars: number;
  totalChars: number;
}

/** The longest prefix of `raw`, on a line boundary where possible, whose JSON form fits `maxBytes`. */
export function fitSnippet(raw: string, maxBytes: number): string {
  if (jsonBytes(raw) <= maxBytes) return raw;
  let out = '';
  let used = 0;
  for (const line of raw.split('\n')) {
    const cost = jsonBytes(line) + (out ? 2 : 0);
    if (used + cost > maxBytes) {
      if (out) return out;
      // A single line longer than the budget: cut inside it.
      let n = Math.min(line.length, maxBytes);
      while (n > 1 && jsonBytes(line.slice(0, n)) > maxBytes) n = Math.floor(n * 0.9);
      return line.slice(0, n);
    }
    out = out ? `${out}\n${line}` : line;
    used += cost;
  }
  return out;
}

export function evidencePart(raw: string, maxBytes: number, command: string): EvidencePart {
  const shown = fitSnippet(visible(raw), maxBytes);
  const cut = shown.length < visible(raw).length;
  const elements: CardElement[] = [
    {
      type: 'CodeBlock',
      codeSnippet: shown || ' ',
      language: 'Json',
      fallback: text(`Evidence is shown as a code block, which this Teams client cannot display. Run ${outsideText(command)} for all of it.`, { isSubtle: true }),
    },
  ];
  if (cut) {
    elements.push(
      text(`Evidence cut: ${shown.length.toLocaleString('en-US')} of ${raw.length.toLocaleString('en-US')} characters shown. For all of it run:`, { isSubtle: true }),
      { type: 'CodeBlock', codeSnippet: command, language: 'PlainText' },
    );
  }
  return { elements, cut, shownChars: cut ? shown.length : raw.length, totalChars: raw.length };
}
