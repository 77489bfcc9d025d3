/**
 * Times on a Teams card: the Adaptive Card date functions `{{DATE(…, SHORT)}}` and `{{TIME(…)}}`,
 * which clients that support them format in the reader's zone, always followed by the time in
 * UTC, because Teams documents them as unsupported and some clients show them in UTC whatever
 * the reader's zone, or not at all (platform-notes §11.3). The argument must be RFC 3339 with
 * `Z` and no fraction, in upper case, or the client shows the function raw.
 */

/** `2026-12-06T14:02:05Z` (null when `iso` is not a time). */
function rfc3339(iso: string): string | null {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : `${d.toISOString().slice(0, 19)}Z`;
}

/** `{{DATE(…, SHORT)}} {{TIME(…)}} (14:02 UTC)`: the reader's date and time, with UTC beside them. */
export function teamsDateTime(iso: string): string {
  const t = rfc3339(iso);
  if (!t) return iso.replace(/[{}]/g, '');
  return `{{DATE(${t}, SHORT)}} {{TIME(${t})}} (${t.slice(11, 16)} UTC)`;
}

/** `{{TIME(…)}} (14:02 UTC)`, for history lines. */
export function teamsTime(iso: string): string {
  const t = rfc3339(iso);
  if (!t) return iso.replace(/[{}]/g, '');
  return `{{TIME(${t})}} (${t.slice(11, 16)} UTC)`;
}

/** `[label](url)` for a URL the bot built (http(s), nothing that ends the link), else the label. */
export function teamsLink(url: string | null | undefined, label: string): string {
  if (!url || url.length > 1500 || !/^https?:\/\/[^\s()<>]+$/.test(url)) return label;
  return `[${label.replace(/[[\]]/g, '')}](${url})`;
}
