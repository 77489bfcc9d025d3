import { clip, codePointLabel, outsideText, quoted, safeJson } from '../../src/render/outside-text';

const ESC = '\x1b';
const BEL = '\x07';

describe('outsideText: terminal control sequences are removed whole', () => {
  it.each([
    ['a window title (OSC 0 … BEL), payload with spaces', `before${ESC}]0;evil title here${BEL}after`, 'beforeafter'],
    ['an OSC 8 link keeps only its visible text', `${ESC}]8;;https://evil.example/x${ESC}\\click me${ESC}]8;;${ESC}\\`, 'click me'],
    ['clear screen and cursor moves (CSI)', `${ESC}[2J${ESC}[H${ESC}[1;31mred${ESC}[0m`, 'red'],
    ['8-bit CSI and OSC (C1)', `\x9b2Jok\x9d0;title\x9c!`, 'ok!'],
    ['DCS, APC strings', `${ESC}Pq#0;2;0;0;0${ESC}\\x${ESC}_hidden${ESC}\\y`, 'xy'],
    ['two-byte escapes (charset switch, reset)', `${ESC}(B${ESC}cplain`, 'plain'],
    ['BEL, NUL, backspace, DEL and C1 characters', `a${BEL}b\x00c\x08d\x7fe\x85f`, 'abcdef'],
  ])('%s', (_label, input, want) => {
    expect(outsideText(input)).toBe(want);
  });

  it('an unterminated OSC loses its introducer, so nothing acts on what follows', () => {
    const out = outsideText(`${ESC}]0;never ends`);
    expect(out).toBe('0;never ends');
    expect(out).not.toMatch(/[\x00-\x1f\x7f-\x9f]/);
  });

  it('line breaks and tabs become one space on one line, or stay with multiline', () => {
    expect(outsideText('a\nb\r\nc\td\u2028e')).toBe('a b c d e');
    expect(outsideText('a\nb\r\nc\u2029d', { multiline: true })).toBe('a\nb\nc\nd');
  });

  it('leaves ordinary text alone, including non-Latin scripts and emoji', () => {
    for (const text of ['resource://payments', 'Zone «Triage Demo» — ok', 'مرحبا', '日本語', 'café ☕ 🚀']) expect(outsideText(text)).toBe(text);
  });
});

describe('outsideText: invisible format characters are shown as [U+XXXX]', () => {
  it.each([
    ['right-to-left override (Trojan Source)', 'admin\u202Etxt.exe', 'admin[U+202E]txt.exe'],
    ['every bidi embedding, override and isolate', '\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069', '[U+202A][U+202B][U+202C][U+202D][U+202E][U+2066][U+2067][U+2068][U+2069]'],
    ['LRM, RLM and the Arabic letter mark', '\u200E\u200F\u061C', '[U+200E][U+200F][U+061C]'],
    ['zero-width space, joiners, word joiner, BOM', 'a\u200Bb\u200Cc\u200Dd\u2060e\uFEFF', 'a[U+200B]b[U+200C]c[U+200D]d[U+2060]e[U+FEFF]'],
    ['tag characters that smuggle hidden text', 'ok\u{E0041}\u{E0042}', 'ok[U+E0041][U+E0042]'],
    ['a soft hyphen', 'pay\u00ADments', 'pay[U+00AD]ments'],
  ])('%s', (_label, input, want) => {
    expect(outsideText(input)).toBe(want);
  });

  it('lone surrogates become U+FFFD', () => {
    expect(outsideText('a\ud800b\udc00c')).toBe('a\ufffdb\ufffdc');
  });

  it('codePointLabel pads to four hex digits', () => {
    expect(codePointLabel('\u061C')).toBe('[U+061C]');
    expect(codePointLabel('\u{E0041}')).toBe('[U+E0041]');
  });

  it('non-strings are shown as text', () => {
    expect(outsideText(42)).toBe('42');
    expect(outsideText(null)).toBe('null');
  });
});

describe('clip and quoted', () => {
  it('clip keeps short text and cuts long text to max characters ending in …', () => {
    expect(clip('short', 80)).toBe('short');
    const cut = clip('x'.repeat(500), 80);
    expect(cut).toHaveLength(80);
    expect(cut.endsWith('…')).toBe(true);
  });

  it('clip counts code points, never splitting a surrogate pair', () => {
    const cut = clip('🚀'.repeat(100), 10);
    expect(Array.from(cut)).toHaveLength(10);
    expect(cut).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });

  it('quoted makes input safe, then cuts it, in double quotes', () => {
    expect(quoted(`req${ESC}[2J\u202E1`)).toBe('"req[U+202E]1"');
    expect(quoted('r'.repeat(500))).toBe(`"${'r'.repeat(79)}…"`);
  });
});

describe('safeJson', () => {
  const value = { summary: `bad\u202Eevil\u200B\x85\x9b2J ok`, nested: ['\u2028', { k: 'tag\u{E0041}' }], plain: 'resource://payments', n: 3 };

  it('parses back to exactly the same value', () => {
    expect(JSON.parse(safeJson(value, 2))).toEqual(value);
  });

  it('carries no raw C1, bidi, zero-width, separator or tag character', () => {
    const text = safeJson(value, 2);
    expect(text).not.toMatch(/[\x7f-\x9f\u2028\u2029\p{Cf}]/u);
    expect(text).toContain('\\u202e');
    expect(text).toContain('\\udb40\\udc41');
  });

  it('is JSON.stringify when there is nothing to escape', () => {
    const plain = { a: 'b', c: [1, 2] };
    expect(safeJson(plain, 2)).toBe(JSON.stringify(plain, null, 2));
  });
});
