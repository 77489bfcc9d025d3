/** The thread-order and folding rules every platform's posting follows (src/posting/thread-plan.ts). */
import { BUNDLE_KEY, DEFAULT_FOLD, nextReply, stepKey, threadNext, type ThreadState } from '../../src/posting/thread-plan';
import type { TriageRecord } from '../../src/triage/record';
import { STEP_IDS, type StepId } from '../../src/triage/model';

const result = (id: StepId) => ({ id, verdict: 'pass' as const, summary: 'ok', evidence: {} });
const bundle = { items: [], redactions: 0 };

/** Steps 1..collected have results (step i at version i + 1), the rest still being collected. */
function state(collected: number, over: { posted?: string[]; bundle?: boolean; state?: TriageRecord['state']; pending?: StepId[] } = {}): ThreadState {
  const done = STEP_IDS.slice(0, collected);
  const stepVersions: Partial<Record<StepId, number>> = {};
  done.forEach((s, i) => (stepVersions[s] = i + 2));
  return {
    record: {
      state: over.state ?? (collected < 8 ? 'locating' : 'routed'),
      steps: done.map(result),
      pending: over.pending ?? STEP_IDS.slice(collected),
      bundle: over.bundle ? bundle : null,
    },
    stepVersions,
    posted: new Set(over.posted ?? []),
  };
}
const keys = (n: ReturnType<typeof threadNext>): string[] => (n.kind === 'ready' ? n.items.map((i) => i.key) : []);

describe('thread order', () => {
  it('offers the collected steps in step order and holds back what comes after a step still being collected', () => {
    const n = threadNext(state(3));
    expect(keys(n)).toEqual([stepKey('readiness', 2), stepKey('configuration', 3), stepKey('request_trace', 4)]);
    expect(threadNext(state(0))).toEqual({ kind: 'waiting', on: 'readiness' });
  });

  it('never skips ahead: a later result waits while an earlier step is being collected again', () => {
    const s = state(8, { bundle: true, pending: ['grant_policy'], posted: [stepKey('readiness', 2), stepKey('configuration', 3), stepKey('request_trace', 4)] });
    expect(threadNext(s)).toEqual({ kind: 'waiting', on: 'grant_policy' });
  });

  it('puts the bundle after every step, and only once the collection is finished', () => {
    const all = STEP_IDS.map((s, i) => stepKey(s, i + 2));
    expect(threadNext(state(8, { state: 'locating', pending: [], posted: all }))).toEqual({ kind: 'waiting', on: 'bundle' });
    expect(keys(threadNext(state(8, { bundle: true, posted: all.slice(0, 7) })))).toEqual([all[7], BUNDLE_KEY]);
    expect(keys(threadNext(state(8, { bundle: true, posted: all })))).toEqual([BUNDLE_KEY]);
    expect(threadNext(state(8, { bundle: true, posted: [...all, BUNDLE_KEY] }))).toEqual({ kind: 'done' });
  });

  it('offers a re-checked step (its new result) after the bundle', () => {
    const all = STEP_IDS.map((s, i) => stepKey(s, i + 2));
    const s = state(8, { bundle: true, posted: [...all, BUNDLE_KEY] });
    s.stepVersions.grant_policy = 14;
    expect(keys(threadNext(s))).toEqual([stepKey('grant_policy', 14)]);
  });
});

describe('folding', () => {
  const ready = () => {
    const n = threadNext(state(8, { bundle: true }));
    if (n.kind !== 'ready') throw new Error('not ready');
    return n.items;
  };

  it('posts one step per reply when nothing else waits in the conversation', () => {
    expect(nextReply(ready(), 0, DEFAULT_FOLD, 8).map((i) => i.key)).toEqual([stepKey('readiness', 2)]);
  });

  it('folds every ready step, in order, into one reply when others wait; the bundle stays its own reply', () => {
    const folded = nextReply(ready(), 5, DEFAULT_FOLD, 8);
    expect(folded.map((i) => (i.kind === 'step' ? i.step : 'bundle'))).toEqual([...STEP_IDS]);
    const bundleOnly = nextReply(ready().slice(8), 5, DEFAULT_FOLD, 8);
    expect(bundleOnly.map((i) => i.key)).toEqual([BUNDLE_KEY]);
  });

  it("never folds more than the port can carry, nor when the port cannot fold", () => {
    expect(nextReply(ready(), 5, DEFAULT_FOLD, 3)).toHaveLength(3);
    expect(nextReply(ready(), 5, DEFAULT_FOLD, 1)).toHaveLength(1);
    expect(nextReply(ready(), 5, { atBacklog: 10, maxSteps: 8 }, 8)).toHaveLength(1);
  });
});

describe('notices (an escalation\'s mention, a reminder)', () => {
  const notice = (key: string) => ({ key, kind: 'escalation' as const, at: '2026-11-27T12:00:00.000Z', escalation: 1 });
  const withNotices = (s: ThreadState, keys: string[]): ThreadState => ({ ...s, record: { ...s.record, notices: keys.map(notice) } });

  it('go as soon as they exist, ahead of a step still being collected, one per reply, and once', () => {
    const s = withNotices(state(8, { bundle: true, pending: ['grant_policy'], posted: [stepKey('readiness', 2), stepKey('configuration', 3), stepKey('request_trace', 4)] }), ['escalate.1']);
    const n = threadNext(s);
    expect(keys(n)).toEqual(['escalate.1']);
    expect(n.kind === 'ready' && nextReply(n.items, 5, DEFAULT_FOLD, 8)).toEqual([{ kind: 'notice', key: 'escalate.1' }]);
    expect(threadNext({ ...s, posted: new Set([...s.posted, 'escalate.1']) })).toEqual({ kind: 'waiting', on: 'grant_policy' });
  });

  it('a thread whose steps and bundle are all posted is not done while a notice waits', () => {
    const all = [...STEP_IDS.map((s, i) => stepKey(s, i + 2)), BUNDLE_KEY];
    const s = state(8, { bundle: true, pending: [], posted: all });
    expect(threadNext(s)).toEqual({ kind: 'done' });
    expect(keys(threadNext(withNotices(s, ['remind.v12'])))).toEqual(['remind.v12']);
  });
});
