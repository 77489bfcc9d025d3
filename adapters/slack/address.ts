/**
 * Slack's destinations and message references, the one declaration the adapter parses the core's
 * opaque addresses with: a channel ID (and the workspace), plus the card's `ts` once posted.
 */
import { z } from 'zod';
import { ChatPermanentError, type Destination, type MessageRef } from '../../src/chat/port';

export const SlackDestination = z.object({ platform: z.literal('slack'), channel: z.string().min(1).max(64), teamId: z.string().max(64).optional() });
export const SlackMessageRef = SlackDestination.extend({ ts: z.string().regex(/^\d+\.\d+$/, 'not a Slack message ts') });
export type SlackDestination = z.infer<typeof SlackDestination>;
export type SlackMessageRef = z.infer<typeof SlackMessageRef>;

export function slackDestination(channel: string, teamId?: string): SlackDestination {
  return teamId ? { platform: 'slack', channel, teamId } : { platform: 'slack', channel };
}

function parseOr<T>(schema: z.ZodType<T>, where: Destination | MessageRef, what: string): T {
  const parsed = schema.safeParse(where);
  if (!parsed.success) throw new ChatPermanentError('wrong_platform', `not a Slack ${what} (${where.platform}): ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

export const asSlackDestination = (where: Destination): SlackDestination => parseOr(SlackDestination, where, 'destination');
export const asSlackRef = (where: MessageRef): SlackMessageRef => parseOr(SlackMessageRef, where, 'message reference');

/** The limiter's key: one bucket per channel per workspace. */
export function slackConversation(where: Destination | MessageRef): string {
  const d = asSlackDestination(where);
  return `${d.teamId ?? '-'}.${d.channel}`;
}
