/**
 * What a card and a thread say about following a triage up, whatever platform draws them: the
 * latest escalation (whom it reached on this platform, PagerDuty, by whom, when), what became of
 * each PagerDuty call, why a triage was abandoned, and what a reminder names. Plain words only;
 * each platform marks them up and renders its own mentions. Every sentence follows from the
 * record: "PagerDuty: alert triggered" only once PagerDuty accepted the event.
 */
import { formatDuration } from '../../config/duration';
import { STEP_IDS, STEP_TITLES, type StepId } from '../../triage/model';
import type { ChatMention, Delivery, Escalation, Notice, TriageRecord } from '../../triage/record';

export interface EscalationView {
  escalation: Escalation;
  /** Whom it names on the card's platform. */
  mentions: ChatMention[];
  /** PagerDuty was asked. */
  pagerduty: boolean;
  /** Which escalation of the triage it is (1 for the first). */
  n: number;
}

/** The latest escalation as the card of `platform` shows it; null when there was none. */
export function latestEscalation(r: TriageRecord, platform: string): EscalationView | null {
  const e = r.escalations?.at(-1);
  if (!e) return null;
  return { escalation: e, mentions: e.mentions.filter((m) => m.platform === platform), pagerduty: e.pagerduty !== null, n: e.n };
}

/** The escalation that a notice announces. */
export function noticeEscalation(r: TriageRecord, notice: Notice, platform: string): EscalationView | null {
  const e = r.escalations?.find((x) => x.n === notice.escalation);
  return e ? { escalation: e, mentions: e.mentions.filter((m) => m.platform === platform), pagerduty: e.pagerduty !== null, n: e.n } : null;
}

export function findNotice(r: TriageRecord, key: string): Notice | null {
  return r.notices?.find((n) => n.key === key) ?? null;
}

/** Why no one was mentioned on this platform (the escalation named no one here). */
export function nobodyHere(v: EscalationView, title: string): string {
  if (v.escalation.from === 'none') return `No one is set to be reached: give the incident's route an \`escalate:\` or set TRIAGE_ESCALATE.`;
  return `No one on ${title} is named in ${v.escalation.from === 'route' ? "the incident's route" : 'TRIAGE_ESCALATE'}.`;
}

/** The state of one PagerDuty call, as a sentence. */
export function pagerDutyText(d: Delivery, what: 'trigger' | 'note' | 'resolve'): string {
  const verb = { trigger: ['paging PagerDuty…', 'PagerDuty alert triggered', 'PagerDuty not paged'], note: ['adding a note to the PagerDuty incident…', 'note added to the PagerDuty incident', 'no note on the PagerDuty incident'], resolve: ['resolving the PagerDuty alert…', 'PagerDuty alert resolved', 'PagerDuty alert not resolved'] }[what];
  switch (d.status) {
    case 'pending':
      return verb[0]!;
    case 'sent':
      return verb[1]!;
    case 'failed':
    case 'skipped':
      return `${verb[2]}: ${d.reason}`;
  }
}

/** Every PagerDuty sentence of the latest escalation and of the resolve, in order. */
export function pagerDutyLines(r: TriageRecord): string[] {
  const e = r.escalations?.at(-1);
  const lines: string[] = [];
  if (e?.pagerduty) lines.push(pagerDutyText(e.pagerduty, 'trigger'));
  if (e?.note) lines.push(pagerDutyText(e.note, 'note'));
  if (r.pagerdutyResolve) lines.push(pagerDutyText(r.pagerdutyResolve, 'resolve'));
  return lines;
}

/** `no one acted for 24 h`, or the older words when the record does not say for how long. */
export function abandonedBecause(r: TriageRecord): string {
  return r.abandonedAfterMs !== undefined ? `no one acted for ${formatDuration(r.abandonedAfterMs)}` : 'no activity for too long';
}

/** `step 4 of 8, Grant and policy` for a reminder's step. */
export function stepPhrase(step: StepId): string {
  return `step ${STEP_IDS.indexOf(step) + 1} of ${STEP_IDS.length}, ${STEP_TITLES[step]}`;
}

export function idleFor(notice: Notice): string {
  return formatDuration(notice.idleMs ?? 0);
}
