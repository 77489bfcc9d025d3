/**
 * `/caracal …`: parse → authorize → service.start → ack with one ephemeral line. Only fast
 * work happens before the ack (parsing, an in-memory authorization check, Redis round trips
 * inside service.start, bounded by startTimeoutMs); the triage itself runs in the worker.
 * The dedupe key `slack:team:channel:user:trigger_id` makes a redelivered command a no-op.
 */
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { type Command, helpText, parseCommand } from '../../../src/commands';
import type { StartTriageRequest } from '../../../src/triage/service-api';
import { esc } from '../render/mrkdwn';
import { unescapeSlack } from '../text';
import { type SlackHandlerDeps, within } from './deps';
import { startedText } from './start-text';

export async function statusText(deps: SlackHandlerDeps): Promise<string> {
  const id = deps.identity.current();
  const lines = [`*Caracal triage* ${id ? `is running as <@${id.botUserId}>` : 'is running (Slack identity not confirmed yet)'}.`];
  if (deps.readiness) {
    const report = await within(deps.readiness(), 1000);
    if (!report) lines.push(':warning: Readiness: no answer within 1 s.');
    else {
      for (const c of report.checks) lines.push(`${c.ok ? ':white_check_mark:' : ':x:'} ${esc(c.name)}${c.detail ? `: ${esc(c.detail)}` : ''}`);
    }
  }
  lines.push(`Who may use it: ${esc(deps.authz.describe())}.`, `Incident channels: names matching \`${esc(deps.incidentChannelPattern.source)}\`.`);
  return lines.join('\n');
}

export function startRequest(
  deps: Pick<SlackHandlerDeps, 'redactor'>,
  cmd: Extract<Command, { kind: 'triage' | 'bundle' }>,
  where: { teamId: string; channelId: string; userId: string; userName?: string },
  dedupeKey: string,
  source: string,
): StartTriageRequest {
  const input = cmd.kind === 'bundle' ? { requestId: null, zoneId: cmd.zoneId, symptom: null, error: null } : { ...cmd.input };
  // A pasted error body is stored with the triage: secrets pasted along with it are not.
  if (input.error) input.error = deps.redactor.redactText(input.error).text;
  const req: StartTriageRequest = {
    input,
    destination: { platform: 'slack', channel: where.channelId, teamId: where.teamId },
    actor: where.userName ? { kind: 'user', id: where.userId, name: where.userName } : { kind: 'user', id: where.userId },
    dedupeKey,
    source,
  };
  if (cmd.kind === 'bundle') req.postBundle = true;
  return req;
}

export function commandListener(deps: SlackHandlerDeps) {
  return async ({ command, ack, context }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    const count = (kind: string, outcome: string) => deps.metrics.commands.inc({ platform: 'slack', command: kind, outcome });
    const reply = (text: string) => ack({ response_type: 'ephemeral', text });
    const cmd = parseCommand(unescapeSlack(command.text ?? ''), { prefix: command.command || '/caracal' });
    switch (cmd.kind) {
      case 'invalid':
        count('invalid', 'invalid');
        return reply(`:warning: ${esc(cmd.message)}`);
      case 'help':
        count('help', 'help');
        return reply(esc(helpText({ prefix: command.command || '/caracal' })));
      case 'status':
        count('status', 'status');
        return reply(await statusText(deps));
    }
    const allowed = deps.authz.check(command.user_id, command.channel_id);
    if (!allowed.ok) {
      count(cmd.kind, 'unauthorized');
      return reply(`:no_entry: ${esc(allowed.message)}`);
    }
    const teamId = command.team_id || context.teamId || 'unknown';
    const dedupeKey = `slack:${teamId}:${command.channel_id}:${command.user_id}:${command.trigger_id}`;
    const req = startRequest(deps, cmd, { teamId, channelId: command.channel_id, userId: command.user_id, userName: command.user_name }, dedupeKey, 'slack_command');
    const started = deps.service.start(req);
    let result;
    try {
      result = await within(started, deps.startTimeoutMs);
    } catch (e) {
      count(cmd.kind, 'error');
      deps.logger.error({ err: e, dedupeKey }, 'could not start a triage');
      return reply(':x: Could not start the triage: the bot cannot reach its queue right now. Nothing was started; try again in a minute.');
    }
    if (!result) {
      count(cmd.kind, 'timeout');
      started.catch((e) => deps.logger.error({ err: e, dedupeKey }, 'triage start failed after the ack'));
      return reply(':hourglass_flowing_sand: Starting is taking longer than usual; the card will appear in this channel if it starts. Give it a minute before running the command again.');
    }
    count(cmd.kind, result.created ? 'started' : 'duplicate');
    deps.logger.info({ triageId: result.triageId, created: result.created, retryNum: context.retryNum }, 'slack command');
    return reply(startedText(cmd, result));
  };
}
