/**
 * Where a triage stands, in the words a person uses: "Collecting evidence (3 of 8 steps
 * checked)", "Needs you: step 4 of 8", "Resolved by Ada". The same phrase on both chat cards,
 * in `list`, `show`, the terminal, the triage page and the export; never the machine's own
 * state names or its version counter. Pure: each renderer names the person its own way (a
 * Slack mention, an escaped name), so the person comes back apart from the phrase.
 */
import { STEP_IDS, STEP_TITLES, type StepId } from '../triage/model';
import type { Actor, HistoryEntry, TriageRecord } from '../triage/record';

export interface StateWords {
  /** The phrase without the person: "Resolved", "Needs you: step 4 of 8 (Grant and policy)". */
  phrase: string;
  /** Who closed or escalated it, when the record says (added after " by "). */
  by: Actor | null;
  /** Whether on-call has to do something now. */
  needsYou: boolean;
}

/** The step a person looks at next: the one being walked, else the diagnosed one, else the first that did not pass. */
export function nextStepOf(r: Pick<TriageRecord, 'current' | 'diagnosis' | 'steps'>): StepId | null {
  if (r.current) return r.current;
  if (r.diagnosis) return r.diagnosis.step;
  return STEP_IDS.find((id) => {
    const v = r.steps.find((s) => s.id === id)?.verdict;
    return v !== 'pass' && v !== 'skipped';
  }) ?? null;
}

const lastBy = (r: TriageRecord, action: string): HistoryEntry | undefined => [...r.history].reverse().find((h) => h.action === action);

/** "step 4 of 8 (Grant and policy)". */
export function stepOfEight(step: StepId): string {
  return `step ${STEP_IDS.indexOf(step) + 1} of ${STEP_IDS.length} (${STEP_TITLES[step].replace(/ \(.*\)$/, '')})`;
}

export function stateWords(r: TriageRecord): StateWords {
  switch (r.state) {
    case 'locating': {
      const done = STEP_IDS.length - r.pending.length;
      return { phrase: `Collecting evidence (${done} of ${STEP_IDS.length} steps checked)`, by: null, needsYou: false };
    }
    case 'routed':
    case 'walking': {
      const asksSymptom = r.input.requestId === null && r.symptom === null && !r.diagnosis && !(r.incident && r.incident.surface !== 'unknown');
      if (asksSymptom) return { phrase: 'Needs you: pick the symptom the caller saw', by: null, needsYou: true };
      const step = nextStepOf(r);
      return { phrase: step ? `Needs you: ${stepOfEight(step)}` : 'Needs you: every step checked; resolve or escalate', by: null, needsYou: true };
    }
    case 'resolved': {
      const e = lastBy(r, 'resolve');
      return { phrase: 'Resolved', by: e?.actor ?? null, needsYou: false };
    }
    case 'escalated': {
      const e = lastBy(r, 'escalate');
      return { phrase: 'Escalated', by: e?.actor ?? null, needsYou: false };
    }
    case 'abandoned':
      return { phrase: 'Abandoned: nobody acted on it for too long', by: null, needsYou: false };
    case 'failed': {
      // A job failed for good; only a person's Retry (or the source asking again) starts it again.
      const what = r.failure?.stage === 'post' ? 'posting to chat failed' : 'collecting evidence failed';
      return { phrase: `Needs you: stopped, ${what}; Retry starts it again`, by: null, needsYou: true };
    }
    default:
      // A state this build does not know yet (added by a newer writer): its name, honestly.
      return { phrase: String(r.state).replace(/_/g, ' '), by: null, needsYou: false };
  }
}

/** A person as plain text: their name, else their ID. */
export const actorName = (a: Actor): string => a.name ?? a.id;

/** The phrase with the person as plain text: "Resolved by Ada". */
export function stateText(r: TriageRecord): string {
  const w = stateWords(r);
  return w.by ? `${w.phrase} by ${actorName(w.by)}` : w.phrase;
}
