/**
 * The postmortem export on Teams (*Export* on a resolved or escalated card): a card posted in
 * the card's conversation with where it stands, a link to download the whole Markdown document
 * (the triage page's `.md`, with TRIAGE_PUBLIC_URL) and the document itself in a CodeBlock,
 * shown verbatim, cut to fit a Teams message with a note saying where the rest is. Teams lets a
 * bot attach files only in personal chats (and only through its consent flow), so the card is
 * the attachment here.
 */
import { fitEscaped } from '../../../src/render/fit';
import { stateText } from '../../../src/report/state-words';
import type { ActionOutcome } from '../../../src/ingress/flow';
import { type AdaptiveCard, CARD_SCHEMA, CARD_VERSION, LIMITS, cardBytes, validateCard } from './card-schema';
import { teamsLink } from './dates';
import { fitOutside, visible } from './escape';
import { text } from './parts';

type Exported = Extract<ActionOutcome, { kind: 'export' }>;

/** Room left for the document after the card's own parts (bytes, JSON-escaped). */
const DOCUMENT_BUDGET = LIMITS.cardBytes - 3000;

export function buildExportCard(e: Exported): AdaptiveCard {
  const where = e.links.export
    ? `${teamsLink(e.links.export, 'Download the whole document (Markdown)')}; the link expires.`
    : `The whole document: \`caracal-triage show ${e.triageId} --markdown\` where the bot runs.`;
  const card = (doc: string, cut: boolean): AdaptiveCard => ({
    type: 'AdaptiveCard',
    $schema: CARD_SCHEMA,
    version: CARD_VERSION,
    msteams: { width: 'Full' },
    fallbackText: fitOutside(`Postmortem export of triage ${e.triageId}`, 200),
    body: [
      text(`📃 Postmortem export of triage \`${e.triageId}\``, { weight: 'bolder', size: 'medium' }),
      text(`${fitOutside(stateText(e.record), 200)}. Timeline, diagnosis, steps, changes, the redacted bundle and the audit chain's check.`, { isSubtle: true }),
      text(where),
      { type: 'CodeBlock', codeSnippet: doc, language: 'PlainText' },
      ...(cut ? [text('_The document was cut to fit a Teams message; the link or the command above gives all of it._', { isSubtle: true, size: 'small' })] : []),
    ],
  });
  const whole = visible(e.markdown);
  if (cardBytes(card(whole, false)) <= LIMITS.cardBytes) return validateCard(card(whole, false));
  const fitted = fitEscaped(whole, DOCUMENT_BUDGET, (s) => JSON.stringify(s).slice(1, -1));
  return validateCard(card(JSON.parse(`"${fitted}"`) as string, true));
}
