/**
 * A direct message to the bot (`message.im`, scope im:history): every command, as the slash
 * command takes it, without a mention; the answer is a message in the DM and a triage's card is
 * posted in the DM too (its destination is the DM's channel). Bolt has acked the event; the
 * dedupe key is the event_id, so Slack's redeliveries start nothing new and say nothing again.
 * Only plain messages from people count: the bot's own posts, edits and joins are ignored.
 */
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { slackDestination } from '../address';
import { outcomeText } from '../render/outcome';
import { stripMention, unescapeSlack } from '../text';
import { statusFacts } from './command';
import { type SlackHandlerDeps, slackActor } from './deps';

/** The fields read, checked before use. */
const DirectMessage = z.looseObject({
  channel_type: z.literal('im'),
  user: z.string().regex(/^[UW][A-Z0-9]{2,20}$/),
  channel: z.string().regex(/^D[A-Z0-9]{2,40}$/),
  ts: z.string().min(1),
  text: z.string().max(40_000),
  subtype: z.undefined().optional(),
  bot_id: z.undefined().optional(),
});

export function directMessageListener(deps: SlackHandlerDeps) {
  return async ({ event: raw, client, context, body }: SlackEventMiddlewareArgs<'message'> & AllMiddlewareArgs): Promise<void> => {
    const parsed = DirectMessage.safeParse(raw);
    if (!parsed.success) return; // a channel message, an edit, the bot's own post: not a command
    const event = parsed.data;
    const botUserId = context.botUserId ?? deps.identity.current()?.botUserId;
    if (event.user === botUserId) return;
    const teamId = context.teamId ?? (body as { team_id?: string }).team_id ?? 'unknown';
    const eventId = (body as { event_id?: string }).event_id ?? `${event.channel}:${event.ts}`;
    const outcome = await deps.flow.command({
      platform: 'slack',
      // A leading @mention of the bot is allowed in a DM too.
      text: unescapeSlack(stripMention(event.text, botUserId)),
      prefix: '/caracal',
      actor: slackActor(event.user),
      destination: slackDestination(event.channel, teamId),
      dedupeKey: `slack:${teamId}:event:${eventId}`,
      source: 'slack_dm',
      authorize: () => deps.authz.check(event.user, event.channel),
      mayListAll: () => deps.authz.mayListAll(event.user),
    });
    deps.metrics.events.inc({ platform: 'slack', type: 'message.im', outcome: outcome.kind });
    if (outcome.kind === 'started' && !outcome.created) return;
    try {
      await client.chat.postMessage({ channel: event.channel, text: outcomeText(outcome, statusFacts(deps)), unfurl_links: false, unfurl_media: false });
    } catch (e) {
      deps.logger.warn({ error: (e as Error).message }, 'could not answer a direct message');
    }
  };
}
