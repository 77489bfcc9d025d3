/**
 * A recording ChatPort for tests, the queue benchmark and `caracal-triage demo`: keeps every
 * call in order with the text a person would have seen, and can be told to answer "429, retry
 * after N ms" or to fail for the next calls. Nothing leaves the process unless `onCall` sends
 * it somewhere (tests that span processes record into Redis that way).
 */
import type { StepId } from '../../src/triage/model';
import { STEP_TITLES } from '../../src/triage/model';
import type { TriageRecord } from '../../src/triage/record';
import { z } from 'zod';
import { PlatformName } from '../../src/chat/address';
import { ChatPermanentError, ChatRateLimitedError, type ChatCapabilities, type ChatPort, type Destination, type MessageRef, type Platform } from '../../src/chat/port';

export type MemoryCallMethod = 'postCard' | 'updateCard' | 'postStep' | 'postSteps' | 'postBundle' | 'postNotice';

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
  /** Every step a reply carried (postStep: one; postSteps: the folded ones, in order). */
  steps?: StepId[];
  /** The identity key the post carried (PostIdentity.key). */
  key?: string;
  /** The card's ref (for postCard, the ref it created). */
  ref?: MessageRef;
  /** A reply's own ref (postStep, postSteps, postBundle): what the call returns and findPost finds. */
  reply?: MessageRef;
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
  /** Offer findPost over the calls it kept (default true; off models a platform with no lookup). */
  lookup?: boolean;
}

export interface MemoryChatPort extends ChatPort {
  readonly calls: MemoryCall[];
  /** Only the calls that went through. */
  delivered(triageId?: string): MemoryCall[];
  /** The next `n` calls answer as a 429 with Retry-After `retryAfterMs`. */
  rateLimitNext(n: number, retryAfterMs: number): void;
  /** The next `n` calls (to `method`, when given) throw `error` (e.g. a ChatPermanentError). */
  failNext(n: number, error: Error, method?: MemoryCallMethod): void;
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

export function renderStepsText(t: TriageRecord, steps: StepId[]): string {
  return steps.map((s) => renderStepText(t, s)).join('\n');
}

/** A notice as a person would read it: whom an escalation mentions here, or what a reminder names. */
export function renderNoticeText(t: TriageRecord, key: string, platform: string): string {
  const n = t.notices?.find((x) => x.key === key);
  if (!n) return `notice ${key}: missing`;
  if (n.kind === 'reminder') return `Reminder: no one acted for ${n.idleMs} ms; waiting on ${n.step ?? 'no step'}`;
  const e = t.escalations?.find((x) => x.n === n.escalation);
  const here = (e?.mentions ?? []).filter((m) => m.platform === platform).map((m) => `@${m.id}`);
  return `Escalation ${n.escalation} by ${e?.actor.name ?? e?.actor.id}: ${here.length ? here.join(' ') : 'no one to mention'}${e?.pagerduty ? ' + PagerDuty' : ''}`;
}

export function renderBundleText(t: TriageRecord): string {
  if (!t.bundle) return 'Diagnostic bundle: not collected';
  return [`Diagnostic bundle (${t.bundle.redactions} value(s) redacted)`, ...t.bundle.items.map((i) => `- ${i.id}: ${i.status}. ${i.summary}`)].join('\n');
}

/** The memory port's own addresses: a conversation name (`channel`), and a message id once posted. */
const MemoryAddress = z.looseObject({ platform: PlatformName, channel: z.string().min(1) });
type MemoryAddress = z.infer<typeof MemoryAddress>;

export function createMemoryPort(opts: MemoryPortOptions = {}): MemoryChatPort {
  const platform = opts.platform ?? 'slack';
  /** Like a real port: another platform's address, or one it cannot read, is refused for good. */
  const read = (w: Destination | MessageRef): MemoryAddress => {
    const parsed = MemoryAddress.safeParse(w);
    if (!parsed.success || parsed.data.platform !== platform) throw new ChatPermanentError('wrong_platform', `not a ${platform} memory-port address (${w.platform})`);
    return parsed.data;
  };
  const conversationOf = (w: Destination | MessageRef): string => read(w).channel;
  const calls: MemoryCall[] = [];
  const keep = opts.record ?? true;
  let seq = 0;
  let limited: { n: number; ms: number } = { n: 0, ms: 0 };
  let failing: { n: number; error: Error | null; method?: MemoryCallMethod } = { n: 0, error: null };

  async function call(method: MemoryCallMethod, where: Destination | MessageRef, t: TriageRecord, text: string, step?: StepId, ref?: MessageRef, extra: { steps?: StepId[]; key?: string } = {}): Promise<MemoryCall> {
    if (opts.latencyMs) await new Promise((r) => setTimeout(r, opts.latencyMs));
    const n = ++seq;
    const base = {
      seq: n,
      at: Date.now(),
      method,
      triageId: t.id,
      version: t.version,
      state: t.state,
      conversation: conversationOf(where),
      text,
      ...(step ? { step } : {}),
      ...(ref ? { ref } : {}),
      ...(method !== 'postCard' && method !== 'updateCard' ? { reply: { ...read(where), ts: newTs(n) } } : {}),
      ...(extra.steps ? { steps: extra.steps } : {}),
      ...(extra.key ? { key: extra.key } : {}),
    };
    let entry: MemoryCall;
    let toThrow: Error | null = null;
    if (limited.n > 0) {
      limited.n--;
      entry = { ...base, outcome: 'rate_limited', retryAfterMs: limited.ms };
      toThrow = new ChatRateLimitedError(limited.ms, `${method} ${entry.conversation}`);
    } else if (failing.n > 0 && failing.error && (!failing.method || failing.method === method)) {
      failing.n--;
      entry = { ...base, outcome: 'error' };
      toThrow = failing.error;
    } else {
      entry = { ...base, outcome: 'ok' };
    }
    if (keep) calls.push(entry);
    if (opts.onCall) await opts.onCall(entry);
    if (toThrow) throw toThrow;
    return entry;
  }

  const newRef = (dest: Destination, n: number): MessageRef => ({ ...read(dest), ts: `${1_700_000_000 + n}.${String(n).padStart(6, '0')}` });

  const newTs = (n: number): string => `${1_700_000_000 + n}.${String(n).padStart(6, '0')}`;

  const port: MemoryChatPort = {
    platform,
    capabilities: { updates: true, threads: true, ephemeral: platform === 'slack', files: true, foldSteps: 8, ...opts.capabilities },
    calls,
    conversationOf,
    async postCard(dest, triage, o) {
      if (o?.found) return o.found.ref;
      const ref = newRef(dest, seq + 1);
      await call('postCard', dest, triage, renderCardText(triage), undefined, ref, { key: o?.identity?.key });
      return ref;
    },
    async updateCard(ref, triage) {
      await call('updateCard', ref, triage, renderCardText(triage), undefined, ref);
    },
    async postStep(ref, triage, step, o) {
      if (o?.found) return o.found.ref;
      return (await call('postStep', ref, triage, renderStepText(triage, step), step, ref, { steps: [step], key: o?.identity?.key })).reply!;
    },
    async postSteps(ref, triage, steps, o) {
      if (o?.found) return o.found.ref;
      return (await call('postSteps', ref, triage, renderStepsText(triage, steps), steps[0], ref, { steps, key: o?.identity?.key })).reply!;
    },
    async postBundle(ref, triage, o) {
      if (o?.found) return o.found.ref;
      return (await call('postBundle', ref, triage, renderBundleText(triage), undefined, ref, { key: o?.identity?.key })).reply!;
    },
    async postNotice(ref, triage, key, o) {
      if (o?.found) return o.found.ref;
      return (await call('postNotice', ref, triage, renderNoticeText(triage, key, platform), undefined, ref, { key: o?.identity?.key ?? key })).reply!;
    },
    async permalink(ref) {
      const r = MemoryAddress.extend({ ts: z.string() }).safeParse(ref);
      return r.success ? `memory://${r.data.channel}/${r.data.ts}` : null;
    },
    delivered(triageId) {
      return calls.filter((c) => c.outcome === 'ok' && (triageId === undefined || c.triageId === triageId));
    },
    rateLimitNext(n, retryAfterMs) {
      limited = { n, ms: retryAfterMs };
    },
    failNext(n, error, method) {
      failing = { n, error, method };
    },
    reset() {
      calls.length = 0;
      limited = { n: 0, ms: 0 };
      failing = { n: 0, error: null };
    },
  };
  if (opts.lookup ?? true) {
    port.findPost = async (_where, identity) => {
      const c = calls.find((x) => x.outcome === 'ok' && x.triageId === identity.triageId && x.key === identity.key);
      if (!c) return null;
      return { ref: c.method === 'postCard' ? c.ref! : c.reply! };
    };
  }
  return port;
}
