/** Command outcomes (src/commands/flow.ts) as the one ephemeral mrkdwn line Slack shows. */
import { z } from 'zod';
import type { MessageRef } from '../../../src/chat/port';
import type { CommandOutcome, StartingCommand } from '../../../src/ingress/flow';
import type { ReadinessReport } from '../../../src/ingress/readiness';
import { code, esc } from './mrkdwn';
import { listText, showText } from './find';

export interface StatusFacts {
  botUserId: string | null;
  access: string;
  incidentChannelPattern: RegExp;
}

/**
 * The web process that answers `status` reads no Caracal (the workers do), so it cannot say
 * whether Caracal is reachable: it says so, and names what checks it.
 */
const CARACAL_NOT_CHECKED_SLACK = ':grey_question: Caracal: not checked here (this process does not call Caracal). `/caracal triage` starts from its readiness, and `caracal-triage bundle` checks it where the bot runs.';

export function statusText(readiness: ReadinessReport | null, facts: StatusFacts): string {
  const lines = [`*Caracal triage* ${facts.botUserId ? `is running as <@${facts.botUserId}>` : 'is running (Slack identity not confirmed yet)'}.`];
  if (!readiness) lines.push(':warning: Readiness: no answer within 1 s.');
  else for (const c of readiness.checks) lines.push(`${c.ok ? ':white_check_mark:' : ':x:'} ${esc(c.name)}${c.detail ? `: ${esc(c.detail)}` : ''}`);
  lines.push(CARACAL_NOT_CHECKED_SLACK);
  lines.push(`Who may use it: ${esc(facts.access)}.`, `Incident channels: names matching \`${esc(facts.incidentChannelPattern.source)}\`.`);
  return lines.join('\n');
}

export function startedText(cmd: StartingCommand, triageId: string, created: boolean): string {
  if (!created) return `:repeat: Already started: the card for this request is in this channel (triage ${code(triageId)}).`;
  if (cmd.kind === 'bundle') {
    return `:package: Collecting the diagnostic bundle${cmd.zoneId ? ` for zone ${code(cmd.zoneId)}` : ''}: it will appear in this channel (triage ${code(triageId)}).`;
  }
  const { requestId, zoneId, error } = cmd.input;
  const zone = zoneId ? ` in zone ${code(zoneId)}` : '';
  if (requestId) {
    return `:mag: Triage started for request ${code(requestId)}${zone}: the status card will appear in this channel, with the evidence in its thread.`;
  }
  if (error) return `:mag: Triage started from the pasted error${zone}: the status card will appear in this channel.`;
  return `:mag: Triage started: readiness first, then the card asks for the symptom.`;
}

/** A permalink we may put inside `<url|text>`: https, and none of the characters that end the link. */
const SafeLink = z.url({ protocol: /^https$/ }).regex(/^[^\s|<>]+$/);

/**
 * The same command while its triage is open: a link to that card instead of a second one.
 * The link is built by the worker from auth.test's workspace URL, the channel and the ts.
 */
export function openText(triageId: string, card: MessageRef | null, link: string | null, restarted = false): string {
  const safe = link && SafeLink.safeParse(link).success ? link : null;
  const where = safe ? `<${safe}|its card>` : card ? 'its card, above in this channel' : 'its card, about to appear in this channel';
  if (restarted) return `:repeat: This request's triage had stopped (a job failed, or was lost): it starts again now, on ${where} (triage ${code(triageId)}).`;
  return [
    `:link: This request already has an open triage here: ${where} (triage ${code(triageId)}).`,
    'Click *Fixed, re-check* on the card to run the checks again. Once it is resolved or escalated, the same command starts a new triage.',
  ].join(' ');
}

export function outcomeText(outcome: CommandOutcome, facts: StatusFacts, prefix = '/caracal'): string {
  switch (outcome.kind) {
    case 'list':
      return listText(outcome.scope, outcome.triages, outcome.more, prefix);
    case 'show':
      return showText(outcome.triage);
    case 'missing':
      return `:grey_question: ${esc(outcome.message)}`;
    case 'help':
      return esc(outcome.text);
    case 'status':
      return statusText(outcome.readiness, facts);
    case 'invalid':
      return `:warning: ${esc(outcome.message)}`;
    case 'unauthorized':
      return `:no_entry: ${esc(outcome.message)}`;
    case 'started':
      return startedText(outcome.command, outcome.triageId, outcome.created);
    case 'open':
      return openText(outcome.triageId, outcome.card, outcome.link, outcome.restarted);
    case 'slow':
      return ':hourglass_flowing_sand: Starting is taking longer than usual; the card will appear in this channel if it starts. Give it a minute before running the command again.';
    case 'unavailable':
      return ':x: Could not start the triage: the bot cannot reach its queue right now. Nothing was started; try again in a minute.';
  }
}
