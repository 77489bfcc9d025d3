/**
 * Escaping for Slack mrkdwn. Everything that came from Caracal (or from a user) goes through
 * here before it reaches a message: `&`, `<`, `>` become entities, which is all Slack needs
 * to treat `<!channel>`, `<@U…>`, `<#C…>` and `<http…|label>` as plain text. Values shown as
 * code also lose their backticks, so a value cannot close the code span early and format
 * the rest of the line. Messages are never sent with `link_names`, so a bare `@channel`
 * stays inert too.
 */
import { clip } from '../../../src/chat/render/labels';

export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** U+02CB looks like a backtick but does not open or close a code span. */
function neutralTicks(text: string): string {
  return text.replace(/`/g, 'ˋ');
}

/**
 * Escape, then fit into `max` characters. Cutting happens on the raw text so an entity such
 * as `&amp;` is never split in half.
 */
export function escFit(raw: string, max: number): string {
  let out = esc(raw);
  let n = raw.length;
  while (out.length > max && n > 0) {
    n = Math.max(0, n - (out.length - max));
    out = esc(clip(raw, n));
  }
  return out;
}

/** An inline code span for an outside value (ids, codes): escaped, backtick-free, fitted. */
export function code(raw: string, max = 200): string {
  return `\`${escFit(neutralTicks(raw.replace(/\s+/g, ' ')), max) || ' '}\``;
}

/** A code block for an outside value, fitted so fences included it is at most `max` characters. */
export function codeBlock(raw: string, max: number): string {
  return `\`\`\`${escFit(neutralTicks(raw), Math.max(1, max - 6))}\`\`\``;
}

/** A Slack user mention, only for real Slack user IDs; anything else is shown as escaped text. */
export function userRef(id: string, name?: string): string {
  if (/^[UW][A-Z0-9]{2,20}$/.test(id)) return `<@${id}>`;
  return esc(name ?? id);
}
