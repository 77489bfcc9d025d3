/**
 * Human output of a triage or bundle for a terminal: the diagnosis first (what failed, where,
 * and what to fix), then each step with its verdict and evidence, then the bundle.
 * Evidence is shown as short `key: value` lines; `--verbose` prints it whole. Every string that
 * can hold outside text (summaries carry Caracal's values, evidence is Caracal's answers, IDs
 * are the user's) goes through the outside-text rule before it is styled, so our colours stay
 * and theirs cannot act.
 */
import { clip, outsideText } from '../render/outside-text';
import type { Bundle, BundleStatus, TriageReport, Verdict } from '../triage/model';
import { STEP_IDS, STEP_TITLES } from '../triage/model';
import { renderChanges } from './render-changes';
import type { Styler } from './style';
import { NO_LINKS, type LinksConfig } from '../report/config';
import { reportLinks } from '../report/links';
import { nameOf, withNames } from '../triage/names';

const VERDICT_MARK: Record<Verdict, [string, Parameters<Styler>[0]]> = {
  pass: ['✔', 'green'],
  fail: ['✖', 'red'],
  unknown: ['?', 'yellow'],
  manual: ['☐', 'cyan'],
  skipped: ['–', 'gray'],
};

const STATUS_MARK: Record<BundleStatus, [string, Parameters<Styler>[0]]> = {
  ok: ['✔', 'green'],
  warn: ['!', 'yellow'],
  fail: ['✖', 'red'],
  unavailable: ['?', 'gray'],
};

const MAX_VALUE = 140;
const MAX_LINES = 8;

/** Outside text on one line. */
const safe = (value: unknown): string => outsideText(value);
/** JSON of outside values, each string made safe first (so a removed sequence leaves no `\u001b…` text behind). */
const safeStringify = (value: unknown, indent?: number): string | undefined => JSON.stringify(value, (_k, v: unknown) => (typeof v === 'string' ? outsideText(v) : v), indent);

function short(value: unknown): string {
  const text = typeof value === 'string' ? value : safeStringify(value);
  return clip(safe(text ?? 'null').replace(/\s+/g, ' '), MAX_VALUE);
}

interface CheckLike {
  check: string;
  status: string;
  detail?: unknown;
}

const isCheckList = (v: unknown): v is CheckLike[] =>
  Array.isArray(v) && v.length > 0 && v.every((c) => typeof c === 'object' && c !== null && typeof (c as CheckLike).check === 'string' && typeof (c as CheckLike).status === 'string');

/** Doctor-style check lists read best as one line per check that is not ok. */
function checkLines(key: string, checks: CheckLike[], indent: string): string[] {
  const notOk = checks.filter((c) => c.status !== 'ok');
  if (notOk.length === 0) return [`${indent}${key}: all ${checks.length} ok`];
  return notOk.map((c) => `${indent}${safe(c.status).padEnd(7)} ${safe(c.check)}${c.detail === undefined ? '' : `: ${short(c.detail)}`}`);
}

function evidenceLines(evidence: Record<string, unknown>, verbose: boolean, indent: string): string[] {
  if (verbose) {
    return (safeStringify(evidence, 2) ?? '{}')
      .split('\n')
      .map((l) => indent + safe(l));
  }
  const entries = Object.entries(evidence).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0));
  const lines = entries.slice(0, MAX_LINES).flatMap(([k, v]) => (isCheckList(v) ? checkLines(safe(k), v, indent) : [`${indent}${safe(k)}: ${short(v)}`]));
  if (entries.length > MAX_LINES) lines.push(`${indent}… ${entries.length - MAX_LINES} more (use --verbose or --json)`);
  return lines;
}

export function renderBundle(bundle: Bundle, style: Styler, verbose: boolean): string[] {
  const out: string[] = [];
  const redacted = bundle.redactions === 1 ? '1 value redacted' : `${bundle.redactions} values redacted`;
  out.push(style('bold', `Diagnostic bundle`) + style('gray', ` (${redacted})`));
  for (const item of bundle.items) {
    const [mark, color] = STATUS_MARK[item.status];
    out.push(`  ${style(color, mark)} ${style(color, item.status.padEnd(11))} ${item.id.padEnd(16)} ${safe(item.summary)}`);
    if (verbose || item.status !== 'ok') out.push(...evidenceLines(item.evidence, verbose, '      '));
  }
  return out;
}

/** The Console's views and the cause's runbook section, one line, when there are any. */
export function linkLines(report: Pick<TriageReport, 'steps' | 'zoneId' | 'requestId' | 'diagnosis' | 'deployment'>, links: LinksConfig, style: Styler): string[] {
  const l = reportLinks(report, links);
  const out: string[] = [];
  if (l.runbook) out.push(style('gray', `  Runbook: ${l.runbook.url ?? l.runbook.pointer}`));
  const views = [l.requestTrace && `request trace ${l.requestTrace}`, l.policySet && `policy set ${l.policySet}`, l.resource && `resource ${l.resource}`, l.approvals && `approvals ${l.approvals}`].filter(Boolean);
  if (views.length) out.push(style('gray', `  Console: ${views.join(' · ')}`));
  return out;
}

export function renderReport(report: TriageReport, style: Styler, verbose = false, links: LinksConfig = NO_LINKS): string {
  const out: string[] = [];
  const d = report.diagnosis;
  const names = report.names;
  const headline = report.headline;
  if (d) {
    const stepNo = STEP_IDS.indexOf(d.step) + 1;
    out.push(style(['bold', 'red'], `✖ Failing surface: ${d.surface}`) + style('gray', `  (step ${stepNo} ${d.step}, cause ${safe(d.cause)}, confidence ${d.confidence})`));
    out.push(`  ${safe(withNames(d.summary, names))}`);
  } else if (headline.state === 'undetermined') {
    // No check mark without evidence: say what could not be checked and what to give.
    out.push(style(['bold', 'yellow'], '? Not determined') + style('yellow', `  (${headline.unchecked.length} of ${STEP_IDS.length} steps could not be checked; see below)`));
    out.push(`  ${safe(headline.text)}`);
  } else {
    const open = report.steps.filter((s) => s.verdict === 'unknown' || s.verdict === 'manual').length;
    out.push(style(['bold', 'green'], '✔ No failing step found') + (open ? style('yellow', `  (${open} step(s) could not be checked automatically; see below)`) : ''));
  }
  // The changes stay right under the diagnosis; the runbook and Console links follow them.
  out.push(...renderChanges(report, style, verbose));
  out.push(...linkLines(report, links, style));
  const zoneName = nameOf(names, 'zones', report.zoneId);
  const context = [
    // The deployment is named when it is one of a file's (the single-deployment variables' `default` goes unsaid).
    ...(report.deployment && report.deployment !== 'default' ? [`deployment ${safe(report.deployment)}`] : []),
    `request ${report.requestId === null ? '(none: started from readiness)' : safe(report.requestId)}`,
    `zone ${report.zoneId === null ? '(not located)' : zoneName ? `${safe(zoneName)} (${safe(report.zoneId)})` : safe(report.zoneId)}`,
    `symptom ${report.symptom ?? '(not given)'}`,
  ];
  out.push(style('gray', `  ${context.join(' · ')}`), '');
  out.push(style('bold', 'Denied-call steps'));
  for (const step of report.steps) {
    const [mark, color] = VERDICT_MARK[step.verdict];
    const n = STEP_IDS.indexOf(step.id) + 1;
    out.push(`  ${n} ${style(color, mark)} ${style(color, step.verdict.padEnd(8))} ${STEP_TITLES[step.id]}`);
    out.push(`             ${safe(withNames(step.summary, names))}`);
    if (verbose || step.verdict === 'fail' || step.verdict === 'unknown') out.push(...evidenceLines(step.evidence, verbose, '             · '));
  }
  out.push('', ...renderBundle(report.bundle, style, verbose));
  return out.join('\n') + '\n';
}
