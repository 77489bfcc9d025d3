/**
 * The diagnostic bundle as a thread reply: one line per item (status, summary), the redaction
 * count, then as much evidence as fits, with the CLI command for the rest.
 */
import { BUNDLE_ITEM_LABELS, BUNDLE_STATUS_LABELS, evidenceText, oneLine } from '../../../src/chat/render/labels';
import type { TriageRecord } from '../../../src/triage/record';
import { type AdaptiveCard, CARD_SCHEMA, CARD_VERSION, type CardElement, validateCard } from './card-schema';
import { fitOutside, outsideText, fitSentence } from './escape';
import { evidencePart } from './evidence';
import { BUNDLE_STATUS_ICON, bundleCliCommand, text } from './parts';
import { EVIDENCE_BYTES } from './step-message';

const ITEM_SUMMARY_CHARS = 300;

export function buildBundleMessage(r: TriageRecord): AdaptiveCard {
  const bundle = r.bundle;
  const about = r.input.requestId ? ` for request ${fitOutside(r.input.requestId, 130)}` : '';
  const wrap = (body: CardElement[], fallback: string): AdaptiveCard =>
    validateCard({ type: 'AdaptiveCard', $schema: CARD_SCHEMA, version: CARD_VERSION, msteams: { width: 'Full' }, fallbackText: fitOutside(fallback, 500), body });
  if (!bundle) return wrap([text(`📦 **Diagnostic bundle**${about}: not collected.`)], 'Diagnostic bundle: not collected');
  const counts = bundle.items.reduce<Record<string, number>>((acc, i) => ({ ...acc, [i.status]: (acc[i.status] ?? 0) + 1 }), {});
  const tally = Object.entries(counts)
    .map(([status, n]) => `${n} ${BUNDLE_STATUS_LABELS[status as keyof typeof BUNDLE_STATUS_LABELS] ?? outsideText(status)}`)
    .join(', ');
  const body: CardElement[] = [
    text(`📦 **Diagnostic bundle**${about}: ${tally || 'no items'}. ${bundle.redactions} secret value${bundle.redactions === 1 ? '' : 's'} redacted.`),
    ...bundle.items.map((i) =>
      text(`${BUNDLE_STATUS_ICON[i.status] ?? '❔'} **${BUNDLE_ITEM_LABELS[i.id] ?? outsideText(i.id)}** ${fitSentence(oneLine(i.summary), ITEM_SUMMARY_CHARS)}`, { spacing: 'small' }),
    ),
  ];
  const raw = evidenceText(bundle.items.map((i) => ({ id: i.id, status: i.status, evidence: i.evidence })));
  body.push(...evidencePart(raw, EVIDENCE_BYTES, bundleCliCommand(r)).elements);
  return wrap(body, `Caracal diagnostic bundle: ${tally || 'no items'}`);
}
