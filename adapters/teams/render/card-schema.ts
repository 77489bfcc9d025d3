/**
 * The Adaptive Card 1.5 subset our Teams messages use, checked with zod on every card built,
 * so a shape or size we get wrong is a failing test here rather than a 400 or a 413
 * MessageSizeTooBig from Teams (about 28 KB for the whole activity, microsoft/BotFramework-Services#228).
 * Teams shows at most six actions in one set; the symptom buttons are split accordingly.
 */
import { z } from 'zod';

export const LIMITS = {
  /** Teams refuses activities above about 28 KB. */
  teamsMessageBytes: 28 * 1024,
  /** Our ceiling for one card's JSON: the rest is room for the activity envelope (conversation, from, recipient…). */
  cardBytes: 24_000,
  actionsPerSet: 6,
  /** Slack's button value ceiling; the signed data is far smaller. */
  actionData: 2000,
  title: 120,
  /** A data URI image: a few KB at most, well inside the card's bytes. */
  imageDataChars: 4000,
} as const;

export const CARD_VERSION = '1.5';
export const CARD_SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';
export const CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

const Spacing = z.enum(['none', 'small', 'default', 'medium', 'large', 'extraLarge', 'padding']);

const TextBlock = z.strictObject({
  type: z.literal('TextBlock'),
  text: z.string().min(1),
  wrap: z.boolean().optional(),
  weight: z.enum(['default', 'lighter', 'bolder']).optional(),
  size: z.enum(['default', 'small', 'medium', 'large', 'extraLarge']).optional(),
  color: z.enum(['default', 'dark', 'light', 'accent', 'good', 'warning', 'attention']).optional(),
  isSubtle: z.boolean().optional(),
  fontType: z.enum(['default', 'monospace']).optional(),
  separator: z.boolean().optional(),
  spacing: Spacing.optional(),
  maxLines: z.number().int().positive().optional(),
});

const FactSet = z.strictObject({
  type: z.literal('FactSet'),
  facts: z.array(z.strictObject({ title: z.string().min(1), value: z.string().min(1) })).min(1),
  separator: z.boolean().optional(),
  spacing: Spacing.optional(),
});

/** Teams' CodeBlock element: the snippet is shown verbatim, never as markdown. */
const CodeBlock = z.strictObject({
  type: z.literal('CodeBlock'),
  codeSnippet: z.string().min(1),
  language: z.enum(['Json', 'PlainText']),
  startLineNumber: z.number().int().positive().optional(),
  fallback: TextBlock.optional(),
});

/**
 * What a button carries back: the signed, versioned token of src/commands/button-token.ts
 * (`button`), or the signed act token of src/act/token.ts (`act`); Teams merges the card's
 * inputs (an act card's reason box) into it.
 */
export const ButtonData = z.strictObject({ caracal: z.enum(['button', 'act']), value: z.string().min(1).max(LIMITS.actionData) });
export type ButtonData = z.infer<typeof ButtonData>;

/** A text box whose value Teams sends with the card's actions (an act card's reason). */
const InputText = z.strictObject({
  type: z.literal('Input.Text'),
  id: z.string().regex(/^[a-z]{1,32}$/),
  label: z.string().min(1).max(200).optional(),
  placeholder: z.string().max(200).optional(),
  isMultiline: z.boolean().optional(),
  maxLength: z.number().int().positive().max(2000).optional(),
  spacing: Spacing.optional(),
});

const ActionStyle = z.enum(['default', 'positive', 'destructive']);

const Submit = z.strictObject({
  type: z.literal('Action.Submit'),
  title: z.string().min(1).max(LIMITS.title),
  data: ButtonData,
  style: ActionStyle.optional(),
});

const Execute = z.strictObject({
  type: z.literal('Action.Execute'),
  title: z.string().min(1).max(LIMITS.title),
  verb: z.string().min(1).max(64),
  data: ButtonData,
  style: ActionStyle.optional(),
  /** Clients without Universal Actions send the same data as a message instead. */
  fallback: Submit,
});

const Action = z.discriminatedUnion('type', [Execute, Submit]);
const Actions = z.array(Action).min(1).max(LIMITS.actionsPerSet);

const ActionSet = z.strictObject({ type: z.literal('ActionSet'), actions: Actions, spacing: Spacing.optional() });

/** An image carried in the card itself (a `data:` PNG: Teams fetches no URL of ours), kept small for the size limit. */
const Image = z.strictObject({
  type: z.literal('Image'),
  url: z.string().regex(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/).max(LIMITS.imageDataChars),
  altText: z.string().min(1).max(500),
  size: z.enum(['auto', 'stretch', 'small', 'medium', 'large']).optional(),
  spacing: Spacing.optional(),
});

type Element =
  | z.infer<typeof TextBlock>
  | z.infer<typeof InputText>
  | z.infer<typeof FactSet>
  | z.infer<typeof CodeBlock>
  | z.infer<typeof ActionSet>
  | z.infer<typeof Image>
  | { type: 'Container'; items: Element[]; style?: 'default' | 'emphasis' | 'good' | 'attention' | 'warning' | 'accent'; bleed?: boolean; separator?: boolean; spacing?: z.infer<typeof Spacing> };

const Element: z.ZodType<Element> = z.lazy(() =>
  z.union([
    TextBlock,
    InputText,
    FactSet,
    CodeBlock,
    ActionSet,
    Image,
    z.strictObject({
      type: z.literal('Container'),
      items: z.array(Element).min(1),
      style: z.enum(['default', 'emphasis', 'good', 'attention', 'warning', 'accent']).optional(),
      bleed: z.boolean().optional(),
      separator: z.boolean().optional(),
      spacing: Spacing.optional(),
    }),
  ]),
);

/**
 * An @mention on a card (platform-notes §11.3): `text` is the `<at>Name</at>` the card's text
 * holds, `mentioned` the user (an Entra object ID or a 29: ID) and the name shown.
 */
const MentionEntitySchema = z.strictObject({
  type: z.literal('mention'),
  text: z.string().regex(/^<at>[^<>]{1,64}<\/at>$/),
  mentioned: z.strictObject({ id: z.string().min(1).max(300), name: z.string().min(1).max(64) }),
});
export type MentionEntity = z.infer<typeof MentionEntitySchema>;

export const AdaptiveCardSchema = z
  .strictObject({
    type: z.literal('AdaptiveCard'),
    $schema: z.literal(CARD_SCHEMA),
    version: z.literal(CARD_VERSION),
    body: z.array(Element).min(1),
    actions: Actions.optional(),
    fallbackText: z.string().min(1).max(1000),
    msteams: z.strictObject({ width: z.literal('Full'), entities: z.array(MentionEntitySchema).min(1).max(10).optional() }).optional(),
  })
  .refine((c) => cardBytes(c) <= LIMITS.cardBytes, { message: `card JSON exceeds ${LIMITS.cardBytes} bytes` })
  // Teams shows a mention only where its text appears in the card.
  .refine((c) => (c.msteams?.entities ?? []).every((e) => JSON.stringify(c.body).includes(JSON.stringify(e.text).slice(1, -1))), { message: 'a mention entity whose text is not in the card' });

export type AdaptiveCard = z.infer<typeof AdaptiveCardSchema>;
export type CardElement = Element;
export type CardAction = z.infer<typeof Action>;
export type TextBlockElement = z.infer<typeof TextBlock>;

export function cardBytes(card: unknown): number {
  return Buffer.byteLength(JSON.stringify(card), 'utf8');
}

export class CardLimitError extends Error {
  constructor(readonly issues: string[]) {
    super(`Adaptive Card invalid: ${issues.join('; ')}`);
    this.name = 'CardLimitError';
  }
}

/** Throws CardLimitError naming each problem; returns the card unchanged otherwise. */
export function validateCard(card: AdaptiveCard): AdaptiveCard {
  const parsed = AdaptiveCardSchema.safeParse(card);
  if (!parsed.success) throw new CardLimitError(parsed.error.issues.map((i) => `${i.path.join('.') || 'card'}: ${i.message}`));
  return card;
}
