/**
 * One step's evidence as a reply in the card's thread: verdict and summary first, then the
 * evidence verbatim in a code block; evidence that does not fit under Teams' message size is
 * cut, ending with the CLI command that prints all of it (bots cannot attach files in
 * channels without Graph, so there is no file fallback as in Slack).
 */
import { VERDICT_LABELS, evidenceText, stepNumber } from '../../../src/chat/render/labels';
import type { TriageRecord } from '../../../src/triage/record';
import { STEP_IDS, STEP_TITLES, type StepId } from '../../../src/triage/model';
import { type AdaptiveCard, CARD_SCHEMA, CARD_VERSION, type CardElement, LIMITS, cardBytes, validateCard } from './card-schema';
import { fitOutside, fitSentence } from './escape';
import { evidencePart } from './evidence';
import { PENDING_ICON, VERDICT_ICON, cliCommand, text } from './parts';

/** Bytes of card JSON spent on evidence; the rest of the card stays small. */
export const EVIDENCE_BYTES = 16_000;

function card(body: CardElement[], fallbackText: string): AdaptiveCard {
  return validateCard({ type: 'AdaptiveCard', $schema: CARD_SCHEMA, version: CARD_VERSION, msteams: { width: 'Full' }, fallbackText: fitOutside(fallbackText, 500), body });
}

/** One step's elements: verdict line, summary (at most `summaryMax`), cause, evidence within `evidenceBytes`. */
function stepElements(r: TriageRecord, stepId: StepId, evidenceBytes: number, summaryMax = 1500): { body: CardElement[]; line: string } {
  const n = stepNumber(stepId);
  const title = STEP_TITLES[stepId];
  const heading = `**Step ${n}/${STEP_IDS.length} · ${title}**`;
  const result = r.steps.find((s) => s.id === stepId);
  if (!result) return { body: [text(`${PENDING_ICON} ${heading}: not collected yet.`)], line: `Step ${n} ${title}: not collected yet` };
  const body: CardElement[] = [text(`${VERDICT_ICON[result.verdict]} ${heading}: **${VERDICT_LABELS[result.verdict]}**`), text(fitSentence(result.summary, summaryMax))];
  if (result.cause) body.push(text(`**Cause:** ${fitOutside(result.cause, 120)}`));
  const raw = evidenceText(result.evidence);
  if (raw !== '{}') body.push(...evidencePart(raw, evidenceBytes, cliCommand(r)).elements);
  return { body, line: `Step ${n} ${title}: ${result.verdict}. ${result.summary}` };
}

export function buildStepMessage(r: TriageRecord, stepId: StepId): AdaptiveCard {
  const { body, line } = stepElements(r, stepId, EVIDENCE_BYTES);
  return card(body, line);
}

/**
 * Several consecutive steps in one reply (a busy thread's backlog folded), in step order, each
 * with its verdict, summary and cause; the evidence budget is shared, so each step's evidence is
 * cut sooner (ending with the CLI command that prints it all).
 */
export function buildStepsMessage(r: TriageRecord, steps: StepId[]): AdaptiveCard {
  const n = Math.max(1, steps.length);
  const summaryMax = Math.max(300, Math.floor(1500 / n));
  // The shared evidence budget halves until the whole reply fits (at worst no evidence, and each
  // step points at the CLI command for all of it).
  for (let each = Math.floor(EVIDENCE_BYTES / n); ; each = Math.floor(each / 2)) {
    const parts = steps.map((s) => stepElements(r, s, each, summaryMax));
    const body = parts.flatMap((p, i) => (i === 0 ? p.body : [{ ...p.body[0]!, separator: true, spacing: 'medium' } as CardElement, ...p.body.slice(1)]));
    const folded = { type: 'AdaptiveCard', $schema: CARD_SCHEMA, version: CARD_VERSION, msteams: { width: 'Full' }, fallbackText: fitOutside(parts.map((p) => p.line).join(' · '), 500), body } as AdaptiveCard;
    if (cardBytes(folded) < LIMITS.cardBytes || each < 200) return validateCard(folded);
  }
}
