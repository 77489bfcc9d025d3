/**
 * `list` and `show` as Slack shows them (mrkdwn), and the lines the Home tab reuses: each
 * triage by where it stands in words, its request, its zone by name, its channel, when it
 * started (in the reader's own zone, a date token) and links to its card and its page.
 */
import type { ListedTriage, ListScope } from '../../../src/ingress/flow';
import { SURFACE_LABELS } from '../../../src/chat/render/labels';
import { stateWords } from '../../../src/report/state-words';
import { nameOf, withNames } from '../../../src/triage/names';
import { STEP_IDS, STEP_TITLES } from '../../../src/triage/model';
import { slackDate, slackLink } from './dates';
import { code, esc, escFit, sentenceFit, userRef } from './mrkdwn';

/** A place (`slack:C0123`) as a channel mention Slack draws by name; other places as code. */
export function placeText(place: string | null): string {
  if (!place) return '';
  const m = /^slack:([CGD][A-Z0-9]{2,40})$/.exec(place);
  if (m) return m[1]!.startsWith('D') ? 'a direct message' : `<#${m[1]}>`;
  return code(place, 80);
}

function stateText(t: ListedTriage): string {
  const w = stateWords(t.found.record);
  return `*${esc(w.phrase)}*${w.by ? ` by ${userRef(w.by.id, w.by.name)}` : ''}`;
}

/** One line: `tri-…` (linked to its card), where it stands, request, zone, channel, started. */
export function triageLine(t: ListedTriage): string {
  const r = t.found.record;
  const zone = r.zoneId ? nameOf(r.names, 'zones', r.zoneId) : null;
  const what = r.input.requestId ? `request ${code(r.input.requestId, 80)}` : r.incident ? escFit(r.incident.title, 80) : 'readiness first';
  const parts = [
    `${slackLink(t.found.cardLink, `\`${r.id}\``)} ${stateText(t)}`,
    what,
    r.zoneId ? `zone ${zone ? escFit(zone, 60) : code(r.zoneId, 60)}` : '',
    placeText(t.found.place),
    `started ${slackDate(r.createdAt)}`,
    t.links.page ? slackLink(t.links.page, 'page') : '',
  ].filter(Boolean);
  return `• ${parts.join(' · ')}`;
}

const SCOPE_WORDS: Record<ListScope, { some: string; none: string }> = {
  here: { some: 'Open triages in this conversation', none: 'No open triage in this conversation.' },
  mine: { some: 'Triages you started or acted on', none: 'You have not started or acted on a triage recently.' },
  all: { some: 'Open triages in every conversation', none: 'No open triage anywhere.' },
};

export function listText(scope: ListScope, triages: ListedTriage[], more: boolean, prefix: string): string {
  const words = SCOPE_WORDS[scope];
  if (triages.length === 0) return `:inbox_tray: ${words.none} Start one with \`${prefix} triage <request-id>\`.`;
  const lines = [`:card_index_dividers: *${words.some}* (newest first):`, ...triages.map(triageLine)];
  if (more) lines.push(`_and more; \`caracal-triage list${scope === 'all' ? ' --open' : ''}\` where the bot runs lists them all._`);
  lines.push(`\`${prefix} show <triage-id>\` for one of them.`);
  return lines.join('\n');
}

export function showText(t: ListedTriage): string {
  const r = t.found.record;
  const d = r.diagnosis;
  const lines = [`:mag: *Triage \`${r.id}\`*: ${stateText(t)}`, triageLine(t).replace(/^• /, '')];
  if (d) {
    const rb = t.links.runbook;
    lines.push(
      `*${esc(SURFACE_LABELS[d.surface])}* at step ${STEP_IDS.indexOf(d.step) + 1} _${esc(STEP_TITLES[d.step])}_, cause ${code(d.cause, 80)}${rb ? ` (${rb.url ? slackLink(rb.url, 'runbook') : `runbook ${code(rb.pointer)}`})` : ''}: ${sentenceFit(withNames(d.summary, r.names), 800)}`,
    );
  }
  lines.push(t.found.cardLink ? `Card: ${slackLink(t.found.cardLink, 'open it')}` : t.found.card ? 'Card: posted (this platform gave no link to it).' : 'Card: not posted yet.');
  if (t.links.page) lines.push(`Page: ${slackLink(t.links.page, 'the triage on a page of its own')} (the link expires)`);
  lines.push(`Updated ${slackDate(r.updatedAt)}.`);
  return lines.join('\n');
}
