/**
 * A triage as a web page: server-rendered HTML, no client framework, readable on a phone. What
 * the triage's channel saw, nothing more (the stored record is already redacted): where it
 * stands, the diagnosis with its runbook and Console links, each step with its evidence, the
 * timeline, the changes before the denial and the bundle.
 *
 * Every value from outside (Caracal's text, names, IDs, people) is HTML-escaped (`h`); the
 * bot's own sentences keep their code spans as <code>. Times are <time datetime="…Z"> elements
 * written in UTC; one small inline script rewrites them into the reader's own zone with the
 * browser's Intl (textContent only), so without JavaScript the page still reads correctly in
 * UTC. The Content-Security-Policy allows exactly that script and the one inline stylesheet, by
 * their SHA-256 hashes, and nothing else: no other script, style, image, frame, form or base.
 */
import { createHash } from 'node:crypto';
import { BUNDLE_ITEM_LABELS, SURFACE_LABELS, SYMPTOM_LABELS } from '../chat/render/labels';
import { outsideText } from '../render/outside-text';
import type { TriageLinks } from '../report/links';
import type { AuditTrailEntry, FoundTriage } from '../report/found';
import { stateWords } from '../report/state-words';
import { zoneWords } from '../report/summary';
import { timelineOf } from '../report/timeline';
import { STEP_IDS, STEP_TITLES } from '../triage/model';
import { withNames } from '../triage/names';

/** HTML-escaped outside text (the outside-text rule first: controls removed, invisibles shown). */
export function h(raw: unknown): string {
  return outsideText(raw, { multiline: true }).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** A sentence the bot wrote: its code spans as <code>, everything escaped. */
function sentence(raw: string): string {
  return raw
    .split(/(`[^`\n]+`)/g)
    .map((part) => (/^`[^`\n]+`$/.test(part) ? `<code>${h(part.slice(1, -1))}</code>` : h(part)))
    .join('');
}

function utc(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? h(iso) : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** A time the reader's browser shows in their zone (UTC without JavaScript). */
function time(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return h(iso);
  return `<time datetime="${d.toISOString()}">${utc(iso)}</time>`;
}

/** A link the bot built (http(s)); anything else is shown as text. */
function link(url: string | null | undefined, label: string): string {
  if (!url || !/^https?:\/\/[^\s"'<>]+$/.test(url)) return '';
  return `<a href="${h(url)}" rel="noreferrer noopener">${h(label)}</a>`;
}

/** JSON evidence as an escaped, scrollable block. */
function evidence(value: Record<string, unknown>): string {
  if (Object.keys(value).length === 0) return '';
  return `<details><summary>Evidence</summary><pre>${h(JSON.stringify(value, null, 2))}</pre></details>`;
}

export const PAGE_STYLE = `
:root{color-scheme:light dark;--muted:#6b7280;--line:#d1d5db;--bad:#b91c1c;--ok:#15803d}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;overflow-wrap:anywhere}
main{max-width:52rem;margin:0 auto;padding:1rem}h1{font-size:1.35rem;margin:.2rem 0}h2{font-size:1.1rem;border-bottom:1px solid var(--line);padding-bottom:.2rem;margin-top:1.6rem}
h3{font-size:1rem;margin:.8rem 0 .2rem}code,pre{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{overflow-x:auto;white-space:pre-wrap;padding:.6rem;border:1px solid var(--line);border-radius:6px}
.state{font-weight:600}.muted,footer{color:var(--muted);font-size:.9rem}.fail{color:var(--bad)}.pass{color:var(--ok)}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .8rem;margin:.6rem 0}dt{color:var(--muted)}dd{margin:0}
ol,ul{padding-left:1.2rem}li{margin:.3rem 0}a{color:inherit}`.trim();

/** Rewrites every <time datetime> into the reader's zone; names the zone in #tz. Text only, never markup. */
export const PAGE_SCRIPT =
  "(function(){var f;try{f=new Intl.DateTimeFormat(undefined,{dateStyle:'medium',timeStyle:'short'});}catch(e){return;}" +
  "var ts=document.querySelectorAll('time[datetime]');for(var i=0;i<ts.length;i++){var d=new Date(ts[i].getAttribute('datetime'));if(!isNaN(d.getTime())){ts[i].title=ts[i].textContent;ts[i].textContent=f.format(d);}}" +
  "var z=document.getElementById('tz');if(z){z.textContent='Times are in your time zone ('+Intl.DateTimeFormat().resolvedOptions().timeZone+'); hover one for UTC.';}})();";

const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('base64');

/** The page's Content-Security-Policy: its own stylesheet and script by hash, nothing else. */
export const PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${sha256(PAGE_STYLE)}'`,
  `script-src 'sha256-${sha256(PAGE_SCRIPT)}'`,
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface PageInput {
  found: FoundTriage;
  links: TriageLinks;
  /** The audit log's entries for the triage (the timeline adds what the history lacks). */
  trail: readonly AuditTrailEntry[];
  /** When this page's link stops working. */
  expiresAt: Date;
  /** The same triage as Markdown, behind the same signed link. */
  markdownHref: string;
}

function shell(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer"><meta name="robots" content="noindex">
<title>${h(title)}</title><style>${PAGE_STYLE}</style></head>
<body><main>${body}</main><script>${PAGE_SCRIPT}</script></body></html>
`;
}

export function renderTriagePage({ found, links, trail, expiresAt, markdownHref }: PageInput): string {
  const r = found.record;
  const w = stateWords(r);
  const zone = zoneWords(r);
  const d = r.diagnosis;
  const out: string[] = [];
  out.push(
    `<header><h1>Caracal triage <code>${h(r.id)}</code></h1>`,
    `<p class="state">${h(w.phrase)}${w.by ? ` by ${h(w.by.name ?? w.by.id)}` : ''}</p><dl>`,
    `<dt>Request</dt><dd>${r.input.requestId ? `<code>${h(r.input.requestId)}</code>` : r.incident ? h(r.incident.title) : 'none given (readiness first)'}</dd>`,
    `<dt>Zone</dt><dd>${zone ? h(zone) : 'not located'}</dd>`,
    `<dt>Surface</dt><dd>${r.surface ? h(SURFACE_LABELS[r.surface]) : 'not determined'}</dd>`,
    `<dt>Symptom</dt><dd>${r.symptom ? h(SYMPTOM_LABELS[r.symptom]) : 'not known'}</dd>`,
    `<dt>Started</dt><dd>${time(r.createdAt)} by ${h(found.startedBy.name ?? found.startedBy.id)}</dd>`,
    `<dt>Updated</dt><dd>${time(r.updatedAt)}</dd></dl>`,
    `<p>${[link(found.cardLink, 'Open the card'), `<a href="${h(markdownHref)}">Export (Markdown)</a>`].filter(Boolean).join(' · ')}</p></header>`,
  );

  out.push('<section id="diagnosis"><h2>Diagnosis</h2>');
  if (d) {
    out.push(
      `<p class="fail"><strong>Failing surface: ${h(SURFACE_LABELS[d.surface])}</strong>, at step ${STEP_IDS.indexOf(d.step) + 1} ${h(STEP_TITLES[d.step])}; cause <code>${h(d.cause)}</code>, confidence ${h(d.confidence)}.</p>`,
      `<p>${sentence(withNames(d.summary, r.names))}</p>`,
    );
    if (links.runbook) out.push(`<p>Runbook: ${links.runbook.url ? link(links.runbook.url, links.runbook.anchor) : `<code>${h(links.runbook.pointer)}</code>`}</p>`);
  } else {
    out.push(`<p>${r.state === 'locating' ? 'Evidence is still being collected.' : 'No step failed, so there is no diagnosis.'}</p>`);
  }
  const views = [link(links.requestTrace, 'request trace'), link(links.policySet, 'policy set'), link(links.resource, 'resource'), link(links.approvals, 'approvals')].filter(Boolean);
  if (views.length) out.push(`<p>Console: ${views.join(' · ')}</p>`);
  out.push('</section>');

  out.push('<section id="steps"><h2>Steps</h2><ol>');
  for (const id of STEP_IDS) {
    const s = r.steps.find((x) => x.id === id);
    const verdict = s ? s.verdict : r.pending.includes(id) ? 'collecting' : 'not checked';
    out.push(
      `<li><h3>${h(STEP_TITLES[id])}: <span class="${s?.verdict === 'fail' ? 'fail' : s?.verdict === 'pass' ? 'pass' : 'muted'}">${h(verdict)}</span></h3>`,
      s ? `<p>${sentence(withNames(s.summary, r.names))}</p>${s.cause ? `<p class="muted">Cause <code>${h(s.cause)}</code></p>` : ''}${evidence(s.evidence)}` : '',
      '</li>',
    );
  }
  out.push('</ol></section>');

  out.push('<section id="timeline"><h2>Timeline</h2><ol>');
  for (const e of timelineOf(r, trail)) out.push(`<li>${time(e.at)} <strong>${h(e.actor ? (e.actor.name ?? e.actor.id) : 'the bot')}</strong>: ${sentence(withNames(e.text, r.names))}</li>`);
  out.push('</ol></section>');

  const changes = r.changes ?? [];
  out.push(`<section id="changes"><h2>Changed before this ${r.input.requestId ? 'denial' : 'triage'}</h2>`);
  out.push(changes.length === 0 ? '<p class="muted">No admin changes were found in the window (or the admin audit could not be read: see the bundle).</p>' : '<ul>');
  for (const c of changes) out.push(`<li>${d?.change && c.at === d.change.at && c.entityId === d.change.entityId ? '<strong>cause</strong>' : h(c.relevance.replace(/_/g, ' '))}: ${sentence(withNames(c.summary, r.names))} (${time(c.at)})</li>`);
  if (changes.length) out.push('</ul>');
  out.push('</section>');

  const b = r.bundle;
  out.push(`<section id="bundle"><h2>Diagnostic bundle</h2>${b ? `<p class="muted">${b.redactions} secret value${b.redactions === 1 ? '' : 's'} redacted.</p><ul>` : '<p class="muted">Not collected yet.</p>'}`);
  for (const item of b?.items ?? []) out.push(`<li><h3>${h(BUNDLE_ITEM_LABELS[item.id] ?? item.id)}: ${h(item.status)}</h3><p>${sentence(withNames(item.summary, r.names))}</p>${evidence(item.evidence)}</li>`);
  if (b) out.push('</ul>');
  out.push('</section>');

  out.push(`<footer><p id="tz">Times are in UTC.</p><p>This link works until ${time(expiresAt.toISOString())}; it shows what the triage's channel saw, with secrets redacted.</p></footer>`);
  return shell(`Caracal triage ${r.id}`, out.join('\n'));
}

/** The page for a link that is valid but whose triage is gone. */
export function renderMissingPage(triageId: string): string {
  return shell('Caracal triage: not found', `<h1>Triage <code>${h(triageId)}</code> is gone</h1><p>It no longer exists in the bot's store: finished triages are kept 7 days.</p>`);
}

/** The page for a refused link (401/403): what to do, nothing about any triage. */
export function renderRefusedPage(status: 401 | 403, expired: boolean): string {
  const why = status === 401 ? 'This address carries no signature.' : expired ? 'This link has expired.' : 'This link is not valid (it was changed, or signed by another installation).';
  return shell('Caracal triage: link not valid', `<h1>Link not valid</h1><p>${why} Ask the bot for a fresh one: <code>show &lt;triage-id&gt;</code> in chat, or <code>caracal-triage show &lt;triage-id&gt;</code>.</p>`);
}
