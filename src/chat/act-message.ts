/**
 * A message that is not a triage card: an approval card, a fix proposal, the result of a fix
 * (src/act). Platform-neutral, like the card's record: the act room says what the message holds,
 * each adapter draws it (Block Kit, an Adaptive Card) with its own escaping.
 *
 * Every sentence in `lines` and every fact `value` is the bot's own sentence with outside values
 * (Caracal's IDs, people's names, the hold's metadata) in code spans (`tick()`,
 * src/triage/steps/step.ts): renderers draw those as code and neutralise the rest, the same
 * rule as step summaries (src/render/outside-text.ts).
 */

export type ActTone = 'waiting' | 'good' | 'bad' | 'warning' | 'neutral';

export interface ActButton {
  label: string;
  /** The signed act token (src/act/token.ts) the click carries back. */
  value: string;
  style?: 'primary' | 'danger';
  /**
   * The click must carry a reason: Slack asks for it in a dialog; Teams sends the card's text
   * box with the click (`reasonPrompt` is then shown).
   */
  needsReason?: boolean;
}

export interface ActMessage {
  /** The message's heading, plain words (no outside text). */
  title: string;
  tone: ActTone;
  /** The bot's sentences, in order. */
  lines: string[];
  /** Short facts: a label in the bot's words, a value sentence. */
  facts: Array<{ label: string; value: string }>;
  buttons: ActButton[];
  /** The text box label on platforms that take the reason in the card (Teams). */
  reasonPrompt?: string;
  /** Small print (IDs, when it was last read). */
  footer: string | null;
  /** Plain one-line text for notifications and clients that draw no cards. */
  fallback: string;
}
