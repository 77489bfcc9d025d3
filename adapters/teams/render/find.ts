/**
 * `list` and `show` as Teams shows them (one markdown reply): each triage by where it stands in
 * words, its request, its zone by name, where its card is, when it started (in UTC: a reply is
 * not a card, so the date functions do not run there) and links to its card and page.
 */
import type { ListedTriage, ListScope } from '../../../src/ingress/flow';
import { SURFACE_LABELS } from '../../../src/chat/render/labels';
import { stateText } from '../../../src/report/state-words';
import { STEP_IDS, STEP_TITLES } from '../../../src/triage/model';
import { nameOf, withNames } from '../../../src/triage/names';
import { teamsLink } from './dates';

/**
 * Replies are markdown messages, where Adaptive Card date functions do not run: times are
 * given in UTC and say so (the cards use the reader's zone, with UTC beside it).
 */
function utcText(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? visible(iso) : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
import { fitOutside, fitSentence, visible } from './escape';

const code = (s: string): string => `\`${visible(s).replace(/`/g, 'ˋ').replace(/\{\{/g, '{ {') || ' '}\``;

export function triageLine(t: ListedTriage): string {
  const r = t.found.record;
  const zone = r.zoneId ? nameOf(r.names, 'zones', r.zoneId) : null;
  const what = r.input.requestId ? `request ${code(r.input.requestId)}` : r.incident ? fitOutside(r.incident.title, 80) : 'readiness first';
  const parts = [
    `${teamsLink(t.found.cardLink, code(r.id))} **${fitOutside(stateText(r), 160)}**`,
    what,
    r.zoneId ? `zone ${zone ? fitOutside(zone, 60) : code(r.zoneId)}` : '',
    `started ${utcText(r.createdAt)}`,
    t.links.page ? teamsLink(t.links.page, 'page') : '',
  ].filter(Boolean);
  return `- ${parts.join(' · ')}`;
}

const SCOPE_WORDS: Record<ListScope, { some: string; none: string }> = {
  here: { some: 'Open triages in this conversation', none: 'No open triage in this conversation.' },
  mine: { some: 'Triages you started or acted on', none: 'You have not started or acted on a triage recently.' },
  all: { some: 'Open triages in every conversation', none: 'No open triage anywhere.' },
};

export function listText(scope: ListScope, triages: ListedTriage[], more: boolean, prefix: string): string {
  const words = SCOPE_WORDS[scope];
  if (triages.length === 0) return `📥 ${words.none} Start one with \`${prefix} triage <request-id>\`.`;
  const lines = [`🗂️ **${words.some}** (newest first):`, '', ...triages.map(triageLine)];
  if (more) lines.push('', '_and more; `caracal-triage list` where the bot runs lists them all._');
  lines.push('', `\`${prefix} show <triage-id>\` for one of them.`);
  return lines.join('\n');
}

export function showText(t: ListedTriage): string {
  const r = t.found.record;
  const d = r.diagnosis;
  const lines = [`🔎 **Triage ${code(r.id)}**: ${fitOutside(stateText(r), 200)}`, '', triageLine(t)];
  if (d) {
    const rb = t.links.runbook;
    lines.push('', `**${SURFACE_LABELS[d.surface]}** at step ${STEP_IDS.indexOf(d.step) + 1} _${STEP_TITLES[d.step]}_, cause ${code(d.cause)}${rb ? ` (${rb.url ? teamsLink(rb.url, 'runbook') : `runbook ${code(rb.pointer)}`})` : ''}: ${fitSentence(withNames(d.summary, r.names), 800)}`);
  }
  lines.push('', t.found.cardLink ? `Card: ${teamsLink(t.found.cardLink, 'open it')}` : t.found.card ? 'Card: posted (Teams gave no link to it).' : 'Card: not posted yet.');
  if (t.links.page) lines.push('', `Page: ${teamsLink(t.links.page, 'the triage on a page of its own')} (the link expires)`);
  lines.push('', `Updated ${utcText(r.updatedAt)}.`);
  return lines.join('\n');
}
