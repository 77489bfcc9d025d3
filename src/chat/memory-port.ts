/**
 * A recording ChatPort for tests, the queue benchmark and `caracal-triage demo`: keeps every
 * call in order with the text a person would have seen, and can be told to answer "429, retry
 * after N ms" or to fail for the next calls. Nothing leaves the process unless `onCall` sends
 * it somewhere (tests that span processes record into Redis that way).
 */
import type { StepId } from '../triage/model';
import { STEP_TITLES } from '../triage/model';
import type { TriageRecord } from '../triage/machine';
import { z } from 'zod';
import { PLATFORMS } from './address';
import { ChatRateLimitedError, type ChatCapabilities, type ChatPort, type Destination, type MessageRef, type Platform } from './port';

export type MemoryCallMethod = 'postCard' | 'updateCard' | 'postStep' | 'postBundle';

export interface MemoryCall {
  seq: number;
  /** Date.now() when the call was made. */
  at: number;
  method: MemoryCallMethod;
  outcome: 'ok' | 'rate_limited' | 'error';
  triageId: string;
  version: number;
  state: TriageRecord['state'];
  step?: StepId;
  /** The card's ref (for postCard, the ref it created). */
  ref?: MessageRef;
  /** Channel or conversation it went to. */
  conversation: string;
  text: string;
  retryAfterMs?: number;
}

export interface MemoryPortOptions {
  platform?: Platform;
  capabilities?: Partial<ChatCapabilities>;
  /** Added latency per call (ms), to model a platform round trip. */
  latencyMs?: number;
  /** Called with every call (successful or not) before the port answers. */
  onCall?: (call: MemoryCall) => void | Promise<void>;
  /** Keep calls in memory (default true; the benchmark turns it off). */
  record?: boolean;
}

export interface MemoryChatPort extends ChatPort {
  readonly calls: MemoryCall[];
  /** Only the calls that went through. */
  delivered(triageId?: string): MemoryCall[];
  /** The next `n` calls answer as a 429 with Retry-After `retryAfterMs`. */
  rateLimitNext(n: number, retryAfterMs: number): void;
  /** The next `n` calls throw `error` (e.g. a ChatPermanentError). */
  failNext(n: number, error: Error): void;
  reset(): void;
}

export function renderCardText(t: TriageRecord): string {
  const lines = [`Caracal triage ${t.input.requestId ?? '(no request ID)'} [${t.state}] v${t.version}`];
  if (t.diagnosis) lines.push(`Diagnosis: ${t.diagnosis.surface} at ${t.diagnosis.step} (${t.diagnosis.cause}, ${t.diagnosis.confidence}): ${t.diagnosis.summary}`);
  else if (t.state !== 'locating') lines.push('Diagnosis: nothing failed');
  if (t.pending.length) lines.push(`Collecting: ${t.pending.length} step(s) left`);
  for (const s of t.steps) lines.push(`- ${STEP_TITLES[s.id]}: ${s.verdict}`);
  if (t.current) lines.push(`Current step: ${STEP_TITLES[t.current]}`);
  return lines.join('\n');
}

export function renderStepText(t: TriageRecord, step: StepId): string {
  const r = t.steps.find((s) => s.id === step);
  return r ? `${STEP_TITLES[step]}: ${r.verdict}. ${r.summary}` : `${STEP_TITLES[step]}: not collected yet`;
}

export function renderBundleText(t: TriageRecord): string {
  if (!t.bundle) return 'Diagnostic bundle: not collected';
  return [`Diagnostic bundle (${t.bundle.redactions} value(s) redacted)`, ...t.bundle.items.map((i) => `- ${i.id}: ${i.status}. ${i.summary}`)].join('\n');
}

/** The memory port's own addresses: a conversation name (`channel`), and a message id once posted. */
const MemoryAddress = z.looseObject({ platform: z.enum(PLATFORMS), channel: z.string().min(1) });
const conversationOf = (w: Destination | MessageRef): string => MemoryAddress.parse(w).channel;

export function createMemoryPort(opts: MemoryPortOptions = {}): MemoryChatPort {
  const platform = opts.platform ?? 'slack';
  const calls: MemoryCall[] = [];
  const keep = opts.record ?? true;
  let seq = 0;
  let limited: { n: number; ms: number } = { n: 0, ms: 0 };
  let failing: { n: number; error: Error | null } = { n: 0, error: null };

  async function call(method: MemoryCallMethod, where: Destination | MessageRef, t: TriageRecord, text: string, step?: StepId, ref?: MessageRef): Promise<void> {
    if (opts.latencyMs) await new Promise((r) => setTimeout(r, opts.latencyMs));
    const base = {
      seq: ++seq,
      at: Date.now(),
      method,
      triageId: t.id,
      version: t.version,
      state: t.state,
      conversation: conversationOf(where),
      text,
      ...(step ? { step } : {}),
      ...(ref ? { ref } : {}),
    };
    let entry: MemoryCall;
    let toThrow: Error | null = null;
    if (limited.n > 0) {
      limited.n--;
      entry = { ...base, outcome: 'rate_limited', retryAfterMs: limited.ms };
      toThrow = new ChatRateLimitedError(limited.ms, `${method} ${entry.conversation}`);
    } else if (failing.n > 0 && failing.error) {
      failing.n--;
      entry = { ...base, outcome: 'error' };
      toThrow = failing.error;
    } else {
      entry = { ...base, outcome: 'ok' };
    }
    if (keep) calls.push(entry);
    if (opts.onCall) await opts.onCall(entry);
    if (toThrow) throw toThrow;
  }

  const newRef = (dest: Destination, n: number): MessageRef => ({ ...MemoryAddress.parse(dest), ts: `${1_700_000_000 + n}.${String(n).padStart(6, '0')}` });

  return {
    platform,
    capabilities: { updates: true, threads: true, ephemeral: platform === 'slack', files: true, ...opts.capabilities },
    calls,
    conversationOf,
    async postCard(dest, triage) {
      const ref = newRef(dest, seq + 1);
      await call('postCard', dest, triage, renderCardText(triage), undefined, ref);
      return ref;
    },
    async updateCard(ref, triage) {
      await call('updateCard', ref, triage, renderCardText(triage), undefined, ref);
    },
    async postStep(ref, triage, step) {
      await call('postStep', ref, triage, renderStepText(triage, step), step, ref);
    },
    async postBundle(ref, triage) {
      await call('postBundle', ref, triage, renderBundleText(triage), undefined, ref);
    },
    delivered(triageId) {
      return calls.filter((c) => c.outcome === 'ok' && (triageId === undefined || c.triageId === triageId));
    },
    rateLimitNext(n, retryAfterMs) {
      limited = { n, ms: retryAfterMs };
    },
    failNext(n, error) {
      failing = { n, error };
    },
    reset() {
      calls.length = 0;
      limited = { n: 0, ms: 0 };
      failing = { n: 0, error: null };
    },
  };
}
