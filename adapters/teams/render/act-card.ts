/**
 * An act's message (src/chat/notice.ts: an approval card, a fix proposal, a fix result) as an
 * Adaptive Card 1.5: the title, the bot's sentences (escape.ts: their code spans drawn as code,
 * the rest made inert), the facts, a text box for the reason when a button needs one (Teams
 * sends its value with the click, merged into the button's data), and the buttons
 * (Action.Execute with an Action.Submit fallback, data `{caracal: 'act', value}`). Also the
 * *Propose fix* button set a triage card adds.
 */
import type { ActMessage, ActTone } from '../../../src/chat/act-message';
import { clip } from '../../../src/render/fit';
import { type AdaptiveCard, CARD_SCHEMA, CARD_VERSION, type CardAction, type CardElement, LIMITS, validateCard } from './card-schema';
import { fitOutside, fitSentence } from './escape';
import { text } from './parts';

/** Universal Action verb of act buttons. */
export const ACT_VERB = 'caracal.act';
/** The reason box's id: Teams sends `{…data, reason: <text>}`. */
export const REASON_INPUT_ID = 'reason';

const TONE_STYLE: Record<ActTone, 'default' | 'good' | 'attention' | 'warning' | 'accent' | 'emphasis'> = { waiting: 'accent', good: 'good', bad: 'attention', warning: 'warning', neutral: 'emphasis' };

export function actAction(b: { label: string; value: string; style?: 'primary' | 'danger' }): CardAction {
  const data = { caracal: 'act' as const, value: b.value };
  const style = b.style === 'primary' ? ('positive' as const) : b.style === 'danger' ? ('destructive' as const) : undefined;
  const title = clip(b.label, LIMITS.title);
  return { type: 'Action.Execute', title, verb: ACT_VERB, data, ...(style ? { style } : {}), fallback: { type: 'Action.Submit', title, data, ...(style ? { style } : {}) } };
}

export function buildActCard(n: ActMessage): AdaptiveCard {
  const body: CardElement[] = [
    text(fitOutside(n.title, 200), { size: 'large', weight: 'bolder' }),
    { type: 'Container', style: TONE_STYLE[n.tone], bleed: true, items: n.lines.map((l) => text(fitSentence(l, 1400))) },
  ];
  if (n.facts.length > 0) body.push({ type: 'FactSet', facts: n.facts.map((f) => ({ title: fitOutside(f.label, 60), value: fitSentence(f.value, 300) })) });
  if (n.buttons.some((b) => b.needsReason)) {
    body.push({ type: 'Input.Text', id: REASON_INPUT_ID, label: clip(n.reasonPrompt ?? 'Reason', 200), placeholder: 'Why? (sent to Caracal with your name)', isMultiline: true, maxLength: 300 });
  }
  if (n.buttons.length > 0) body.push({ type: 'ActionSet', actions: n.buttons.slice(0, LIMITS.actionsPerSet).map(actAction) });
  if (n.footer) body.push(text(fitSentence(n.footer, 600), { isSubtle: true, size: 'small', separator: true }));
  return validateCard({ type: 'AdaptiveCard', $schema: CARD_SCHEMA, version: CARD_VERSION, msteams: { width: 'Full' }, fallbackText: fitOutside(n.fallback, 500), body });
}

/** The button set a triage card adds for *Propose fix* (src/act/fix/button.ts decides whether). */
export function proposeFixPart(b: { label: string; value: string } | null): CardElement[] {
  return b ? [{ type: 'ActionSet', actions: [actAction(b)] }] : [];
}
