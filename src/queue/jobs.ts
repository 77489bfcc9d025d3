/**
 * Queue and job names, job IDs and job data. Job data carries triage IDs and step IDs only:
 * never tokens, evidence or raw Caracal bodies (BullMQ stores job data in clear text). Data
 * read back from Redis is validated with zod before use.
 */
import { z } from 'zod';
import { STEP_IDS } from '../triage/model';
import type { StepId } from '../triage/model';
import { TRIAGE_ID_PATTERN } from '../store/ids';
import { PlatformName } from '../chat/address';

export const QUEUE_NAMES = { collect: 'collect', post: 'post' } as const;
export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

export const COLLECT_JOBS = { collect: 'collect', sweep: 'sweep' } as const;
export const POST_JOBS = ['post_card', 'post_step', 'update_card', 'post_bundle', 'pump'] as const;
export type PostJobName = (typeof POST_JOBS)[number];

const TriageIdSchema = z.string().regex(TRIAGE_ID_PATTERN, 'not a triage ID');
const StepIdSchema = z.enum(STEP_IDS);

export const CollectJobData = z.strictObject({
  triageId: TriageIdSchema,
  steps: z.array(StepIdSchema).min(1),
  /** Index of the next step to collect; a retry resumes here. */
  index: z.number().int().min(0),
  /** Read Caracal past the worker's shared read cache (a "Fixed, re-check" collection). */
  fresh: z.boolean().optional(),
  /** The record version that asked for this collection (the record's `collectVersion`). */
  version: z.number().int().positive().optional(),
});
export type CollectJobData = z.infer<typeof CollectJobData>;

export const PostJobData = z.strictObject({
  triageId: TriageIdSchema,
  step: StepIdSchema.optional(),
  /** Record version that asked for this post (post_step, post_bundle): part of the idempotency marker. */
  version: z.number().int().positive().optional(),
  /** How many times the job waited for the card to exist. */
  waits: z.number().int().min(0).optional(),
});
export type PostJobData = z.infer<typeof PostJobData>;

/**
 * The posting pump of one conversation (src/posting/thread-pump.ts): posts its threads' replies
 * in order, one at a time, as the conversation's limit allows.
 */
export const PumpJobData = z.strictObject({
  platform: PlatformName,
  /** conversationKey(port.conversationOf(card)). */
  conversation: z.string().regex(/^[\w.-]{1,64}$/, 'not a conversation key'),
  /** Since when (ms) the pump has been letting cards go first; past a bound it posts a reply anyway. */
  yielding: z.number().int().positive().optional(),
});
export type PumpJobData = z.infer<typeof PumpJobData>;

/** BullMQ custom IDs must not contain `:` nor be all digits; triage IDs start with `tri-`. */
export const jobIds = {
  collect: (triageId: string, version: number) => `collect-${triageId}-v${version}`,
  /** The card's post; after a Retry (`restartVersion`) a new ID, since the old one may sit in the failed set. */
  card: (triageId: string, restartVersion?: number | null) => (restartVersion ? `card-${triageId}-r${restartVersion}` : `card-${triageId}`),
  step: (triageId: string, step: StepId, version: number, restartVersion?: number | null) => `step-${triageId}-${step}-v${version}${restartVersion ? `-r${restartVersion}` : ''}`,
  bundle: (triageId: string, version: number, restartVersion?: number | null) => `bundle-${triageId}-v${version}${restartVersion ? `-r${restartVersion}` : ''}`,
  /** Deduplication ID for card updates: one pending (and one running) update per triage. */
  cardUpdate: (triageId: string) => `update-${triageId}`,
  /** Deduplication ID of a conversation's pump: one waiting (and one running) per conversation. */
  pump: (conversation: string) => `pump-${conversation}`,
};
