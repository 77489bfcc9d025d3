/**
 * Write-ahead records of posts in flight. Before a post job calls the platform it writes what
 * it is about to post (its identity key and what it covers) into the triage's hash; once the
 * platform answers, the post's markers are set and the intent cleared in one step. An intent
 * still there when a job runs again means an earlier run may have posted and died before it
 * heard back: the job then looks for that message (ChatPort.findPost) and adopts it, or posts
 * exactly what the intent says (the same fold, the same key) when the platform cannot look.
 */
import { z } from 'zod';
import { ChatAddressSchema, type MessageRef } from '../chat/address';
import { STEP_IDS, type StepId } from '../triage/model';

export const INTENT_FIELDS = { card: 'intent:card', thread: 'intent:thread' } as const;
export type IntentLane = keyof typeof INTENT_FIELDS;

const PostIntentSchema = z.object({
  /** The identity key the message carries (ChatPort PostIdentity.key). */
  key: z.string().min(1).max(200),
  kind: z.enum(['card', 'steps', 'bundle', 'notice']),
  /** The thread keys it covers, in order (a card: none). */
  items: z.array(z.string().min(1).max(200)).max(16),
  /** Steps a reply carries, in order. */
  steps: z.array(z.enum(STEP_IDS)).max(STEP_IDS.length),
  /** When the post was first attempted (ms since the epoch). */
  at: z.number().int().positive(),
});
export type PostIntent = z.infer<typeof PostIntentSchema> & { steps: StepId[] };

/** Parses a stored intent; an unreadable one is treated as absent (it covers nothing we can trust). */
export function parseIntent(raw: string | null | undefined): PostIntent | null {
  if (!raw) return null;
  try {
    const parsed = PostIntentSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

const BundleRefSchema = z.object({ ref: ChatAddressSchema, link: z.string().max(3000).nullable() });

export function parseBundleRef(raw: string | null | undefined): { ref: MessageRef; link: string | null } | null {
  if (!raw) return null;
  try {
    const parsed = BundleRefSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
