/**
 * The headline of a finished triage, the same for the terminal, `--json` and both chat cards:
 * a failing surface; "no failing step found"; or "not determined", when nothing failed but
 * more steps could not be checked than were. A clean bill of health needs evidence: a
 * triage that checked one step of eight has found nothing, not found everything fine, so its
 * headline says what could not be checked and what to give (a request ID, a zone) instead of a
 * check mark. Pure, platform-free text (each renderer adds its own marks and escaping).
 */
import type { Diagnosis, Headline, StepId, Verdict } from './model';
import { STEP_IDS, STEP_TITLES } from './model';

export interface HeadlineInput {
  steps: ReadonlyArray<{ id: StepId; verdict: Verdict }>;
  diagnosis: Diagnosis | null;
  requestId: string | null;
  /** The zone given or located; null when neither. */
  zoneId: string | null;
}

export const GIVE_REQUEST_ID = 'a request ID (the X-Request-Id or requestId of the failing call)';
export const GIVE_ZONE = 'a zone (--zone, by ID, name or slug)';

export function headlineOf(input: HeadlineInput): Headline {
  const unchecked = STEP_IDS.filter((id) => input.steps.find((s) => s.id === id)?.verdict === 'unknown');
  const checked = input.steps.filter((s) => s.verdict === 'pass' || s.verdict === 'fail').length;
  const give = [...(input.requestId === null ? [GIVE_REQUEST_ID] : []), ...(input.zoneId === null ? [GIVE_ZONE] : [])];
  const d = input.diagnosis;
  if (d) return { state: 'failing', text: `Failing surface: ${d.surface} (step ${STEP_IDS.indexOf(d.step) + 1} ${d.step}, cause ${d.cause}, confidence ${d.confidence}).`, unchecked, give: [] };
  const open = input.steps.filter((s) => s.verdict === 'unknown' || s.verdict === 'manual').length;
  if (unchecked.length <= checked) {
    return { state: 'clear', text: `No failing step found${open > 0 ? ` (${open} step(s) could not be checked automatically)` : ''}.`, unchecked, give: [] };
  }
  const names = unchecked.map((id) => STEP_TITLES[id].replace(/ \(.*\)$/, '').toLowerCase()).join(', ');
  const then = give.length > 0 ? ` Give ${give.join(' and ')} to check them.` : ' Each step below says why; re-run once what it needs can be read.';
  return {
    state: 'undetermined',
    text: `Not determined: ${unchecked.length} of ${STEP_IDS.length} steps could not be checked (${names}), and only ${checked} could.${then}`,
    unchecked,
    give,
  };
}

/** A stored triage's headline input (its steps so far, its diagnosis, what was given or located). */
export function recordHeadlineInput(r: { steps: HeadlineInput['steps']; diagnosis: Diagnosis | null; input: { requestId: string | null }; zoneId: string | null }): HeadlineInput {
  return { steps: r.steps, diagnosis: r.diagnosis, requestId: r.input.requestId, zoneId: r.zoneId };
}
