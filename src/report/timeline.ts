/**
 * What happened to a triage, in time order, for the postmortem export and the triage page: the
 * command that started it, each step's verdict as it was recorded, every click with its person,
 * escalation, re-check and resolution (the record's history), and what the bot's audit log adds
 * beyond them (who started it and from where; escalations and fixes other parts of the bot
 * record there). Pure; outside text stays raw here and each renderer escapes it.
 */
import type { AuditTrailEntry } from './found';
import { STEP_IDS, STEP_TITLES, type StepId, type Verdict } from '../triage/model';
import type { Actor, TriageRecord } from '../triage/record';

export interface TimelineEvent {
  /** ISO time. */
  at: string;
  kind: 'start' | 'step' | 'action' | 'audit';
  /** Who, when a person or a source did it. */
  actor: Actor | null;
  /** One plain sentence (outside values raw: the renderer escapes). */
  text: string;
  step?: StepId;
  verdict?: Verdict;
}

/** The command as a person would have typed it, from what the triage was given. */
export function commandOf(r: TriageRecord): string {
  const i = r.input;
  if (r.incident) return `incident ${r.incident.ref}: ${r.incident.title}`;
  const parts = ['triage'];
  if (i.requestId) parts.push(i.requestId);
  if (i.zoneId) parts.push(`--zone ${i.zoneId}`);
  if (i.symptom) parts.push(`--symptom ${i.symptom}`);
  if (i.error) parts.push(`--error ${i.error.length > 80 ? `${i.error.slice(0, 79)}…` : i.error}`);
  return parts.join(' ');
}

/** Audit actions the record's history already tells (a click is in both). */
const IN_HISTORY = new Set(['start', 'next', 'recheck', 'skip', 'escalate', 'resolve', 'incident_updated', 'expire']);

const HISTORY_WORDS: Record<string, string> = {
  'next step': 'moved to the next step',
  'fixed, re-check': 'said it is fixed and asked for a re-check',
  skip: 'skipped the step',
  escalate: 'escalated the triage',
  resolve: 'resolved the triage',
  started: 'started',
};

function historyText(action: string, step: StepId | undefined): string {
  const words = HISTORY_WORDS[action] ?? (action.startsWith('symptom ') ? `chose the symptom ${action.slice('symptom '.length)}` : action);
  return step ? `${words} (step ${STEP_IDS.indexOf(step) + 1}, ${STEP_TITLES[step]})` : words;
}

export function timelineOf(r: TriageRecord, trail: readonly AuditTrailEntry[] = []): TimelineEvent[] {
  const started = trail.find((e) => e.action === 'start');
  const events: TimelineEvent[] = [
    { at: r.createdAt, kind: 'start', actor: started?.actor ?? null, text: `started: ${commandOf(r)}${started ? ` (from ${started.source})` : ''}` },
  ];
  for (const s of r.steps) {
    if (!s.at) continue;
    events.push({ at: s.at, kind: 'step', actor: null, step: s.id, verdict: s.verdict, text: `step ${STEP_IDS.indexOf(s.id) + 1} ${STEP_TITLES[s.id]}: ${s.verdict}${s.cause ? ` (${s.cause})` : ''}: ${s.summary}` });
  }
  for (const h of r.history) {
    if (h.action === 'started') continue;
    events.push({ at: h.at, kind: 'action', actor: h.actor.kind === 'system' ? null : h.actor, text: historyText(h.action, h.step), ...(h.step ? { step: h.step } : {}) });
  }
  for (const e of trail) {
    if (IN_HISTORY.has(e.action) || e.action.startsWith('symptom')) continue;
    events.push({ at: e.at, kind: 'audit', actor: e.actor, text: `${e.action.replace(/_/g, ' ')}${e.to && e.to !== e.from ? ` (now ${e.to})` : ''}${e.step ? ` on ${e.step}` : ''} (from ${e.source})` });
  }
  // Stable: equal times keep the order above (start, steps, clicks, audit).
  return events.map((e, i) => ({ e, i })).sort((a, b) => Date.parse(a.e.at) - Date.parse(b.e.at) || a.i - b.i).map(({ e }) => e);
}
