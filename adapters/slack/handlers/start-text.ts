/** The one-line ephemeral answers to a command, escaped for mrkdwn. */
import type { Command } from '../../../src/commands';
import type { StartTriageResult } from '../../../src/triage/service-api';
import { code } from '../render/mrkdwn';

export function startedText(cmd: Extract<Command, { kind: 'triage' | 'bundle' }>, result: StartTriageResult): string {
  if (!result.created) return `:repeat: Already started: the card for this request is in this channel (triage ${code(result.triageId)}).`;
  if (cmd.kind === 'bundle') {
    return `:package: Collecting the diagnostic bundle${cmd.zoneId ? ` for zone ${code(cmd.zoneId)}` : ''}: it will appear in this channel (triage ${code(result.triageId)}).`;
  }
  const { requestId, zoneId, error } = cmd.input;
  const zone = zoneId ? ` in zone ${code(zoneId)}` : '';
  if (requestId) {
    return `:mag: Triage started for request ${code(requestId)}${zone}: the status card will appear in this channel, with the evidence in its thread.`;
  }
  if (error) return `:mag: Triage started from the pasted error${zone}: the status card will appear in this channel.`;
  return `:mag: Triage started: readiness first, then the card asks for the symptom.`;
}
