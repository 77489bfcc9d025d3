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

export const QUEUE_NAMES = { collect: 'collect', post: 'post', act: 'act' } as const;
export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

/** The collect queue also carries the escalation's outside calls (src/followup): PagerDuty trigger and note, and its resolve. */
export const COLLECT_JOBS = { collect: 'collect', sweep: 'sweep', escalate: 'escalate', pagerdutyResolve: 'pagerduty_resolve' } as const;
export const POST_JOBS = ['post_card', 'post_step', 'update_card', 'post_bundle', 'post_notice', 'pump'] as const;
export type PostJobName = (typeof POST_JOBS)[number];

const TriageIdSchema = z.string().regex(TRIAGE_ID_PATTERN, 'not a triage ID');
const StepIdSchema = z.enum(STEP_IDS);
const NOTICE_KEY = /^[a-z]+\.v?\d{1,9}$/;

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
  /** The notice a post_notice job hands to the thread (its key: `escalate.<n>`, `remind.v<version>`). */
  notice: z.string().regex(NOTICE_KEY, 'not a notice key').optional(),
});
export type PostJobData = z.infer<typeof PostJobData>;

/**
 * One escalation's outside calls (PagerDuty trigger, note on the PagerDuty incident), or the
 * resolve of the triage's PagerDuty alert (`n` absent). `tries` counts the calls PagerDuty asked
 * to retry (429, 5xx, no answer); `waits` the times the job waited for the card's link.
 */
export const EscalateJobData = z.strictObject({
  triageId: TriageIdSchema,
  n: z.number().int().positive().optional(),
  tries: z.number().int().min(0).optional(),
  waits: z.number().int().min(0).optional(),
  /** The job already waited once for the card's link. */
  linkWait: z.boolean().optional(),
});
export type EscalateJobData = z.infer<typeof EscalateJobData>;

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
  /** A thread notice's post; after a Retry a new ID, as for the card. */
  notice: (triageId: string, key: string, restartVersion?: number | null) => `notice-${triageId}-${key}${restartVersion ? `-r${restartVersion}` : ''}`,
  escalate: (triageId: string, n: number) => `escalate-${triageId}-e${n}`,
  /** One per triage: a resolved triage stays resolved. */
  pagerdutyResolve: (triageId: string) => `pdresolve-${triageId}`,
  /** Deduplication ID for card updates: one pending (and one running) update per triage. */
  cardUpdate: (triageId: string) => `update-${triageId}`,
  /** Deduplication ID of a conversation's pump: one waiting (and one running) per conversation. */
  pump: (conversation: string) => `pump-${conversation}`,
};
