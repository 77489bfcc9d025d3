/**
 * The text a model reads first for list_triages and get_triage, built from the same redacted
 * object the structured content carries (src/report/find-json.ts). It says where each triage
 * stands in the bot's words and, every time, what a stored triage is: what the bot recorded as of
 * its `updatedAt`, not a fresh read of Caracal. Outside values pass the outside-text rule.
 */
import { outsideText } from '../../render/outside-text';
import type { TriageListJson } from '../../report/find-json';
import type { TriageShowJson, TriageSummaryJson } from '../../report/summary';
import { STEP_IDS, STEP_TITLES } from '../../triage/model';
import { withNames } from '../../triage/names';

const line = (text: unknown): string => outsideText(text);

export const STORED_NOT_FRESH = "A stored triage is what the bot recorded when it last changed (`updatedAt`), not a fresh read of Caracal: call triage_request with its request ID to read Caracal now.";

/** Its request, zone, cause, card, who started it and when it was last recorded. */
function factsOf(t: TriageSummaryJson): string {
  return [
    t.requestId ? `request ${line(t.requestId)}` : 'no request ID',
    t.zoneId ? `zone ${line(t.zoneName ?? t.zoneId)}` : null,
    t.cause ? `cause ${line(t.cause)}` : null,
    t.place ? `card in ${line(t.place)}` : null,
    `started ${line(t.createdAt)} by ${line(t.startedBy.name ?? t.startedBy.id)}`,
    `updated ${line(t.updatedAt)}`,
  ]
    .filter(Boolean)
    .join(', ');
}

const summaryLine = (t: TriageSummaryJson): string => `- ${t.id}: ${line(t.status)}. ${factsOf(t)}.`;

export function triageListText(list: TriageListJson, q: { open: boolean; limit: number }): string {
  const what = `${q.open ? 'open ' : ''}triage${list.triages.length === 1 ? '' : 's'}`;
  if (list.triages.length === 0) return `No ${what} in the bot's store (finished triages are kept 7 days).`;
  const out = [`${list.triages.length}${list.more ? '+' : ''} ${what} in the bot's store, newest first:`, ...list.triages.map(summaryLine)];
  if (list.more) out.push(`More matched than ${q.limit}: give a larger limit (up to 200)${q.open ? '' : ', or open: true'}.`);
  out.push('', STORED_NOT_FRESH, 'The structured content is the same JSON as `caracal-triage list --json`; get_triage shows one in full.');
  return out.join('\n');
}

export function triageShowText(t: TriageShowJson): string {
  const facts = factsOf(t);
  const out = [`${t.id}: ${line(t.status)}.`, `${facts.charAt(0).toUpperCase()}${facts.slice(1)}.`];
  if (t.diagnosis) out.push(`Cause (as recorded): ${line(withNames(t.diagnosis.summary, t.names))} (surface ${t.diagnosis.surface}, cause ${line(t.diagnosis.cause)}, confidence ${t.diagnosis.confidence})`);
  else out.push(t.state === 'locating' ? 'The bot was still collecting evidence when this was recorded.' : 'No failing step was recorded.');
  out.push('', 'Steps as recorded (pass, fail, unknown = could not be checked, manual = needs a person, skipped):');
  for (const id of STEP_IDS) {
    const s = t.steps.find((x) => x.id === id);
    out.push(s ? `- ${id}: ${s.verdict}. ${line(withNames(s.summary, t.names))}` : `- ${id}: not recorded (${STEP_TITLES[id]}).`);
  }
  out.push('', `History: ${t.history.map((h) => `${line(h.actor.name ?? h.actor.id)} ${line(h.action)}`).join('; ') || 'none'}.`);
  out.push('', STORED_NOT_FRESH, 'The structured content is the same JSON as `caracal-triage show <triage-id> --json`.');
  return out.join('\n');
}
