/**
 * An act's message (src/chat/notice.ts: an approval card, a fix proposal, a fix result) in Block
 * Kit: the title as a header, the bot's sentences (their code spans drawn as code, the rest made
 * inert: mrkdwn.ts), the facts as fields, the buttons, and the small print. A button that needs
 * a reason opens a dialog (`act:ask:…`, handlers/act.ts) instead of acting at once (`act:go:…`).
 * Also the dialog itself, and the *Propose fix* block a triage card adds.
 */
import type { types } from '@slack/bolt';
import type { ActMessage, ActTone } from '../../../src/chat/act-message';
import { clip } from '../../../src/render/fit';
import { LIMITS, type SlackMessage, validateMessage } from './limits';
import { escFit, sentenceFit } from './mrkdwn';

/** action_id prefix of every act button; the Bolt app listens on it. */
export const ACT_ACTION_PREFIX = 'act:';
/** callback_id of the dialog that asks for a reason. */
export const REASON_VIEW = 'act:reason';
export const REASON_BLOCK = 'reason';
export const REASON_INPUT = 'reason';

const TONE_EMOJI: Record<ActTone, string> = { waiting: ':hourglass_flowing_sand:', good: ':white_check_mark:', bad: ':no_entry:', warning: ':warning:', neutral: ':information_source:' };

function button(b: ActMessage['buttons'][number], i: number): types.Button {
  return {
    type: 'button',
    action_id: `${ACT_ACTION_PREFIX}${b.needsReason ? 'ask' : 'go'}:${i}`,
    text: { type: 'plain_text', text: clip(b.label, LIMITS.buttonText), emoji: true },
    value: b.value,
    ...(b.style ? { style: b.style } : {}),
  };
}

export function buildActMessage(n: ActMessage): SlackMessage {
  const text = n.lines.map((l) => sentenceFit(l, 1400)).join('\n');
  const blocks: types.KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(n.title, LIMITS.headerText), emoji: false } },
    { type: 'section', block_id: 'act:lines', text: { type: 'mrkdwn', text: `${TONE_EMOJI[n.tone]} ${clip(text, LIMITS.sectionText - 40)}` } },
  ];
  if (n.facts.length > 0) {
    blocks.push({ type: 'section', block_id: 'act:facts', fields: n.facts.slice(0, LIMITS.sectionFields).map((f) => ({ type: 'mrkdwn' as const, text: `*${escFit(f.label, 60)}*\n${sentenceFit(f.value, 500)}` })) });
  }
  if (n.buttons.length > 0) blocks.push({ type: 'actions', block_id: 'act:buttons', elements: n.buttons.map(button) });
  if (n.footer) blocks.push({ type: 'context', block_id: 'act:footer', elements: [{ type: 'mrkdwn', text: sentenceFit(n.footer, 1000) }] });
  return validateMessage({ text: escFit(n.fallback, 500), blocks });
}

/** What the dialog carries back: the signed button value and the message it was clicked on. */
export interface ReasonContext {
  value: string;
  channel: string;
  ts: string;
}

export function reasonDialog(ctx: ReasonContext, prompt: string): types.ModalView {
  return {
    type: 'modal',
    callback_id: REASON_VIEW,
    private_metadata: JSON.stringify(ctx),
    title: { type: 'plain_text', text: 'Reject the hold' },
    submit: { type: 'plain_text', text: 'Reject' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: REASON_BLOCK,
        label: { type: 'plain_text', text: clip(prompt, 150) },
        element: { type: 'plain_text_input', action_id: REASON_INPUT, multiline: true, min_length: 1, max_length: 300 },
      },
    ],
  };
}

/** The block a triage card adds for *Propose fix* (src/act/fix/button.ts decides whether). */
export function proposeFixBlock(b: { label: string; value: string } | null): types.KnownBlock[] {
  if (!b) return [];
  return [{ type: 'actions', block_id: 'act:fix', elements: [{ type: 'button', action_id: `${ACT_ACTION_PREFIX}go:propose`, text: { type: 'plain_text', text: b.label, emoji: true }, value: b.value }] }];
}
