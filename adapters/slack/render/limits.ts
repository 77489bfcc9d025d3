/**
 * Block Kit limits, checked with zod on every message we build, so a limit we miss is a
 * failing test here rather than an `invalid_blocks` / `msg_blocks_too_long` in production
 * (docs.slack.dev Block Kit reference; bolt-js#2509 for the ~13k whole-message ceiling).
 */
import type { types } from '@slack/bolt';
import { z } from 'zod';

export const LIMITS = {
  blocks: 50,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  id: 255,
  imageUrl: 3000,
  altText: 2000,
  /** Our own ceiling for JSON.stringify(blocks): well under Slack's ~13k refusal point. */
  messageChars: 11_000,
  /** Fallback `text` (notifications); Slack truncates at 40k, we keep it short. */
  fallbackText: 3000,
} as const;

const mrkdwn = (max: number) => z.object({ type: z.literal('mrkdwn'), text: z.string().min(1).max(max), verbatim: z.boolean().optional() });
const plain = (max: number) => z.object({ type: z.literal('plain_text'), text: z.string().min(1).max(max), emoji: z.boolean().optional() });
const anyText = (max: number) => z.union([mrkdwn(max), plain(max)]);
const blockId = z.string().min(1).max(LIMITS.id).optional();

const Button = z.object({
  type: z.literal('button'),
  action_id: z.string().min(1).max(LIMITS.id),
  text: plain(LIMITS.buttonText),
  value: z.string().max(LIMITS.buttonValue).optional(),
  style: z.enum(['primary', 'danger']).optional(),
});

const Section = z
  .object({
    type: z.literal('section'),
    block_id: blockId,
    text: anyText(LIMITS.sectionText).optional(),
    fields: z.array(anyText(LIMITS.fieldText)).min(1).max(LIMITS.sectionFields).optional(),
  })
  .refine((s) => s.text !== undefined || s.fields !== undefined, 'a section needs text or fields');

const Block = z.discriminatedUnion('type', [
  z.object({ type: z.literal('header'), block_id: blockId, text: plain(LIMITS.headerText) }),
  z.object({ type: z.literal('divider'), block_id: blockId }),
  z.object({ type: z.literal('context'), block_id: blockId, elements: z.array(anyText(LIMITS.sectionText)).min(1).max(LIMITS.contextElements) }),
  z.object({ type: z.literal('actions'), block_id: blockId, elements: z.array(Button).min(1).max(LIMITS.actionsElements) }),
  z.object({ type: z.literal('image'), block_id: blockId, image_url: z.url({ protocol: /^https?$/ }).max(LIMITS.imageUrl), alt_text: z.string().min(1).max(LIMITS.altText) }),
  Section,
]);

export const SlackMessageSchema = z
  .object({
    text: z.string().min(1).max(LIMITS.fallbackText),
    blocks: z.array(Block).min(1).max(LIMITS.blocks),
  })
  .refine((m) => JSON.stringify(m.blocks).length <= LIMITS.messageChars, {
    message: `blocks exceed ${LIMITS.messageChars} characters in total`,
  })
  .refine((m) => {
    const ids = m.blocks.flatMap((b) => (b.type === 'actions' ? b.elements.map((e) => e.action_id) : []));
    return new Set(ids).size === ids.length;
  }, 'action_id values must be unique within a message');

export interface SlackMessage {
  /** Fallback and notification text (escaped mrkdwn). */
  text: string;
  blocks: types.KnownBlock[];
}

export class BlockLimitError extends Error {
  constructor(readonly issues: string[]) {
    super(`Block Kit limits violated: ${issues.join('; ')}`);
    this.name = 'BlockLimitError';
  }
}

/** Throws BlockLimitError naming each violated limit; returns the message unchanged otherwise. */
export function validateMessage<M extends SlackMessage>(message: M): M {
  const parsed = SlackMessageSchema.safeParse(message);
  if (!parsed.success) {
    throw new BlockLimitError(parsed.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`));
  }
  return message;
}
