/**
 * Fitting outside text into a limit after it has been escaped for a platform: escaping can
 * multiply its length (`&` → `&amp;`, `*` → `\*`), so the cut is made on the raw text, at the
 * longest prefix whose escaped form fits, and never leaves nothing: at least one character and
 * the ellipsis remain (a heavily escaped body cut to a bare `…` says nothing), unless `max` is
 * too small for even that, when the limit wins.
 */
export function fitEscaped(raw: string, max: number, escape: (text: string) => string): string {
  const whole = escape(raw);
  if (whole.length <= max) return whole;
  // Longest n in [1, raw.length - 1] with escape(clip(raw, n + 1)).length <= max (clip keeps n chars + '…').
  let lo = 1;
  let hi = raw.length - 1;
  const least = escape(clip(raw, 2));
  if (least.length > max) return max >= 1 ? '…' : '';
  let best = least;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const out = escape(clip(raw, mid + 1));
    if (out.length <= max) {
      best = out;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return best;
}

/**
 * Cut plain text to `max` characters (ellipsis included), never splitting a surrogate pair.
 * Characters are UTF-16 code units here, the unit the chat platforms' length limits count.
 */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}
