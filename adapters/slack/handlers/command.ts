/**
 * `/caracal …`: the slash command through the one command flow, answered with one ephemeral
 * line in the ack. The dedupe key `slack:team:channel:user:trigger_id` makes a redelivered
 * command a no-op. The command's `channel_name` goes with it, so a deployment bound to the
 * channel by name pattern applies (mentions and DMs carry no name: only ID bindings there).
 */
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { slackDestination } from '../address';
import { outcomeText } from '../render/outcome';
import { unescapeSlack } from '../text';
import { type SlackHandlerDeps, slackActor } from './deps';

export function statusFacts(deps: SlackHandlerDeps) {
  return { botUserId: deps.identity.current()?.botUserId ?? null, access: deps.authz.describe(), incidentChannelPattern: deps.incidentChannelPattern };
}

/** Names Slack puts in `channel_name` where the conversation has none of its own (a DM, an old private group). */
const NO_NAME = new Set(['directmessage', 'privategroup']);

/** The channel's name as the slash command gives it, for deployments bound by name pattern; null when it is no channel name. */
export function channelNameOf(name: string | undefined): string | null {
  const n = name?.trim();
  return n && !NO_NAME.has(n) ? n : null;
}

export function commandListener(deps: SlackHandlerDeps) {
  return async ({ command, ack, context }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    const teamId = command.team_id || context.teamId || 'unknown';
    const outcome = await deps.flow.command({
      platform: 'slack',
      text: unescapeSlack(command.text ?? ''),
      prefix: command.command || '/caracal',
      actor: slackActor(command.user_id, command.user_name),
      destination: slackDestination(command.channel_id, teamId),
      channelName: channelNameOf(command.channel_name),
      dedupeKey: `slack:${teamId}:${command.channel_id}:${command.user_id}:${command.trigger_id}`,
      source: 'slack_command',
      authorize: () => deps.authz.check(command.user_id, command.channel_id),
      mayListAll: () => deps.authz.mayListAll(command.user_id),
    });
    await ack({ response_type: 'ephemeral', text: outcomeText(outcome, statusFacts(deps), command.command || '/caracal') });
  };
}
