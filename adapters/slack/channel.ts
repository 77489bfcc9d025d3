/**
 * Slack channels as people write them in settings (`slack:<channel id>`): `C…` (public), `G…`
 * (private, older workspaces) or `D…` (DM): one capital letter, then capitals and digits.
 * The address is `{ platform: 'slack', channel }`, the channel a destination posts to.
 */
import { z } from 'zod';
import type { ChannelAddress, ChannelAddressing } from '../../src/ingress/platform';

export const SLACK_CHANNEL_ID = /^[CGD][A-Z0-9]{2,40}$/;

const SlackChannelAddress = z.object({ platform: z.literal('slack'), channel: z.string().regex(SLACK_CHANNEL_ID) });
/** A destination or card (address.ts) read for its channel only. */
const SlackPlace = z.looseObject({ platform: z.literal('slack'), channel: z.string().min(1).max(64) });

/** The channel of an address `slackChannels.parse` gave; throws for any other. */
export function slackChannelOf(address: ChannelAddress): string {
  const a = SlackChannelAddress.safeParse(address);
  if (!a.success) throw new Error(`not a Slack channel address (${address.platform})`);
  return a.data.channel;
}

export const slackChannels: ChannelAddressing = {
  example: 'C0123ABCDEF',
  sketch: 'C…',
  parse: (id) =>
    SLACK_CHANNEL_ID.test(id)
      ? { ok: true, address: { platform: 'slack', channel: id } }
      : { ok: false, problem: 'is not a Slack channel ID (C…, G… or D… in capitals and digits, e.g. slack:C0123ABCDEF)' },
  format: (address) => slackChannelOf(address),
  placeOf: (where) => {
    const d = SlackPlace.safeParse(where);
    return d.success ? d.data.channel : null;
  },
};
