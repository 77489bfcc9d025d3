/**
 * The triage status card (Block Kit). Summary first: the failing surface and its cause are
 * the first thing in the message, before the step list, history and buttons. Every value
 * that came from Caracal or a user is escaped (mrkdwn.ts); buttons carry signed payloads.
 */
import type { types } from '@slack/bolt';
import { type ButtonAction } from '../../../src/chat/render/card-actions';
import { DEFAULT_BUTTON_TTL_SECONDS, signButton } from '../../../src/commands/button-token';
import { SURFACE_LABELS, SYMPTOM_LABELS, VERDICT_LABELS, oneLine, stepNumber, triageElapsed } from '../../../src/chat/render/labels';
import { clip } from '../../../src/render/fit';
import { BUTTON_LABELS, EXPORT_LABEL, focusStep, isFinal, lastEntry, needsSymptom, showsExport, walkActions } from '../../../src/chat/render/card-actions';
import { NO_LINKS, type LinksConfig } from '../../../src/report/config';
import { triageLinks, type TriageLinks } from '../../../src/report/links';
import { stateText, stateWords } from '../../../src/report/state-words';
import { nameOf, withNames } from '../../../src/triage/names';
import { slackDate, slackLink } from './dates';
import { cardChanges, changesHeading } from '../../../src/chat/render/changes';
import { watchBlock } from '../../../src/chat/render/watch';
import { chartAlt } from '../../../src/chat/render/watch-chart';
import { deploymentLine, deploymentSearchSentence } from '../../../src/chat/render/deployment';
import { failureParts } from '../../../src/chat/render/failure';
import type { HistoryEntry, TriageRecord } from '../../../src/triage/record';
import { headlineOf, recordHeadlineInput } from '../../../src/triage/headline';
import { STEP_IDS, STEP_TITLES, SYMPTOMS, type StepId } from '../../../src/triage/model';
import { proposeFixButton } from '../../../src/act/fix/button';
import { NOT_CHECKED_EMOJI, PENDING_EMOJI, STATE_EMOJI, VERDICT_EMOJI } from './emoji';
import { proposeFixBlock } from './act-message';
import { abandonedLine, escalationLines } from './followup';
import { LIMITS, type SlackMessage, validateMessage } from './limits';
import { code, esc, escFit, userRef, sentenceFit } from './mrkdwn';
import type { ProposeFix } from '../../../src/ingress/platform';

export interface CardOptions {
  /** TRIAGE_SIGNING_KEY: signs the button payloads. */
  signingKey: string;
  now?: Date;
  buttonTtlSeconds?: number;
  /**
   * The bundle's reply, for an escalated card: a link to it (null: posted, no link known).
   * Absent: not posted yet.
   */
  bundleLink?: string | null;
  /** CARACAL_FIX_TOKEN is set: a diagnosis a policy-set version may end offers *Propose fix* (src/act). */
  proposeFix?: ProposeFix;
  /** Where the card's links point (its page, the Console, the runbook); absent: none. */
  links?: LinksConfig;
}

/** A link we may put inside `<url|text>`: https and none of the characters that end it. */
const SAFE_LINK = /^https:\/\/[^\s|<>]+$/;

/** Whoever takes an escalation over starts from the bundle: the card (the top of the thread) points at it. */
function bundleLine(link: string | null | undefined): string {
  if (link === undefined) return ':package: The diagnostic bundle will close the thread below.';
  if (link && link.length <= 500 && SAFE_LINK.test(link)) return `:package: Diagnostic bundle for whoever takes this over: <${link}|open it in the thread>.`;
  return ':package: The diagnostic bundle is the last reply in the thread below.';
}

/** action_id prefix of every triage button; the Bolt app listens on it. */
export const ACTION_PREFIX = 'triage:';
export const HISTORY_LINES = 6;

function lastActor(r: TriageRecord, action: string): string {
  const e = lastEntry(r, action);
  return e ? ` by ${userRef(e.actor.id, e.actor.name)}` : '';
}

/** The cause's runbook section: a link with TRIAGE_RUNBOOK_URL, else where it is in the repository. */
function runbookText(links: TriageLinks): string {
  const rb = links.runbook;
  if (!rb) return '';
  return rb.url ? ` · ${slackLink(rb.url, 'runbook')}` : ` · runbook: ${code(rb.pointer)}`;
}

function summaryText(r: TriageRecord, links: TriageLinks, bundleLink?: string | null): string {
  const lines: string[] = [];
  if (r.state === 'resolved') lines.push(`${STATE_EMOJI.resolved} *Resolved*${lastActor(r, 'resolve')}.`);
  // Whom an escalation reached stays on the card after it (followup.ts); older records say who only.
  const escalation = escalationLines(r);
  if (escalation.length) lines.push(...escalation);
  else if (r.state === 'escalated') lines.push(`${STATE_EMOJI.escalated} *Escalated*${lastActor(r, 'escalate')}.`);
  if (r.state === 'escalated') lines.push(bundleLine(bundleLink));
  if (r.state === 'abandoned') lines.push(abandonedLine(r));
  const failure = failureParts(r);
  if (failure) lines.push(`${STATE_EMOJI.failed} *Stopped: ${failure.title}* (${failure.progress}). Last error: ${code(failure.reason, 300)}. ${failure.retry.replace(/^Retry/, '*Retry*')}`);
  const d = r.diagnosis;
  if (d) {
    lines.push(
      `:rotating_light: *Failing surface: ${esc(SURFACE_LABELS[d.surface])}* (${code(d.surface)}), at step ${stepNumber(d.step)} _${esc(STEP_TITLES[d.step])}_`,
      `*Cause:* ${code(d.cause, 120)}: ${sentenceFit(oneLine(withNames(d.summary, r.names)), 1200)} _(confidence: ${d.confidence})_${runbookText(links)}`,
    );
  } else if (failure) {
    // Said above.
  } else if (r.state === 'locating') {
    const done = STEP_IDS.length - r.pending.length;
    lines.push(`:mag: *Collecting evidence…* ${done} of ${STEP_IDS.length} steps checked so far.`);
  } else if (needsSymptom(r)) {
    const failing = r.steps.find((s) => s.verdict === 'fail');
    lines.push(
      failing
        ? `:rotating_light: *${esc(STEP_TITLES[failing.id])} failed:* ${sentenceFit(oneLine(withNames(failing.summary, r.names)), 1000)}`
        : ':white_check_mark: *Readiness checked.*',
      ':point_down: What does the failing caller see? Pick the symptom below.',
    );
  } else if (headlineOf(recordHeadlineInput(r)).state === 'undetermined') {
    // No check mark without evidence: what could not be checked, and what to give.
    const h = headlineOf(recordHeadlineInput(r));
    lines.push(`:grey_question: *Not determined.* ${esc(h.text.replace(/^Not determined: /, ''))}`);
    if (r.surface) lines.push(`:compass: Surface to check: ${esc(SURFACE_LABELS[r.surface])} (${code(r.surface)}).`);
  } else if (r.surface) {
    lines.push(`:compass: *Surface to check: ${esc(SURFACE_LABELS[r.surface])}* (${code(r.surface)}). No automatic check found the cause; walk the steps below.`);
  } else {
    lines.push(':white_check_mark: *No failing step found.* Walk the remaining steps below, or re-check after a fix.');
  }
  if (r.input.error) lines.push(`*Reported error:* ${code(oneLine(r.input.error), 300)}`);
  return lines.join('\n');
}

const SOURCE_LABELS: Record<NonNullable<TriageRecord['incident']>['source'], string> = { alertmanager: 'Alertmanager', pagerduty: 'PagerDuty', generic: 'an incident webhook', watch: 'the deny watcher' };
const INCIDENT_ALERT_LINES = 5;

/** What the incident source said, for a triage one opened: title, what to do first, the alerts. */
function incidentText(r: TriageRecord): string | null {
  const i = r.incident;
  if (!i) return null;
  const lines = [
    `${i.status === 'resolved' ? ':large_green_circle:' : ':rotating_light:'} *Incident from ${SOURCE_LABELS[i.source]}* (${i.status}): ${escFit(oneLine(i.title), 300)}`,
    `*First action:* ${escFit(oneLine(i.firstAction), 500)}`,
  ];
  const links = [i.runbookUrl && `runbook ${esc(i.runbookUrl)}`, i.link && /^https?:\/\//.test(i.link) && `source ${esc(clip(i.link, 300))}`].filter(Boolean);
  if (links.length) lines.push(links.join(' · '));
  if (i.reopenedFrom) {
    const prior = i.reopenedFrom;
    const where = prior.link && prior.link.length <= 500 && SAFE_LINK.test(prior.link) ? `<${prior.link}|its card>` : `triage ${code(prior.triageId)}`;
    lines.push(`:repeat: *Fired again* after its earlier triage closed: ${where}.`);
  }
  for (const a of i.alerts.slice(0, INCIDENT_ALERT_LINES)) {
    lines.push(`• ${a.name ? code(a.name, 80) : '_unnamed alert_'}${a.severity ? ` ${esc(a.severity)}` : ''} ${a.status}${a.summary ? `: ${escFit(oneLine(a.summary), 160)}` : ''}`);
  }
  const more = i.moreAlerts + Math.max(0, i.alerts.length - INCIDENT_ALERT_LINES);
  if (more > 0) lines.push(`_and ${more} more alert${more === 1 ? '' : 's'}_`);
  return lines.join('\n');
}

/** The deny watcher's pattern (src/chat/render/watch.ts), for a triage it opened. */
function watchText(r: TriageRecord): string | null {
  const w = r.incident?.watch;
  if (!w) return null;
  const b = watchBlock(w);
  return [`:mag: *${sentenceFit(b.heading, 600)}*`, ...b.lines.map((l) => sentenceFit(l, 500)), ...(b.previousLink ? [`previous card ${esc(clip(b.previousLink, 300))}`] : [])].join('\n');
}

/**
 * The pattern's last hour as an image (src/chat/render/watch-chart.ts), which Slack fetches from
 * the web process by its signed, expiring link: only with TRIAGE_PUBLIC_URL (else the text
 * sparkline above is the chart).
 */
function watchChartBlock(r: TriageRecord, links: TriageLinks): types.KnownBlock[] {
  const perMinute = r.incident?.watch?.perMinute;
  if (!links.chart || !perMinute || links.chart.length > LIMITS.imageUrl) return [];
  return [{ type: 'image', block_id: 'triage:watch-chart', image_url: links.chart, alt_text: chartAlt(perMinute) }];
}

/** Per-change budget: three changes and the heading stay well inside one 3000-character section. */
const CHANGE_SUMMARY_CHARS = 600;

/** "Changed before this denial": up to three admin changes, the one named as the cause first. */
function changesText(r: TriageRecord): string | null {
  const { shown, more } = cardChanges(r);
  if (shown.length === 0) return null;
  const lines = [`:memo: *${changesHeading(r)}*`];
  for (const { change, isCause } of shown) {
    lines.push(`${isCause ? ':point_right: *cause*' : `• _${esc(change.relevance.replace(/_/g, ' '))}_`}: ${sentenceFit(oneLine(withNames(change.summary, r.names)), CHANGE_SUMMARY_CHARS)}`);
  }
  if (more > 0) lines.push(`_and ${more} more in the diagnostic bundle_`);
  return lines.join('\n');
}

/** Per-line summary budget so eight lines stay inside one 3000-character section. */
const STEP_SUMMARY_CHARS = 230;

function stepsText(r: TriageRecord): string {
  return STEP_IDS.map((id) => {
    const result = r.steps.find((s) => s.id === id);
    const pending = r.pending.includes(id) && r.state !== 'failed';
    const emoji = pending ? PENDING_EMOJI : result ? VERDICT_EMOJI[result.verdict] : NOT_CHECKED_EMOJI;
    const marker = r.current === id && !isFinal(r) ? ' :arrow_left:' : '';
    const detail = pending
      ? '_collecting…_'
      : result
        ? `${VERDICT_LABELS[result.verdict]}: ${sentenceFit(oneLine(withNames(result.summary, r.names)), STEP_SUMMARY_CHARS)}`
        : '_not checked_';
    return `${emoji} *${stepNumber(id)}. ${esc(STEP_TITLES[id])}*${marker} ${detail}`;
  }).join('\n');
}

function historyLine(h: HistoryEntry): string {
  const who = h.actor.kind === 'user' ? userRef(h.actor.id, h.actor.name) : esc(h.actor.name ?? h.actor.id);
  const step = h.step ? ` (${esc(STEP_TITLES[h.step] ?? h.step)})` : '';
  return `${slackDate(h.at, '{time}')} ${who}: ${escFit(h.action, 80)}${step}`;
}

function historyText(r: TriageRecord): string {
  const shown = r.history.slice(-HISTORY_LINES);
  const earlier = r.history.length - shown.length;
  return [...(earlier > 0 ? [`_${earlier} earlier entries_`] : []), ...shown.map(historyLine)].join('\n');
}

function button(r: TriageRecord, opts: Required<Omit<CardOptions, 'now' | 'bundleLink' | 'proposeFix' | 'links'>> & { now: Date }, action: ButtonAction, label: string, extra: { step?: StepId; symptom?: (typeof SYMPTOMS)[number] } = {}): types.Button {
  const value = signButton(
    { triageId: r.id, action, version: r.version, expiresAt: Math.floor(opts.now.getTime() / 1000) + opts.buttonTtlSeconds, ...extra },
    opts.signingKey,
  );
  const b: types.Button = {
    type: 'button',
    action_id: `${ACTION_PREFIX}${action}${extra.symptom ? `:${extra.symptom}` : ''}`,
    text: { type: 'plain_text', text: clip(label, LIMITS.buttonText), emoji: true },
    value,
  };
  if (action === 'resolve') b.style = 'primary';
  if (action === 'escalate') b.style = 'danger';
  return b;
}

/** Where the triage is in words, with the person as a mention: "Needs you: step 4 of 8 (…)", "Resolved by @ada". */
function stateLine(r: TriageRecord): string {
  const w = stateWords(r);
  return `${esc(w.phrase)}${w.by ? ` by ${userRef(w.by.id, w.by.name)}` : ''}`;
}

/** The zone by name (its ID stays in the evidence); the ID when the triage read no name. */
function zoneText(r: TriageRecord): string {
  if (!r.zoneId) return '_not located yet_';
  const name = nameOf(r.names, 'zones', r.zoneId);
  return name ? escFit(oneLine(name), 120) : code(r.zoneId);
}

/** The triage's page and the Console's views of it, when their settings are given. */
function linksText(links: TriageLinks): string | null {
  const parts = [
    links.page && `:page_facing_up: ${slackLink(links.page, 'Triage page')}`,
    links.requestTrace && slackLink(links.requestTrace, 'request trace'),
    links.policySet && slackLink(links.policySet, 'policy set'),
    links.resource && slackLink(links.resource, 'resource'),
    links.approvals && slackLink(links.approvals, 'approvals'),
  ].filter((x): x is string => !!x);
  if (parts.length === 0) return null;
  const [first, ...consoleParts] = links.page ? parts : ['', ...parts];
  return [first, consoleParts.length ? `Console: ${consoleParts.join(' · ')}` : ''].filter(Boolean).join(' · ');
}

export function buildStatusCard(r: TriageRecord, options: CardOptions): SlackMessage {
  const opts = { signingKey: options.signingKey, now: options.now ?? new Date(), buttonTtlSeconds: options.buttonTtlSeconds ?? DEFAULT_BUTTON_TTL_SECONDS };
  const links = triageLinks(r, { config: options.links ?? NO_LINKS, signingKey: options.signingKey, now: opts.now });
  const linkLine = linksText(links);
  const requestId = r.input.requestId;
  const incident = incidentText(r);
  const watch = watchText(r);
  const changes = changesText(r);
  // Which deployment it reads (several deployments only) and how it was found.
  const deployment = [deploymentLine(r), deploymentSearchSentence(r)].filter((x): x is string => x !== null);
  const blocks: types.KnownBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: clip(`Caracal triage: ${requestId ?? (r.incident ? oneLine(r.incident.title) : 'readiness first')}`, LIMITS.headerText), emoji: false },
    },
    ...(deployment.length ? [{ type: 'context' as const, block_id: 'triage:deployment', elements: deployment.map((t, i) => ({ type: 'mrkdwn' as const, text: i === 0 && r.deployment ? `*${escFit(t, 300)}*` : sentenceFit(t, 1500) })) }] : []),
    { type: 'section', block_id: 'triage:summary', text: { type: 'mrkdwn', text: summaryText(r, links, options.bundleLink) } },
    ...(linkLine ? [{ type: 'context' as const, block_id: 'triage:links', elements: [{ type: 'mrkdwn' as const, text: linkLine }] }] : []),
    ...(incident ? [{ type: 'section' as const, block_id: 'triage:incident', text: { type: 'mrkdwn' as const, text: incident } }] : []),
    ...(watch ? [{ type: 'section' as const, block_id: 'triage:watch', text: { type: 'mrkdwn' as const, text: watch } }] : []),
    ...watchChartBlock(r, links),
    ...(changes ? [{ type: 'section' as const, block_id: 'triage:changes', text: { type: 'mrkdwn' as const, text: changes } }] : []),
    {
      type: 'section',
      block_id: 'triage:facts',
      fields: [
        { type: 'mrkdwn', text: `*Request*\n${requestId ? code(requestId) : '_none given_'}` },
        { type: 'mrkdwn', text: `*Zone*\n${zoneText(r)}` },
        { type: 'mrkdwn', text: `*Surface*\n${r.surface ? `${esc(SURFACE_LABELS[r.surface])} (${code(r.surface)})` : '_not determined_'}` },
        { type: 'mrkdwn', text: `*Symptom*\n${r.symptom ? esc(SYMPTOM_LABELS[r.symptom]) : '_not known_'}` },
        { type: 'mrkdwn', text: `*State*\n${STATE_EMOJI[r.state] ?? ''} ${stateLine(r)}` },
        { type: 'mrkdwn', text: `*Elapsed*\n${triageElapsed(r, opts.now)}` },
      ],
    },
    { type: 'divider' },
    { type: 'section', block_id: 'triage:steps', text: { type: 'mrkdwn', text: stepsText(r) } },
    { type: 'context', block_id: 'triage:history', elements: [{ type: 'mrkdwn', text: historyText(r) }] },
  ];

  const actions = walkActions(r);
  if (actions.length > 0) {
    const step = focusStep(r);
    const walking = r.state !== 'locating' && r.state !== 'failed';
    const onStep = step && walking ? { step } : {};
    if (step && walking) {
      blocks.push({
        type: 'context',
        block_id: 'triage:focus',
        elements: [{ type: 'mrkdwn', text: `Buttons act on step ${stepNumber(step)} _${esc(STEP_TITLES[step])}_.` }],
      });
    }
    blocks.push({
      type: 'actions',
      block_id: 'triage:actions',
      elements: actions.map((a) => button(r, opts, a, BUTTON_LABELS[a], a === 'recheck' || a === 'skip' ? onStep : {})),
    });
  }
  if (needsSymptom(r)) {
    blocks.push({
      type: 'actions',
      block_id: 'triage:symptoms',
      elements: SYMPTOMS.map((s) => button(r, opts, 'symptom', SYMPTOM_LABELS[s], { symptom: s })),
    });
  }
  blocks.push(...proposeFixBlock(proposeFixButton(r, { ...opts, proposeFix: options.proposeFix })));
  if (showsExport(r)) {
    blocks.push({ type: 'actions', block_id: 'triage:export', elements: [button(r, opts, 'export', EXPORT_LABEL)] });
  }
  const redactions = r.bundle?.redactions ?? 0;
  blocks.push({
    type: 'context',
    block_id: 'triage:footer',
    elements: [
      {
        type: 'mrkdwn',
        text: `Triage ${code(r.id)} · started ${slackDate(r.createdAt)}${redactions > 0 ? ` · ${redactions} secret value${redactions === 1 ? '' : 's'} redacted` : ''} · updated ${slackDate(r.updatedAt)}`,
      },
    ],
  });

  const d = r.diagnosis;
  const fallback = d
    ? `Caracal triage ${requestId ?? r.id}: failing surface ${d.surface} (${d.cause}). ${stateText(r)}.`
    : `Caracal triage ${requestId ?? r.id}: ${stateText(r)}.`;
  return validateMessage({ text: escFit(fallback, 500), blocks });
}
