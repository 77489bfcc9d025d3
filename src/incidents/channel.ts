/**
 * Channel addresses as people write them in the routes file, TRIAGE_DEFAULT_CHANNEL and the
 * generic hook's `channel`: `slack:<channel id>` or `teams:<conversation id>`.
 *
 * - Slack channel IDs are `C…` (public), `G…` (private, older workspaces) or `D…` (DM):
 *   one capital letter then capitals and digits.
 * - Teams conversation IDs are opaque: `19:…@thread.tacv2` for a channel, `19:…@thread.v2`
 *   for a group chat, `a:…` for a personal chat, optionally `;messageid=<id>` for a thread.
 *   Accepted: 3 to 512 printable ASCII characters, no spaces, starting `<letters or digits>:`.
 */
import { z } from 'zod';

export const PLATFORMS = ['slack', 'teams'] as const;
export type ChatPlatformName = (typeof PLATFORMS)[number];

export type ChannelAddress = { platform: 'slack'; channel: string } | { platform: 'teams'; conversationId: string };

export const SLACK_CHANNEL_ID = /^[CGD][A-Z0-9]{2,40}$/;
export const TEAMS_CONVERSATION_ID = /^(?=[\x21-\x7e]{3,512}$)[A-Za-z0-9]+:[\x21-\x7e]+$/;

export const CHANNEL_EXAMPLE = 'slack:C0123ABCDEF or teams:19:abc123@thread.tacv2';

export type ChannelParse = { ok: true; address: ChannelAddress } | { ok: false; message: string };

/** Parses `slack:<id>` / `teams:<conversation id>`; the message says what is wrong, with an example. */
export function parseChannelAddress(text: string): ChannelParse {
  const value = text.trim();
  const colon = value.indexOf(':');
  const scheme = colon < 0 ? '' : value.slice(0, colon).toLowerCase();
  const id = colon < 0 ? '' : value.slice(colon + 1);
  if (scheme === 'slack') {
    if (SLACK_CHANNEL_ID.test(id)) return { ok: true, address: { platform: 'slack', channel: id } };
    return { ok: false, message: `"${shown(id)}" is not a Slack channel ID (C…, G… or D… in capitals and digits, e.g. slack:C0123ABCDEF)` };
  }
  if (scheme === 'teams') {
    if (TEAMS_CONVERSATION_ID.test(id)) return { ok: true, address: { platform: 'teams', conversationId: id } };
    return { ok: false, message: `"${shown(id)}" is not a Teams conversation ID (e.g. teams:19:abc123@thread.tacv2; printable characters, no spaces)` };
  }
  return { ok: false, message: `"${shown(value)}" is not a channel: write ${CHANNEL_EXAMPLE}` };
}

/** The zod form, for schemas that carry a channel (the generic hook body, the routes file). */
export const ChannelAddressText = z.string().transform((v, ctx): ChannelAddress => {
  const r = parseChannelAddress(v);
  if (r.ok) return r.address;
  ctx.addIssue({ code: 'custom', message: r.message });
  return z.NEVER;
});

export function formatChannelAddress(a: ChannelAddress): string {
  return a.platform === 'slack' ? `slack:${a.channel}` : `teams:${a.conversationId}`;
}

/** A destination on a platform the bot does not run is refused with this message, or null when fine. */
export function unconfiguredPlatform(a: ChannelAddress, configured: ReadonlySet<ChatPlatformName>): string | null {
  if (configured.has(a.platform)) return null;
  const list = configured.size > 0 ? [...configured].join(', ') : 'none';
  return `${a.platform === 'slack' ? 'Slack' : 'Microsoft Teams'} is not configured in this bot (configured platforms: ${list})`;
}

function shown(s: string): string {
  const clean = s.replace(/[\x00-\x1f\x7f]/g, '?');
  return clean.length > 60 ? `${clean.slice(0, 59)}…` : clean;
}
