/**
 * The `act` queue's jobs (src/queue/queues.ts), their data and IDs. Job data carries keys only
 * (an approval key, a proposal ID): what a job acts on is read from Redis when it runs, and
 * tokens, reasons and Caracal's bodies never go into BullMQ.
 *
 *   approval_card  post or redraw one approval card from the hold's latest state (coalesced:
 *                  one waiting per card); also the scheduled re-read while the hold waits
 *   decide         the one approve/reject call a claim stands for
 *   propose        plan a fix for a triage and post the proposal in its thread
 *   apply          the one activation a consent stands for, then its confirmation and re-triage
 */
import type { Queue } from 'bullmq';
import { z } from 'zod';
import { ApprovalKey } from './approvals';

export const ACT_JOBS = ['approval_card', 'decide', 'propose', 'apply'] as const;
export type ActJobName = (typeof ACT_JOBS)[number];

export const ProposalId = z.string().regex(/^fix-[0-9a-f]{24}$/, 'not a proposal ID');

export const ActJobData = z.union([z.strictObject({ approval: ApprovalKey }), z.strictObject({ proposal: ProposalId })]);
export type ActJobData = z.infer<typeof ActJobData>;

/** Redraw (or first post) of an approval card; one waiting per card, the latest state wins. */
export function enqueueApprovalCard(queue: Queue, key: string, delayMs = 0): Promise<unknown> {
  return queue.add('approval_card', { approval: key }, { deduplication: { id: `aprcard-${key}`, keepLastIfActive: true }, ...(delayMs > 0 ? { delay: delayMs } : {}) });
}

/**
 * The re-read of a waiting hold, `delayMs` from now. One per card and 30-second slot (its job ID
 * names the slot): the re-read that runs can schedule the next one (a deduplication ID would
 * still be held by the running job and drop it), and card redraws in the same slot share one.
 */
export function scheduleApprovalRefresh(queue: Queue, key: string, delayMs: number): Promise<unknown> {
  const delay = Math.max(1000, delayMs);
  return queue.add('approval_card', { approval: key }, { jobId: `aprref-${key}-${Math.floor((Date.now() + delay) / 30_000)}`, delay });
}

/** One decide job per claim (`attempt` is the claim's try number): a retried job is the same job. */
export function enqueueDecide(queue: Queue, key: string, attempt: number): Promise<unknown> {
  return queue.add('decide', { approval: key }, { jobId: `decide-${key}-${attempt}` });
}

export function enqueuePropose(queue: Queue, proposalId: string): Promise<unknown> {
  return queue.add('propose', { proposal: proposalId }, { jobId: `propose-${proposalId}` });
}

export function enqueueApply(queue: Queue, proposalId: string): Promise<unknown> {
  return queue.add('apply', { proposal: proposalId }, { jobId: `apply-${proposalId}` });
}
