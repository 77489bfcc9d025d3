/**
 * Times in the reader's own zone: Slack's date token `<!date^UNIX^{format}|fallback>`, which
 * each client formats in its user's time zone and locale (platform-notes §11.2; mrkdwn only).
 * The fallback, shown by clients that cannot format it (notifications, old clients), is UTC
 * and says so.
 */

/** `2026-12-06 14:02 UTC`, the fallback and the plain-text form. */
export function utcText(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * A date token for an ISO time (null when it is not one): `{date_short_pretty} at {time}` by
 * default ("Today at 2:02 PM" in the reader's zone), `{time}` for history lines.
 */
export function slackDate(iso: string, format = '{date_short_pretty} at {time}'): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso.replace(/[<>|&]/g, '');
  return `<!date^${Math.floor(ms / 1000)}^${format}|${utcText(iso)}>`;
}

/** `<url|label>` for a URL the bot built (http(s), none of the characters that end a link), else the label. */
export function slackLink(url: string | null | undefined, label: string): string {
  if (!url || url.length > 1500 || !/^https?:\/\/[^\s|<>]+$/.test(url)) return label;
  return `<${url}|${label.replace(/[|<>]/g, '')}>`;
}
