/**
 * Following a triage up, in Slack: the card's lines about its escalation (whom it reached, by
 * whom, when, what PagerDuty said), about a PagerDuty resolve and about why it was abandoned;
 * and the thread notices: an escalation that mentions the user group (`<!subteam^S…>`) or user
 * (`<@U…>`) it names, so Slack notifies them, and a reminder naming the step that waits. The
 * mentions come only from IDs the settings check accepted (mentions.ts); everything else is
 * escaped like any outside text.
 */
import { abandonedBecause, findNotice, idleFor, latestEscalation, nobodyHere, noticeEscalation, pagerDutyLines, stepPhrase, type EscalationView } from '../../../src/chat/render/followup';
import { clock } from '../../../src/chat/render/labels';
import { headlineOf, recordHeadlineInput } from '../../../src/triage/headline';
import type { Notice, TriageRecord } from '../../../src/triage/record';
import { slackMention } from '../mentions';
import { STATE_EMOJI } from './emoji';
import { LIMITS, type SlackMessage, validateMessage } from './limits';
import { esc, escFit, sentenceFit, userRef } from './mrkdwn';

const TITLE = 'Slack';

/** `<!subteam^S1> and PagerDuty`: whom the escalation reached here. */
function whom(v: EscalationView): string {
  const names = v.mentions.map((m) => slackMention(m.id)).filter((m): m is string => m !== null);
  if (v.pagerduty) names.push('PagerDuty');
  return names.length === 0 ? '' : names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

const by = (v: EscalationView): string => userRef(v.escalation.actor.id, v.escalation.actor.name);

/**
 * The card's escalation lines, for a triage escalated at least once (empty otherwise): who
 * escalated it to whom and when, then what PagerDuty said.
 */
export function escalationLines(r: TriageRecord): string[] {
  const v = latestEscalation(r, 'slack');
  if (!v) return [];
  const to = whom(v);
  const again = v.n > 1 ? ` (escalation ${v.n})` : '';
  const lines = [`${STATE_EMOJI.escalated} *Escalated*${to ? ` to ${to}` : ''} by ${by(v)} at ${clock(v.escalation.at)}${again}.${v.mentions.length === 0 ? ` ${esc(nobodyHere(v, TITLE))}` : ''}`];
  const pd = pagerDutyLines(r);
  if (pd.length) lines.push(`:pager: ${escFit(pd.join('; '), 600)}.`);
  return lines;
}

/** `Abandoned: no one acted for 24 h.` */
export function abandonedLine(r: TriageRecord): string {
  return `${STATE_EMOJI.abandoned} *Abandoned*: ${esc(abandonedBecause(r))}.`;
}

function headline(r: TriageRecord): string {
  return sentenceFit(headlineOf(recordHeadlineInput(r)).text, 800);
}

function escalationNotice(r: TriageRecord, n: Notice): { text: string; lines: string[] } {
  const v = noticeEscalation(r, n, 'slack');
  if (!v) return { text: 'Escalated.', lines: [':arrow_double_up: *Escalated.*'] };
  const mentions = v.mentions.map((m) => slackMention(m.id)).filter((m): m is string => m !== null);
  const pd = v.pagerduty ? ' PagerDuty is being paged too.' : '';
  if (mentions.length === 0) {
    const text = `Escalated by ${by(v)}. ${esc(nobodyHere(v, TITLE))}`;
    return { text, lines: [`:arrow_double_up: *Escalated* by ${by(v)}.${pd} ${esc(nobodyHere(v, TITLE))}`] };
  }
  const text = `${mentions.join(' ')}: escalated to you by ${by(v)}.`;
  return {
    text,
    lines: [
      `:rotating_light: ${mentions.join(' ')}: this triage was escalated to you by ${by(v)}.${pd}`,
      `*Where it stands:* ${headline(r)}`,
      'The card above has the diagnosis and every step; the diagnostic bundle is in this thread.',
    ],
  };
}

function reminderNotice(r: TriageRecord, n: Notice): { text: string; lines: string[] } {
  const waiting = n.step ? `Waiting on ${esc(stepPhrase(n.step))}.` : 'No step is left open: resolve it or re-check a step.';
  const escalated = r.state === 'escalated' && r.escalations?.length ? ` It was escalated at ${clock(r.escalations.at(-1)!.at)}.` : '';
  const text = `No one has acted on this triage for ${idleFor(n)}.`;
  return {
    text,
    lines: [`:alarm_clock: *${text}*${escalated} ${waiting}`, 'Use the buttons on the card above: *Next step*, *Fixed, re-check*, *Skip*, *Escalate* or *Resolved*.'],
  };
}

/** The thread reply for notice `key` of the triage. */
export function buildNoticeMessage(r: TriageRecord, key: string): SlackMessage {
  const n = findNotice(r, key);
  if (!n) throw new Error(`triage ${r.id} has no notice ${key}`);
  const m = n.kind === 'escalation' ? escalationNotice(r, n) : reminderNotice(r, n);
  return validateMessage({ text: m.text.slice(0, LIMITS.fallbackText), blocks: [{ type: 'section', block_id: `triage:${n.kind}`, text: { type: 'mrkdwn', text: m.lines.join('\n') } }] });
}
