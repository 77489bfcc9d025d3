/**
 * The postmortem export: one Markdown document per triage, the same from the card's *Export*
 * button, `caracal-triage show <id> --markdown` and the page's `.md` link. In order: what it
 * is and where it stands, the diagnosis (with its runbook and Console links), the timeline
 * (command, steps with verdicts, clicks with people, escalations, fixes, resolution, with
 * times in UTC), the steps with their evidence, the changes before the denial, the redacted
 * bundle, and whether the bot's audit chain verifies.
 *
 * Everything from outside (Caracal's text, people's names, pasted errors) is made inert: the
 * one outside-text rule first, then Markdown's own characters backslash-escaped in prose (so no
 * link, image, HTML or heading can be injected), code spans that no backtick can close, and
 * fences longer than any run of backticks in what they hold. Already redacted upstream.
 */
import { outsideText } from '../render/outside-text';
import { BUNDLE_ITEM_LABELS, SURFACE_LABELS, SYMPTOM_LABELS } from '../chat/render/labels';
import type { AuditTrail, FoundTriage } from './found';
import { STEP_IDS, STEP_TITLES } from '../triage/model';
import { withNames } from '../triage/names';
import type { Actor } from '../triage/record';
import { triageLinks, type LinkContext } from './links';
import { stateText } from './state-words';
import { zoneWords } from './summary';
import { timelineOf } from './timeline';

/**
 * Outside text as inert Markdown prose on one line: the characters that open emphasis, code,
 * links, images, tables and strikethrough are backslash-escaped, `<` and `>` (HTML, autolinks,
 * quotes) become entities. Block markers matter only at a line's start (mdParagraph).
 */
export function mdText(raw: unknown): string {
  return outsideText(raw)
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** A paragraph that begins with outside text: a leading heading, list or quote marker is escaped. */
function mdParagraph(text: string): string {
  return text.replace(/^(\s*)(\d+)([.)])/, '$1$2\\$3').replace(/^(\s*)([#+\-=])/, '$1\\$2');
}

/** An outside value as a code span: one line, backticks that cannot close it. */
export function mdCode(raw: unknown): string {
  const v = outsideText(raw).replace(/`/g, 'ˋ');
  return `\`${v || ' '}\``;
}

/** A fenced block that nothing inside can end. */
export function mdFence(body: string, lang = ''): string {
  const longest = Math.max(0, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${lang}\n${outsideText(body, { multiline: true })}\n${fence}`;
}

/** A link to a URL the bot built (https/http only), else the URL as code. */
function mdLink(label: string, url: string | null): string | null {
  if (!url) return null;
  return /^https?:\/\/[^\s<>()]+$/.test(url) ? `[${label}](${url})` : `${label}: ${mdCode(url)}`;
}

/** `2026-12-06 14:02:05 UTC`. */
export function utc(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

const who = (a: Actor | null): string => (a ? mdText(a.name ?? a.id) : 'the bot');

/** A sentence the bot wrote around outside values: its code spans kept, the rest made inert. */
function mdSentence(raw: string): string {
  return raw
    .split(/(`[^`\n]+`)/g)
    .map((part) => (/^`[^`\n]+`$/.test(part) ? mdCode(part.slice(1, -1)) : mdText(part)))
    .join('');
}

export interface ExportInput {
  found: FoundTriage;
  trail: AuditTrail;
  links: LinkContext;
}

export function exportFileName(triageId: string): string {
  return `caracal-triage-${triageId.replace(/[^A-Za-z0-9_-]/g, '_')}.md`;
}

export function postmortemMarkdown({ found, trail, links: ctx }: ExportInput): string {
  const r = found.record;
  const names = r.names;
  const links = triageLinks(r, ctx);
  const out: string[] = [];
  const title = r.input.requestId ?? r.incident?.title ?? 'readiness first';
  out.push(`# Caracal triage ${mdCode(r.id)}: ${mdText(title)}`, '');
  const zone = zoneWords(r);
  out.push(
    `- **Status:** ${mdText(stateText(r))}`,
    ...(r.deployment ? [`- **Deployment:** ${mdCode(r.deployment)}`] : []),
    `- **Request:** ${r.input.requestId ? mdCode(r.input.requestId) : 'none given'}`,
    `- **Zone:** ${zone ? (zone !== r.zoneId ? `${mdText(zone)} (${mdCode(r.zoneId)})` : mdCode(zone)) : 'not located'}`,
    `- **Surface:** ${r.surface ? `${SURFACE_LABELS[r.surface]} (${mdCode(r.surface)})` : 'not determined'}`,
    `- **Symptom:** ${r.symptom ? mdText(SYMPTOM_LABELS[r.symptom]) : 'not known'}`,
    `- **Started:** ${utc(r.createdAt)} by ${who(found.startedBy)} (${mdText(found.source)})${found.place ? ` in ${mdCode(found.place)}` : ''}`,
    `- **Last change:** ${utc(r.updatedAt)}`,
  );
  const where = [mdLink('the card', found.cardLink), mdLink('the triage page', links.page)].filter(Boolean);
  if (where.length) out.push(`- **Links:** ${where.join(' · ')}`);
  if (r.input.error) out.push(`- **Reported error:** ${mdCode(r.input.error)}`);
  out.push('');

  out.push('## Diagnosis', '');
  const d = r.diagnosis;
  if (d) {
    out.push(
      `**Failing surface:** ${SURFACE_LABELS[d.surface]} (${mdCode(d.surface)}), at step ${STEP_IDS.indexOf(d.step) + 1} ${STEP_TITLES[d.step]}; cause ${mdCode(d.cause)}, confidence ${d.confidence}.`,
      '',
      mdParagraph(mdSentence(withNames(d.summary, names))),
      '',
    );
    if (links.runbook) out.push(`Runbook: ${links.runbook.url ? `[${links.runbook.anchor}](${links.runbook.url})` : mdCode(links.runbook.pointer)}`, '');
  } else {
    out.push('No step failed, so there is no diagnosis.', '');
  }
  const consoleLinks = [mdLink('request trace', links.requestTrace), mdLink('policy set', links.policySet), mdLink('resource', links.resource), mdLink('approvals', links.approvals)].filter(Boolean);
  if (consoleLinks.length) out.push(`Console: ${consoleLinks.join(' · ')}`, '');

  out.push('## Timeline', '', '| Time (UTC) | Who | What |', '|---|---|---|');
  for (const e of timelineOf(r, trail.entries)) out.push(`| ${utc(e.at).replace(/ UTC$/, '')} | ${who(e.actor)} | ${mdSentence(withNames(e.text, names))} |`);
  out.push('');

  out.push('## Steps', '');
  for (const id of STEP_IDS) {
    const s = r.steps.find((x) => x.id === id);
    out.push(`### ${STEP_IDS.indexOf(id) + 1}. ${STEP_TITLES[id]}: ${s ? s.verdict : 'not checked'}`, '');
    if (!s) continue;
    out.push(mdParagraph(mdSentence(withNames(s.summary, names))), '');
    if (s.cause) out.push(`Cause: ${mdCode(s.cause)}`, '');
    if (Object.keys(s.evidence).length > 0) out.push(mdFence(JSON.stringify(s.evidence, null, 2), 'json'), '');
  }

  const changes = r.changes ?? [];
  out.push(`## Changed before this ${r.input.requestId ? 'denial' : 'triage'}`, '');
  if (changes.length === 0) out.push('No admin changes were found in the window (or the admin audit could not be read: see the bundle).', '');
  for (const c of changes) out.push(`- ${c === d?.change || (d?.change && c.at === d.change.at && c.entityId === d.change.entityId) ? '**cause**' : mdText(c.relevance.replace(/_/g, ' '))}: ${mdSentence(withNames(c.summary, names))} (${utc(c.at)}, admin-audit request ${mdCode(c.requestId)})`);
  if (changes.length) out.push('');

  const b = r.bundle;
  out.push(`## Diagnostic bundle${b ? ` (redacted: ${b.redactions} value${b.redactions === 1 ? '' : 's'})` : ''}`, '');
  if (!b) out.push('The bundle was not collected.', '');
  for (const item of b?.items ?? []) {
    out.push(`### ${BUNDLE_ITEM_LABELS[item.id] ?? mdText(item.id)}: ${item.status}`, '', mdParagraph(mdSentence(withNames(item.summary, names))), '');
    if (Object.keys(item.evidence).length > 0) out.push(mdFence(JSON.stringify(item.evidence, null, 2), 'json'), '');
  }

  out.push('## The bot\'s audit log', '');
  const chain = trail.chain;
  out.push(
    chain === null
      ? 'The audit chain was not checked for this export (no signing key here, or the check did not finish in time); run `caracal-triage audit verify`.'
      : chain.ok
        ? `The audit chain verifies: ${chain.entries} entr${chain.entries === 1 ? 'y' : 'ies'}, every HMAC and link intact, so the entries above are as the bot wrote them.`
        : `**The audit chain does NOT verify** (${chain.entries} entries read): ${mdText(chain.reason ?? 'a break was found')}. Entries above may have been altered or removed; keep this export and run \`caracal-triage audit verify\`.`,
    '',
    `${trail.entries.length} audit entr${trail.entries.length === 1 ? 'y is' : 'ies are'} about this triage.`,
    '',
  );
  return `${out.join('\n').trimEnd()}\n`;
}
