/**
 * The triage status card as an Adaptive Card 1.5, with the same content as the Slack card:
 * the diagnosis first, then the facts, the eight steps with their verdicts, the latest
 * history, and the buttons (Fixed re-check, Next step, Skip, Escalate, Resolved; the symptom
 * choices for a readiness-first triage). Every value from Caracal or a user goes through
 * outsideText; each step and history entry is its own TextBlock, so no layout depends on how
 * a client renders newlines.
 */
import { DEFAULT_BUTTON_TTL_SECONDS } from '../../../src/commands/button-token';
import { SURFACE_LABELS, SYMPTOM_LABELS, VERDICT_LABELS, oneLine, stepNumber, triageElapsed } from '../../../src/chat/render/labels';
import { BUTTON_LABELS, EXPORT_LABEL, focusStep, isFinal, lastEntry, needsSymptom, showsExport, walkActions } from '../../../src/chat/render/card-actions';
import { NO_LINKS, type LinksConfig } from '../../../src/report/config';
import { triageLinks, type TriageLinks } from '../../../src/report/links';
import { stateText } from '../../../src/report/state-words';
import { nameOf, withNames } from '../../../src/triage/names';
import { teamsDateTime, teamsLink, teamsTime } from './dates';
import { cardChanges, changesHeading } from '../../../src/chat/render/changes';
import { watchBlock } from '../../../src/chat/render/watch';
import { watchChart } from '../../../src/chat/render/watch-chart';
import { deploymentLine, deploymentSearchSentence } from '../../../src/chat/render/deployment';
import { failureParts } from '../../../src/chat/render/failure';
import type { HistoryEntry, TriageRecord } from '../../../src/triage/record';
import { headlineOf, recordHeadlineInput } from '../../../src/triage/headline';
import { STEP_IDS, STEP_TITLES, SYMPTOMS, type StepId } from '../../../src/triage/model';
import { type AdaptiveCard, CARD_SCHEMA, CARD_VERSION, type CardAction, type CardElement, LIMITS, validateCard } from './card-schema';
import { fitOutside, outsideText, fitSentence } from './escape';
import { abandonedLine, escalationLines } from './followup';
import { type ButtonOptions, NOT_CHECKED_ICON, PENDING_ICON, STATE_ICON, VERDICT_ICON, button, text } from './parts';
import { proposeFixButton } from '../../../src/act/fix/button';
import { proposeFixPart } from './act-card';
import type { ProposeFix } from '../../../src/ingress/platform';

export interface CardOptions {
  /** TRIAGE_SIGNING_KEY: signs the button data. */
  signingKey: string;
  now?: Date;
  buttonTtlSeconds?: number;
  /** CARACAL_FIX_TOKEN is set: a diagnosis a policy-set version may end offers *Propose fix* (src/act). */
  proposeFix?: ProposeFix;
  /** Where the card's links point (its page, the Console, the runbook); absent: none. */
  links?: LinksConfig;
}

export const HISTORY_LINES = 6;
const STEP_SUMMARY_CHARS = 230;

function who(h: HistoryEntry): string {
  return fitOutside(h.actor.name ?? h.actor.id, 80);
}

function lastActor(r: TriageRecord, action: string): string {
  const e = lastEntry(r, action);
  return e ? ` by ${who(e)}` : '';
}

/** The cause's runbook section: a link with TRIAGE_RUNBOOK_URL, else where it is in the repository. */
function runbookText(links: TriageLinks): string {
  const rb = links.runbook;
  if (!rb) return '';
  return rb.url ? ` · ${teamsLink(rb.url, 'runbook')}` : ` · runbook: \`${rb.pointer}\``;
}

/** The triage's page and the Console's views of it, when their settings are given. */
function linksLine(links: TriageLinks): string | null {
  const views: Array<[string | null, string]> = [[links.requestTrace, 'request trace'], [links.policySet, 'policy set'], [links.resource, 'resource'], [links.approvals, 'approvals']];
  const console = views.filter(([url]) => url).map(([url, label]) => teamsLink(url, label));
  const parts = [links.page ? `📄 ${teamsLink(links.page, 'Triage page')}` : '', console.length ? `Console: ${console.join(' · ')}` : ''].filter(Boolean);
  return parts.length ? parts.join(' · ') : null;
}

function summary(r: TriageRecord, links: TriageLinks): { style: 'attention' | 'good' | 'accent' | 'warning' | 'emphasis'; lines: string[] } {
  const lines: string[] = [];
  if (r.state === 'resolved') lines.push(`${STATE_ICON.resolved} **Resolved**${lastActor(r, 'resolve')}.`);
  // Whom an escalation reached stays on the card after it (followup.ts); older records say who only.
  const escalation = escalationLines(r);
  if (escalation.length) lines.push(...escalation);
  else if (r.state === 'escalated') lines.push(`${STATE_ICON.escalated} **Escalated**${lastActor(r, 'escalate')}.`);
  if (r.state === 'abandoned') lines.push(abandonedLine(r));
  const failure = failureParts(r);
  if (failure) lines.push(`${STATE_ICON.failed} **Stopped: ${failure.title}** (${failure.progress}). Last error: ${fitOutside(failure.reason, 300)}. ${failure.retry.replace(/^Retry/, '**Retry**')}`);
  const d = r.diagnosis;
  let style: 'attention' | 'good' | 'accent' | 'warning' | 'emphasis' = r.state === 'resolved' ? 'good' : failure ? 'warning' : 'emphasis';
  if (d) {
    if (r.state !== 'resolved') style = 'attention';
    lines.push(
      `🚨 **Failing surface: ${SURFACE_LABELS[d.surface]}** (${outsideText(d.surface)}), at step ${stepNumber(d.step)} _${STEP_TITLES[d.step]}_`,
      `**Cause:** ${fitOutside(d.cause, 120)}: ${fitSentence(oneLine(withNames(d.summary, r.names)), 1200)} _(confidence: ${d.confidence})_${runbookText(links)}`,
    );
  } else if (failure) {
    // Said above.
  } else if (r.state === 'locating') {
    const done = STEP_IDS.length - r.pending.length;
    style = 'accent';
    lines.push(`🔍 **Collecting evidence…** ${done} of ${STEP_IDS.length} steps checked so far.`);
  } else if (needsSymptom(r)) {
    const failing = r.steps.find((s) => s.verdict === 'fail');
    style = failing ? 'attention' : 'warning';
    lines.push(
      failing ? `🚨 **${STEP_TITLES[failing.id]} failed:** ${fitSentence(oneLine(withNames(failing.summary, r.names)), 1000)}` : '✅ **Readiness checked.**',
      '👇 What does the failing caller see? Pick the symptom below.',
    );
  } else if (headlineOf(recordHeadlineInput(r)).state === 'undetermined') {
    // No check mark without evidence: what could not be checked, and what to give.
    const h = headlineOf(recordHeadlineInput(r));
    style = 'warning';
    lines.push(`❔ **Not determined.** ${outsideText(h.text.replace(/^Not determined: /, ''))}`);
    if (r.surface) lines.push(`🧭 Surface to check: ${SURFACE_LABELS[r.surface]} (${outsideText(r.surface)}).`);
  } else if (r.surface) {
    lines.push(`🧭 **Surface to check: ${SURFACE_LABELS[r.surface]}** (${outsideText(r.surface)}). No automatic check found the cause; walk the steps below.`);
  } else {
    lines.push('✅ **No failing step found.** Walk the remaining steps below, or re-check after a fix.');
  }
  if (r.input.error) lines.push(`**Reported error:** ${fitOutside(oneLine(r.input.error), 300)}`);
  return { style, lines };
}

function stepLine(r: TriageRecord, id: StepId): string {
  const result = r.steps.find((s) => s.id === id);
  const pending = r.pending.includes(id) && r.state !== 'failed';
  const icon = pending ? PENDING_ICON : result ? VERDICT_ICON[result.verdict] : NOT_CHECKED_ICON;
  const marker = r.current === id && !isFinal(r) ? ' ⬅️' : '';
  const detail = pending ? '_collecting…_' : result ? `${VERDICT_LABELS[result.verdict]}: ${fitSentence(oneLine(withNames(result.summary, r.names)), STEP_SUMMARY_CHARS)}` : '_not checked_';
  return `${icon} **${stepNumber(id)}. ${STEP_TITLES[id]}**${marker} ${detail}`;
}

function historyLine(h: HistoryEntry): string {
  const step = h.step ? ` (${STEP_TITLES[h.step] ?? outsideText(h.step)})` : '';
  return `${teamsTime(h.at)} ${who(h)}: ${fitOutside(h.action, 80)}${step}`;
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const INCIDENT_SOURCES: Record<NonNullable<TriageRecord['incident']>['source'], string> = { alertmanager: 'Alertmanager', pagerduty: 'PagerDuty', generic: 'an incident webhook', watch: 'the deny watcher' };

/** What the incident source said, for a triage one opened: title, what to do first, the alerts. */
function incidentPart(r: TriageRecord): CardElement[] {
  const i = r.incident;
  if (!i) return [];
  const lines = [
    `${i.status === 'resolved' ? '🟢' : '🚨'} **Incident from ${INCIDENT_SOURCES[i.source]}** (${i.status}): ${fitOutside(i.title, 300)}`,
    `**First action:** ${fitOutside(i.firstAction, 500)}`,
    ...(i.runbookUrl ? [`Runbook: ${outsideText(i.runbookUrl)}`] : []),
    ...(i.link && /^https?:\/\//.test(i.link) ? [`Source: ${fitOutside(i.link, 300)}`] : []),
    ...(i.reopenedFrom ? [`🔁 **Fired again** after its earlier triage closed: triage ${outsideText(i.reopenedFrom.triageId)}${i.reopenedFrom.link ? ` (${fitOutside(i.reopenedFrom.link, 300)})` : ''}.`] : []),
    ...i.alerts.slice(0, 5).map((a) => `• ${a.name ? fitOutside(a.name, 80) : '_unnamed alert_'}${a.severity ? ` ${fitOutside(a.severity, 20)}` : ''} ${a.status}${a.summary ? `: ${fitOutside(a.summary, 160)}` : ''}`),
  ];
  const more = i.moreAlerts + Math.max(0, i.alerts.length - 5);
  if (more > 0) lines.push(`_and ${more} more alert${more === 1 ? '' : 's'}_`);
  return [{ type: 'Container', style: i.status === 'resolved' ? 'good' : 'warning', items: lines.map((l) => text(l)) }];
}

/** The deny watcher's pattern (src/chat/render/watch.ts), for a triage it opened. */
function watchPart(r: TriageRecord): CardElement[] {
  const w = r.incident?.watch;
  if (!w) return [];
  const b = watchBlock(w);
  const lines = [`🔎 **${fitSentence(b.heading, 600)}**`, ...b.lines.map((l) => fitSentence(l, 500)), ...(b.previousLink ? [`Previous card: ${fitOutside(b.previousLink, 300)}`] : [])];
  // The last hour as an image too, inside the card (src/chat/render/watch-chart.ts): a few hundred bytes.
  const chart = watchChart(w);
  const image: CardElement[] = chart ? [{ type: 'Image', url: `data:image/png;base64,${chart.png.toString('base64')}`, altText: chart.alt, size: 'auto', spacing: 'small' }] : [];
  return [{ type: 'Container', items: [...lines.map((l) => text(l, { spacing: 'small' })), ...image] }];
}

const CHANGE_SUMMARY_CHARS = 600;

/** "Changed before this denial": up to three admin changes, the one named as the cause first. */
function changesPart(r: TriageRecord): CardElement[] {
  const { shown, more } = cardChanges(r);
  if (shown.length === 0) return [];
  const lines = [
    `📝 **${changesHeading(r)}**`,
    ...shown.map(({ change, isCause }) => `${isCause ? '👉 **cause**' : `• _${change.relevance.replace(/_/g, ' ')}_`}: ${fitSentence(oneLine(withNames(change.summary, r.names)), CHANGE_SUMMARY_CHARS)}`),
    ...(more > 0 ? [`_and ${more} more in the diagnostic bundle_`] : []),
  ];
  return [{ type: 'Container', items: lines.map((l) => text(l, { spacing: 'small' })) }];
}

export function buildStatusCard(r: TriageRecord, options: CardOptions): AdaptiveCard {
  const opts: ButtonOptions = { signingKey: options.signingKey, now: options.now ?? new Date(), buttonTtlSeconds: options.buttonTtlSeconds ?? DEFAULT_BUTTON_TTL_SECONDS };
  const requestId = r.input.requestId;
  const links = triageLinks(r, { config: options.links ?? NO_LINKS, signingKey: options.signingKey, now: opts.now });
  const s = summary(r, links);
  const linkLine = linksLine(links);
  const zoneName = nameOf(r.names, 'zones', r.zoneId);
  const state = stateText(r);
  const line = deploymentLine(r);
  const search = deploymentSearchSentence(r);
  const body: CardElement[] = [
    text(`Caracal triage: ${requestId ? fitOutside(requestId, 130) : r.incident ? fitOutside(r.incident.title, 130) : 'readiness first'}`, { size: 'large', weight: 'bolder' }),
    // Which deployment it reads (several deployments only) and how it was found.
    ...(line ? [text(fitOutside(line, 200), { weight: 'bolder', spacing: 'none' })] : []),
    ...(search ? [text(fitSentence(search, 1500), { isSubtle: true, spacing: 'small' })] : []),
    { type: 'Container', style: s.style, bleed: true, items: s.lines.map((l) => text(l)) },
    ...(linkLine ? [text(linkLine, { isSubtle: true, size: 'small', spacing: 'small' })] : []),
    ...incidentPart(r),
    ...watchPart(r),
    ...changesPart(r),
    {
      type: 'FactSet',
      facts: [
        { title: 'Request', value: requestId ? fitOutside(requestId, 130) : 'none given' },
        { title: 'Zone', value: r.zoneId ? fitOutside(zoneName ?? r.zoneId, 130) : 'not located yet' },
        { title: 'Surface', value: r.surface ? `${SURFACE_LABELS[r.surface]} (${outsideText(r.surface)})` : 'not determined' },
        { title: 'Symptom', value: r.symptom ? SYMPTOM_LABELS[r.symptom] : 'not known' },
        { title: 'State', value: `${STATE_ICON[r.state] ?? ''} ${fitOutside(state, 200)}` },
        { title: 'Elapsed', value: triageElapsed(r, opts.now) },
      ],
    },
    text('**Steps**', { separator: true, spacing: 'medium' }),
    ...STEP_IDS.map((id) => text(stepLine(r, id), { spacing: 'small' })),
  ];

  const shown = r.history.slice(-HISTORY_LINES);
  const earlier = r.history.length - shown.length;
  body.push(text('**History**', { separator: true, spacing: 'medium' }));
  if (earlier > 0) body.push(text(`_${earlier} earlier entries_`, { isSubtle: true, size: 'small', spacing: 'none' }));
  body.push(...shown.map((h) => text(historyLine(h), { isSubtle: true, size: 'small', spacing: 'none' })));

  const actions = walkActions(r);
  const step = focusStep(r);
  const walking = r.state !== 'locating' && r.state !== 'failed';
  const onStep = step && walking ? { step } : {};
  if (actions.length > 0 && step && walking) {
    body.push(text(`Buttons act on step ${stepNumber(step)} _${STEP_TITLES[step]}_.`, { isSubtle: true, separator: true }));
  }
  if (needsSymptom(r)) {
    const symptoms: CardAction[] = SYMPTOMS.map((sym) => button(r, opts, 'symptom', SYMPTOM_LABELS[sym], { symptom: sym }));
    body.push(text('**What does the failing caller see?**', { separator: true }));
    for (const set of chunk(symptoms, 4)) body.push({ type: 'ActionSet', actions: set });
  }
  body.push(...proposeFixPart(proposeFixButton(r, { ...opts, proposeFix: options.proposeFix })));
  const redactions = r.bundle?.redactions ?? 0;
  body.push(
    text(
      `Triage ${outsideText(r.id)} · started ${teamsDateTime(r.createdAt)}${redactions > 0 ? ` · ${redactions} secret value${redactions === 1 ? '' : 's'} redacted` : ''} · updated ${teamsDateTime(r.updatedAt)}`,
      { isSubtle: true, size: 'small', separator: true },
    ),
  );

  const d = r.diagnosis;
  const fallback = d
    ? `Caracal triage ${requestId ?? r.id}: failing surface ${d.surface} (${d.cause}). ${state}.`
    : `Caracal triage ${requestId ?? r.id}: ${state}.`;
  const card: AdaptiveCard = {
    type: 'AdaptiveCard',
    $schema: CARD_SCHEMA,
    version: CARD_VERSION,
    msteams: { width: 'Full' },
    fallbackText: fitOutside(fallback, 500),
    body,
  };
  const buttons = actions.map((a) => button(r, opts, a, BUTTON_LABELS[a], a === 'recheck' || a === 'skip' ? onStep : {}));
  if (showsExport(r)) buttons.push(button(r, opts, 'export', EXPORT_LABEL));
  if (buttons.length > 0) card.actions = buttons.slice(0, LIMITS.actionsPerSet);
  return validateCard(card);
}
