/**
 * Teams conversations as people write them in settings (`teams:<conversation id>`). The IDs
 * are opaque: `19:…@thread.tacv2` for a channel, `19:…@thread.v2` for a group chat, `a:…` for
 * a personal chat, optionally `;messageid=<id>` for a thread. Accepted: 3 to 512 printable
 * ASCII characters, no spaces, starting `<letters or digits>:`. The address is
 * `{ platform: 'teams', conversationId }`; its destination needs the configured service URL
 * and app (index.ts).
 */
import { z } from 'zod';
import type { ChannelAddress, ChannelAddressing } from '../../src/ingress/platform';
import { splitConversationId } from './reference';

export const TEAMS_CONVERSATION_ID = /^(?=[\x21-\x7e]{3,512}$)[A-Za-z0-9]+:[\x21-\x7e]+$/;

const TeamsChannelAddress = z.object({ platform: z.literal('teams'), conversationId: z.string().regex(TEAMS_CONVERSATION_ID) });
/** A destination or card (reference.ts) read for its conversation only. */
const TeamsPlace = z.looseObject({ platform: z.literal('teams'), conversationRef: z.looseObject({ conversation: z.looseObject({ id: z.string().min(1).max(1024) }) }) });

/** The conversation ID of an address `teamsChannels.parse` gave; throws for any other. */
export function teamsConversationOf(address: ChannelAddress): string {
  const a = TeamsChannelAddress.safeParse(address);
  if (!a.success) throw new Error(`not a Teams conversation address (${address.platform})`);
  return a.data.conversationId;
}

export const teamsChannels: ChannelAddressing = {
  example: '19:abc123@thread.tacv2',
  sketch: '19:…',
  parse: (id) =>
    TEAMS_CONVERSATION_ID.test(id)
      ? { ok: true, address: { platform: 'teams', conversationId: id } }
      : { ok: false, problem: 'is not a Teams conversation ID (e.g. teams:19:abc123@thread.tacv2; printable characters, no spaces)' },
  format: (address) => teamsConversationOf(address),
  // A channel's thread is the channel: a triage typed in a thread and one an incident route opened there meet.
  placeOf: (where) => {
    const d = TeamsPlace.safeParse(where);
    return d.success ? splitConversationId(d.data.conversationRef.conversation.id).base : null;
  },
};
