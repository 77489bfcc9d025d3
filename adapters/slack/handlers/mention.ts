/**
 * `@Caracal triage <id>` in a channel: the same grammar as the slash command. Events are
 * acked by Bolt before this runs; answers go back as ephemeral messages to the person who
 * mentioned the bot. Dedupe key: the event_id, so Slack's redeliveries start nothing new.
 */
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { helpText, parseCommand } from '../../../src/commands';
import { esc } from '../render/mrkdwn';
import { stripMention, unescapeSlack } from '../text';
import { startRequest, statusText } from './command';
import type { SlackHandlerDeps } from './deps';
import { startedText } from './start-text';

export function mentionListener(deps: SlackHandlerDeps) {
  return async ({ event, client, context, body }: SlackEventMiddlewareArgs<'app_mention'> & AllMiddlewareArgs): Promise<void> => {
    const user = event.user;
    if (!user) return;
    const prefix = '@Caracal';
    const tell = async (text: string) => {
      try {
        await client.chat.postEphemeral({ channel: event.channel, user, text, ...(event.thread_ts ? { thread_ts: event.thread_ts } : {}) });
      } catch (e) {
        deps.logger.warn({ error: (e as Error).message }, 'could not answer a mention');
      }
    };
    const count = (kind: string, outcome: string) => deps.metrics.commands.inc({ platform: 'slack', command: kind, outcome });
    const botUserId = context.botUserId ?? deps.identity.current()?.botUserId;
    const cmd = parseCommand(unescapeSlack(stripMention(event.text, botUserId)), { prefix });
    switch (cmd.kind) {
      case 'invalid':
        count('invalid', 'invalid');
        return tell(`:warning: ${esc(cmd.message)}`);
      case 'help':
        count('help', 'help');
        return tell(esc(helpText({ prefix })));
      case 'status':
        count('status', 'status');
        return tell(await statusText(deps));
    }
    const allowed = deps.authz.check(user, event.channel);
    if (!allowed.ok) {
      count(cmd.kind, 'unauthorized');
      return tell(`:no_entry: ${esc(allowed.message)}`);
    }
    const teamId = context.teamId ?? (body as { team_id?: string }).team_id ?? 'unknown';
    const eventId = (body as { event_id?: string }).event_id ?? `${event.channel}:${event.ts}`;
    try {
      const result = await deps.service.start(startRequest(deps, cmd, { teamId, channelId: event.channel, userId: user }, `slack:${teamId}:event:${eventId}`, 'slack_mention'));
      count(cmd.kind, result.created ? 'started' : 'duplicate');
      if (result.created) await tell(startedText(cmd, result));
    } catch (e) {
      count(cmd.kind, 'error');
      deps.logger.error({ err: e, eventId }, 'could not start a triage from a mention');
      await tell(':x: Could not start the triage: the bot cannot reach its queue right now. Try again in a minute.');
    }
  };
}
