/**
 * The one rule for showing text that came from outside (Caracal's answers, what a user typed)
 * on a screen: the terminal today, Slack and Teams renderers next. Platform-neutral and pure;
 * each platform still escapes its own markup after this.
 *
 * The rule:
 * - Terminal control sequences are removed whole (CSI such as `ESC [2J`, OSC such as the
 *   title `ESC ]0;…BEL` and OSC 8 links, DCS/SOS/PM/APC strings, two-byte escapes), in both the
 *   7-bit (`ESC …`) and 8-bit (C1 `U+009B`, `U+009D`, …) forms, so none of their payload acts.
 * - Every other C0 (U+0000–U+001F), DEL (U+007F) and C1 (U+0080–U+009F) character is removed;
 *   line breaks and tabs become one space, unless `multiline` keeps line breaks.
 * - Invisible format characters are made visible as `[U+XXXX]`: the bidi controls
 *   (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C), the zero-width characters
 *   (U+200B–U+200D, U+2060, U+FEFF) and every other Unicode format character (category Cf,
 *   e.g. the soft hyphen and the tag characters U+E0000–U+E007F that can smuggle hidden text).
 * - U+2028/U+2029 (line and paragraph separators) are line breaks; lone surrogates become U+FFFD.
 *
 * Hand-written: Node's `util.stripVTControlCharacters` leaves the payload of an OSC whose text
 * holds a space (`ESC ]0;evil title BEL` keeps `;evil title`) and knows nothing of C1 or bidi,
 * and the maintained ANSI-stripping packages are ESM-only (this project is CommonJS).
 */

export interface OutsideTextOptions {
  /** Keep line breaks (`\n`; `\r\n`, `\r`, U+2028/U+2029 become `\n`). Default false: one line. */
  multiline?: boolean;
}

/** OSC, DCS, SOS, PM, APC: a string up to BEL or ST (`ESC \` or U+009C). */
const CONTROL_STRING = /(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[\s\S]*?(?:\x07|\x1b\\|\x9c)/g;
/** CSI: parameters, intermediates, one final byte. */
const CSI = /(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]/g;
/** Any other escape: intermediates and one final byte (e.g. `ESC (B`, `ESC c`). */
const ESCAPE = /\x1b[\x20-\x2f]*[\x30-\x7e]/g;
const LINE_BREAKS = /\r\n|[\r\n\u2028\u2029]/g;
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
const TABS = /\t/g;
/** Format characters (Cf) include every bidi control and zero-width character named above. */
const INVISIBLE = /\p{Cf}/gu;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `[U+202E]` for one code point. */
export function codePointLabel(ch: string): string {
  return `[U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}]`;
}

/** Outside text made safe to show (see the rule above). Non-strings are shown as `String(value)`. */
export function outsideText(value: unknown, opts: OutsideTextOptions = {}): string {
  const text = (typeof value === 'string' ? value : String(value)).replace(LONE_SURROGATE, '\ufffd');
  const stripped = text.replace(CONTROL_STRING, '').replace(CSI, '').replace(ESCAPE, '');
  const lines = stripped.replace(LINE_BREAKS, opts.multiline ? '\n' : ' ').replace(TABS, ' ');
  return lines.replace(CONTROLS, '').replace(INVISIBLE, codePointLabel);
}

/** One part of a sentence the bot wrote: its own words and outside values, or a code span it opened. */
export interface SentencePart {
  code: boolean;
  text: string;
}

/**
 * The bot's own sentences (step and diagnosis summaries) mark identifiers and codes as code spans
 * with paired backticks; everything else in them is prose that may quote outside values. This
 * splits such a sentence so a renderer can draw the spans as code and neutralise the prose: a
 * backtick without a partner (or one inside an outside value in prose) stays prose, where the
 * renderer neutralises it. The engine keeps backticks out of the values it puts in spans
 * (`tick` in src/triage/steps/step.ts). Either way every part is drawn inert: a code span formats
 * nothing, and prose is neutralised.
 */
export function sentenceParts(text: string): SentencePart[] {
  const parts: SentencePart[] = [];
  const span = /`([^`\n]+)`/g;
  let last = 0;
  for (let m = span.exec(text); m; m = span.exec(text)) {
    if (m.index > last) parts.push({ code: false, text: text.slice(last, m.index) });
    parts.push({ code: true, text: m[1]! });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push({ code: false, text: text.slice(last) });
  return parts;
}

/**
 * Shortens to at most `max` characters (code points), ending in `…` when cut. For echoing bad
 * input in one-line messages, where ~80 characters is enough to recognise it.
 */
export function clip(text: string, max = 80): string {
  const points = Array.from(text);
  return points.length <= max ? text : `${points.slice(0, Math.max(1, max - 1)).join('')}…`;
}

/** Outside text as it appears inside a one-line message: safe, cut to `max`, in double quotes. */
export function quoted(value: unknown, max = 80): string {
  return `"${clip(outsideText(value), max)}"`;
}

/**
 * Characters JSON leaves raw that a terminal may act on or hide: DEL, C1, line and paragraph
 * separators, and format characters (bidi, zero-width). JSON.stringify already escapes C0.
 */
const JSON_UNSAFE = /[\x7f-\x9f\u2028\u2029\p{Cf}]/gu;

/**
 * JSON.stringify, with the characters above written as `\uXXXX` escapes: the document parses to
 * exactly the same value (machine readers see no difference), but viewing it raw in a terminal
 * can neither reorder nor hide text. Those characters can only occur inside strings.
 */
export function safeJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(JSON_UNSAFE, (ch) => {
    const code = ch.codePointAt(0)!;
    if (code <= 0xffff) return `\\u${code.toString(16).padStart(4, '0')}`;
    const high = Math.floor((code - 0x10000) / 0x400) + 0xd800;
    const low = ((code - 0x10000) % 0x400) + 0xdc00;
    return `\\u${high.toString(16)}\\u${low.toString(16)}`;
  });
}
