/**
 * One step's evidence as a reply in the card's thread: verdict and summary first, then the
 * evidence verbatim in a code block; evidence that does not fit under Teams' message size is
 * cut, ending with the CLI command that prints all of it (bots cannot attach files in
 * channels without Graph, so there is no file fallback as in Slack).
 */
import { VERDICT_LABELS, evidenceText, stepNumber } from '../../../src/chat/render/labels';
import type { TriageRecord } from '../../../src/triage/machine';
import { STEP_IDS, STEP_TITLES, type StepId } from '../../../src/triage/model';
import { type AdaptiveCard, CARD_SCHEMA, CARD_VERSION, type CardElement, validateCard } from './card-schema';
import { fitOutside } from './escape';
import { evidencePart } from './evidence';
import { PENDING_ICON, VERDICT_ICON, cliCommand, text } from './parts';

/** Bytes of card JSON spent on evidence; the rest of the card stays small. */
export const EVIDENCE_BYTES = 16_000;

function card(body: CardElement[], fallbackText: string): AdaptiveCard {
  return validateCard({ type: 'AdaptiveCard', $schema: CARD_SCHEMA, version: CARD_VERSION, msteams: { width: 'Full' }, fallbackText: fitOutside(fallbackText, 500), body });
}

export function buildStepMessage(r: TriageRecord, stepId: StepId): AdaptiveCard {
  const n = stepNumber(stepId);
  const title = STEP_TITLES[stepId];
  const heading = `**Step ${n}/${STEP_IDS.length} · ${title}**`;
  const result = r.steps.find((s) => s.id === stepId);
  if (!result) return card([text(`${PENDING_ICON} ${heading}: not collected yet.`)], `Step ${n} ${title}: not collected yet`);
  const body: CardElement[] = [text(`${VERDICT_ICON[result.verdict]} ${heading}: **${VERDICT_LABELS[result.verdict]}**`), text(fitOutside(result.summary, 1500))];
  if (result.cause) body.push(text(`**Cause:** ${fitOutside(result.cause, 120)}`));
  const raw = evidenceText(result.evidence);
  if (raw !== '{}') body.push(...evidencePart(raw, EVIDENCE_BYTES, cliCommand(r)).elements);
  return card(body, `Step ${n} ${title}: ${result.verdict}. ${result.summary}`);
}
