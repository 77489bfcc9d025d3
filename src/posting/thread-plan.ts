/**
 * What a triage's thread reads, in which order, and how a busy conversation's backlog is
 * folded into fewer replies: pure rules the posting pump (src/posting/thread-pump.ts) applies for
 * every platform, whatever order the jobs run in.
 *
 *   card ─▶ step 1 … step 8 (each step's latest result) ─▶ bundle ─▶ later re-posts (re-check, skip)
 *
 * Notices (an escalation's mention, a reminder) go as soon as they exist, before any step still
 * to post: they are about now, and whoever they reach should not wait behind evidence.
 *
 * - A step's reply waits for every earlier step: a step still being (re)collected holds back
 *   everything after it, so the thread never skips ahead.
 * - The bundle closes the first complete round: it goes after every step's latest result.
 * - Folding: when other messages wait in the same conversation, the next reply carries all the
 *   consecutive steps that are ready (up to the port's limit), still in step order, each with
 *   its own verdict and evidence; alone in a conversation, every step is its own reply.
 */
import { STEP_IDS, type StepId } from '../triage/model';
import type { TriageRecord } from '../triage/record';

/** Post keys: what a message is within its triage (its identity on the platform, its marker in the store). */
export const CARD_KEY = 'card';
export const BUNDLE_KEY = 'bundle';
export const stepKey = (step: StepId, version: number): string => `step.${step}.v${version}`;

export interface ThreadState {
  record: Pick<TriageRecord, 'state' | 'steps' | 'pending' | 'bundle' | 'notices'>;
  /** Record version at which each step's latest result was applied. */
  stepVersions: Partial<Record<StepId, number>>;
  /** Keys of the replies already in the thread. */
  posted: ReadonlySet<string>;
}

export type ThreadItem = { kind: 'step'; step: StepId; key: string } | { kind: 'bundle'; key: string } | { kind: 'notice'; key: string };

export type ThreadNext =
  /** These may go now, in this order (the pump takes one message's worth). */
  | { kind: 'ready'; items: ThreadItem[] }
  /** The next reply is still being collected; nothing after it may go before it. */
  | { kind: 'waiting'; on: StepId | 'bundle' }
  | { kind: 'done' };

export function threadNext(s: ThreadState): ThreadNext {
  const notices = (s.record.notices ?? []).filter((n) => !s.posted.has(n.key));
  if (notices.length) return { kind: 'ready', items: notices.map((n) => ({ kind: 'notice', key: n.key })) };
  const items: ThreadItem[] = [];
  const hold = (on: StepId | 'bundle'): ThreadNext => (items.length ? { kind: 'ready', items } : { kind: 'waiting', on });
  for (const step of STEP_IDS) {
    if (s.record.pending.includes(step)) return hold(step);
    const version = s.stepVersions[step];
    if (version === undefined || !s.record.steps.some((r) => r.id === step)) {
      // Not collected and not being collected: only before the first collection starts.
      if (s.record.state === 'locating') return hold(step);
      continue;
    }
    const key = stepKey(step, version);
    if (!s.posted.has(key)) items.push({ kind: 'step', step, key });
  }
  if (s.record.bundle) {
    if (!s.posted.has(BUNDLE_KEY)) items.push({ kind: 'bundle', key: BUNDLE_KEY });
  } else if (s.record.state === 'locating' && !s.posted.has(BUNDLE_KEY)) {
    return hold('bundle');
  }
  return items.length ? { kind: 'ready', items } : { kind: 'done' };
}

export interface FoldPolicy {
  /** Fold once at least this many other messages wait in the conversation. */
  atBacklog: number;
  /** Most steps in one reply (the port's `foldSteps` caps it further). */
  maxSteps: number;
}

export const DEFAULT_FOLD: FoldPolicy = { atBacklog: 1, maxSteps: STEP_IDS.length };

/**
 * The next reply from what is ready: a notice or the bundle alone, or the leading steps, folded
 * when the conversation's backlog (messages waiting besides this triage's next one) is deep.
 */
export function nextReply(ready: ThreadItem[], backlog: number, policy: FoldPolicy, portMaxSteps: number): ThreadItem[] {
  const first = ready[0];
  if (!first || first.kind !== 'step') return first ? [first] : [];
  const fold = backlog >= policy.atBacklog ? Math.max(1, Math.min(policy.maxSteps, portMaxSteps)) : 1;
  const steps: ThreadItem[] = [];
  for (const item of ready) {
    if (item.kind !== 'step' || steps.length >= fold) break;
    steps.push(item);
  }
  return steps;
}

/** The identity key a reply carries: its first item's. */
export const replyKey = (items: ThreadItem[]): string => items[0]!.key;
