/**
 * Times as the terminal's reader reads them: in the machine's local zone (Node honours `TZ`),
 * with the offset spelt out so a pasted line still says when: `2026-12-06 19:32 (UTC+05:30)`.
 * `--json` keeps ISO 8601 UTC; this is for human output only.
 */

const two = (n: number): string => String(n).padStart(2, '0');

/** The offset of `d` in the local zone, `UTC+05:30`, `UTC-08:00`, `UTC`. */
export function localOffset(d: Date): string {
  const minutes = -d.getTimezoneOffset();
  if (minutes === 0) return 'UTC';
  const sign = minutes > 0 ? '+' : '-';
  const abs = Math.abs(minutes);
  return `UTC${sign}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
}

/** `2026-12-06 19:32 (UTC+05:30)` for an ISO time; the text as given when it is not one. */
export function localTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())} (${localOffset(d)})`;
}
