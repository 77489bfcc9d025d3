/**
 * What a card the triage left behind becomes once someone clicks it: a worker was killed while
 * Teams held the card's post, so another run posted the card again (Teams offers no look-up of
 * a bot's own messages to find the first). The left-behind card stops saying "Collecting
 * evidence" and points at the card in use; it carries no buttons.
 */
import { type AdaptiveCard, CARD_SCHEMA, CARD_VERSION, validateCard } from './card-schema';
import { outsideText } from './escape';
import { text } from './parts';

export function buildReplacedCard(message: string, triageId: string): AdaptiveCard {
  return validateCard({
    type: 'AdaptiveCard',
    $schema: CARD_SCHEMA,
    version: CARD_VERSION,
    msteams: { width: 'Full' },
    fallbackText: 'Caracal triage: this card was replaced by a newer one in this conversation.',
    body: [
      text('Caracal triage: card replaced', { size: 'large', weight: 'bolder' }),
      { type: 'Container', style: 'warning', bleed: true, items: [text(`↪️ ${outsideText(message)}`)] },
      text(`Triage ${outsideText(triageId)}`, { isSubtle: true, size: 'small', separator: true }),
    ],
  });
}
