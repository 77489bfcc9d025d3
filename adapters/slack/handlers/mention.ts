/**
 * `@Caracal triage <id>` in a channel: the same command flow as the slash command. Events are
 * acked by Bolt before this runs; answers go back as ephemeral messages to the person who
 * mentioned the bot. Dedupe key: the event_id, so Slack's redeliveries start nothing new (and
 * say nothing again).
 */
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { slackDestination } from '../address';
import { outcomeText } from '../render/outcome';
import { stripMention, unescapeSlack } from '../text';
import { statusFacts } from './command';
import { type SlackHandlerDeps, slackActor } from './deps';

/** The fields read, checked before use: a signed event can still lack them. */
const Mention = z.looseObject({ user: z.string().min(1), channel: z.string().min(1).max(64), ts: z.string().min(1), text: z.string().max(40_000), thread_ts: z.string().optional() });

export function mentionListener(deps: SlackHandlerDeps) {
  return async ({ event: raw, client, context, body }: SlackEventMiddlewareArgs<'app_mention'> & AllMiddlewareArgs): Promise<void> => {
    const parsed = Mention.safeParse(raw);
    if (!parsed.success) {
      deps.metrics.events.inc({ platform: 'slack', type: 'app_mention', outcome: 'invalid' });
      return;
    }
    const event = parsed.data;
    const user = event.user;
    const botUserId = context.botUserId ?? deps.identity.current()?.botUserId;
    const teamId = context.teamId ?? (body as { team_id?: string }).team_id ?? 'unknown';
    const eventId = (body as { event_id?: string }).event_id ?? `${event.channel}:${event.ts}`;
    const outcome = await deps.flow.command({
      platform: 'slack',
      text: unescapeSlack(stripMention(event.text, botUserId)),
      prefix: '@Caracal',
      actor: slackActor(user),
      destination: slackDestination(event.channel, teamId),
      dedupeKey: `slack:${teamId}:event:${eventId}`,
      source: 'slack_mention',
      authorize: () => deps.authz.check(user, event.channel),
      mayListAll: () => deps.authz.mayListAll(user),
    });
    if (outcome.kind === 'started' && !outcome.created) return;
    try {
      await client.chat.postEphemeral({ channel: event.channel, user, text: outcomeText(outcome, statusFacts(deps), '@Caracal'), ...(event.thread_ts ? { thread_ts: event.thread_ts } : {}) });
    } catch (e) {
      deps.logger.warn({ error: (e as Error).message }, 'could not answer a mention');
    }
  };
}
