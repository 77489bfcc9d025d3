/** Command outcomes (src/commands/flow.ts) as the one short reply Teams shows in the conversation. */
import type { CommandOutcome, StartingCommand } from '../../../src/ingress/flow';
import type { ReadinessReport } from '../../../src/ingress/readiness';
import { outsideText, visible } from './escape';
import { listText, showText } from './find';

export interface TeamsStatusFacts {
  access: string;
  incidentChannelPattern: RegExp;
}

/** A code span: markdown does not apply inside, so only invisibles and backticks are neutralised. */
const code = (s: string): string => `\`${visible(s).replace(/`/g, 'ˋ') || ' '}\``;

function statusText(readiness: ReadinessReport | null, facts: TeamsStatusFacts): string {
  const lines = ['**Caracal triage** is running.'];
  if (!readiness) lines.push('⚠️ Readiness: no answer within 1 s.');
  else for (const c of readiness.checks) lines.push(`${c.ok ? '✅' : '❌'} ${outsideText(c.name)}${c.detail ? `: ${outsideText(c.detail)}` : ''}`);
  // The web process reads no Caracal (the workers do): it cannot say whether Caracal is reachable, and says what checks it.
  lines.push('❔ Caracal: not checked here (this process does not call Caracal). `triage` starts from its readiness, and `caracal-triage bundle` checks it where the bot runs.');
  lines.push(`Who may use it: ${outsideText(facts.access)}.`, `Incident channels: names matching ${code(facts.incidentChannelPattern.source)}.`);
  return lines.join('\n\n');
}

function startedText(cmd: StartingCommand, triageId: string, created: boolean): string {
  if (!created) return `🔁 Already started: the card for this request is in this conversation (triage ${code(triageId)}).`;
  if (cmd.kind === 'bundle') return `📦 Collecting the diagnostic bundle${cmd.zoneId ? ` for zone ${code(cmd.zoneId)}` : ''}: it will appear here (triage ${code(triageId)}).`;
  const { requestId, zoneId, error } = cmd.input;
  const zone = zoneId ? ` in zone ${code(zoneId)}` : '';
  if (requestId) return `🔎 Triage started for request ${code(requestId)}${zone}: the status card follows here, with the evidence under it.`;
  if (error) return `🔎 Triage started from the pasted error${zone}: the status card follows here.`;
  return '🔎 Triage started: readiness first, then the card asks for the symptom.';
}

export function teamsOutcomeText(outcome: CommandOutcome, facts: TeamsStatusFacts, prefix = '@Caracal'): string {
  switch (outcome.kind) {
    case 'list':
      return listText(outcome.scope, outcome.triages, outcome.more, prefix);
    case 'show':
      return showText(outcome.triage);
    case 'missing':
      return `❔ ${outsideText(outcome.message)}`;
    case 'help':
      return outsideText(outcome.text).replace(/\n/g, '\n\n');
    case 'status':
      return statusText(outcome.readiness, facts);
    case 'invalid':
      return `⚠️ ${outsideText(outcome.message)}`;
    case 'unauthorized':
      return `⛔ ${outsideText(outcome.message)}`;
    case 'started':
      return startedText(outcome.command, outcome.triageId, outcome.created);
    case 'open':
      if (outcome.restarted) return `🔁 This request's triage had stopped (a job failed, or was lost): it starts again now, on its card in this conversation (triage ${code(outcome.triageId)}).`;
      return outcome.link
        ? `🔁 This request's triage is still open: [its card](${outcome.link}) (triage ${code(outcome.triageId)}). Use **Fixed, re-check** there, or resolve it to start again.`
        : `🔁 This request's triage is still open in this conversation (triage ${code(outcome.triageId)}). Use **Fixed, re-check** on its card, or resolve it to start again.`;
    case 'slow':
      return '⏳ Starting is taking longer than usual; the card will appear here if it starts. Give it a minute before asking again.';
    case 'unavailable':
      return '❌ Could not start the triage: the bot cannot reach its queue right now. Nothing was started; try again in a minute.';
  }
}
