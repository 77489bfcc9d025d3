/**
 * Following a triage up, in Teams: the card's lines about its escalation, a PagerDuty resolve and
 * why it was abandoned; and the thread notices: an escalation that @mentions the Teams user it
 * names (`<at>Name</at>` in the text plus a `mention` entity under `msteams.entities`, so Teams
 * notifies them), and a reminder naming the step that waits. The card itself names people as
 * plain text: a mention on a card that is edited in place notifies no one reliably.
 */
import { abandonedBecause, findNotice, idleFor, latestEscalation, nobodyHere, noticeEscalation, pagerDutyLines, stepPhrase, type EscalationView } from '../../../src/chat/render/followup';
import { clock } from '../../../src/chat/render/labels';
import { headlineOf, recordHeadlineInput } from '../../../src/triage/headline';
import type { ChatMention, Notice, TriageRecord } from '../../../src/triage/record';
import { DEFAULT_MENTION_NAME } from '../mentions';
import { type AdaptiveCard, CARD_SCHEMA, CARD_VERSION, type MentionEntity, validateCard } from './card-schema';
import { fitOutside, fitSentence, outsideText } from './escape';
import { STATE_ICON, text } from './parts';

const TITLE = 'Teams';

/** The name a mention shows: the configured one (checked to hold no markup), else `On-call`. */
const mentionName = (m: ChatMention): string => m.name ?? DEFAULT_MENTION_NAME;

function list(names: string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

const by = (v: EscalationView): string => fitOutside(v.escalation.actor.name ?? v.escalation.actor.id, 80);

/** The card's escalation lines (empty when the triage was never escalated). */
export function escalationLines(r: TriageRecord): string[] {
  const v = latestEscalation(r, 'teams');
  if (!v) return [];
  const names = [...v.mentions.map((m) => outsideText(mentionName(m))), ...(v.pagerduty ? ['PagerDuty'] : [])];
  const again = v.n > 1 ? ` (escalation ${v.n})` : '';
  const lines = [`${STATE_ICON.escalated} **Escalated**${names.length ? ` to ${list(names)}` : ''} by ${by(v)} at ${clock(v.escalation.at)}${again}.${v.mentions.length === 0 ? ` ${outsideText(nobodyHere(v, TITLE))}` : ''}`];
  const pd = pagerDutyLines(r);
  if (pd.length) lines.push(`📟 ${fitOutside(pd.join('; '), 600)}.`);
  return lines;
}

export function abandonedLine(r: TriageRecord): string {
  return `${STATE_ICON.abandoned} **Abandoned**: ${abandonedBecause(r)}.`;
}

function card(body: ReturnType<typeof text>[], fallback: string, entities: MentionEntity[] = []): AdaptiveCard {
  return validateCard({
    type: 'AdaptiveCard',
    $schema: CARD_SCHEMA,
    version: CARD_VERSION,
    msteams: entities.length ? { width: 'Full', entities } : { width: 'Full' },
    fallbackText: fitOutside(fallback, 500),
    body,
  });
}

function escalationNotice(r: TriageRecord, n: Notice): AdaptiveCard {
  const v = noticeEscalation(r, n, 'teams');
  if (!v) return card([text('⏫ **Escalated.**')], 'Escalated');
  const pd = v.pagerduty ? ' PagerDuty is being paged too.' : '';
  if (v.mentions.length === 0) return card([text(`⏫ **Escalated** by ${by(v)}.${pd} ${outsideText(nobodyHere(v, TITLE))}`)], 'Escalated');
  const entities: MentionEntity[] = v.mentions.map((m) => ({ type: 'mention', text: `<at>${mentionName(m)}</at>`, mentioned: { id: m.id, name: mentionName(m) } }));
  const at = list(entities.map((e) => e.text));
  return card(
    [
      text(`🚨 ${at}: this triage was escalated to you by ${by(v)}.${pd}`),
      text(`**Where it stands:** ${fitSentence(headlineOf(recordHeadlineInput(r)).text, 800)}`),
      text('The card above has the diagnosis and every step; the diagnostic bundle is in this thread.', { isSubtle: true }),
    ],
    `Escalated to ${list(v.mentions.map(mentionName))}`,
    entities,
  );
}

function reminderNotice(r: TriageRecord, n: Notice): AdaptiveCard {
  const waiting = n.step ? `Waiting on ${stepPhrase(n.step)}.` : 'No step is left open: resolve it or re-check a step.';
  const escalated = r.state === 'escalated' && r.escalations?.length ? ` It was escalated at ${clock(r.escalations.at(-1)!.at)}.` : '';
  const head = `No one has acted on this triage for ${idleFor(n)}.`;
  return card(
    [text(`⏰ **${head}**${escalated} ${waiting}`), text('Use the buttons on the card above: **Next step**, **Fixed, re-check**, **Skip**, **Escalate** or **Resolved**.', { isSubtle: true })],
    head,
  );
}

/** The thread reply for notice `key` of the triage. */
export function buildNoticeMessage(r: TriageRecord, key: string): AdaptiveCard {
  const n = findNotice(r, key);
  if (!n) throw new Error(`triage ${r.id} has no notice ${key}`);
  return n.kind === 'escalation' ? escalationNotice(r, n) : reminderNotice(r, n);
}
