/**
 * `/caracal …`: the slash command through the one command flow, answered with one ephemeral
 * line in the ack. The dedupe key `slack:team:channel:user:trigger_id` makes a redelivered
 * command a no-op.
 */
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { slackDestination } from '../address';
import { outcomeText } from '../render/outcome';
import { unescapeSlack } from '../text';
import { type SlackHandlerDeps, slackActor } from './deps';

export function statusFacts(deps: SlackHandlerDeps) {
  return { botUserId: deps.identity.current()?.botUserId ?? null, access: deps.authz.describe(), incidentChannelPattern: deps.incidentChannelPattern };
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
      dedupeKey: `slack:${teamId}:${command.channel_id}:${command.user_id}:${command.trigger_id}`,
      source: 'slack_command',
      authorize: () => deps.authz.check(command.user_id, command.channel_id),
      mayListAll: () => deps.authz.mayListAll(command.user_id),
    });
    await ack({ response_type: 'ephemeral', text: outcomeText(outcome, statusFacts(deps), command.command || '/caracal') });
  };
}
