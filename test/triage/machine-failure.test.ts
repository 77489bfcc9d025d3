/**
 * A triage whose job fails for good stops where it is, visibly (`failed`, with what failed and
 * why), instead of collecting forever; Retry (or the bot, for a collection whose job is gone)
 * starts it again under a new collection version, hence a new job ID.
 */
import { newTriage, transition, type TriageEvent } from '../../src/triage/machine';
import type { Actor, TriageRecord } from '../../src/triage/record';
import { STEP_IDS, type StepResult } from '../../src/triage/model';

const now = new Date('2026-12-10T09:00:00Z');
const alice: Actor = { kind: 'user', id: 'U1', name: 'alice' };

function applyOk(record: TriageRecord, event: TriageEvent): ReturnType<typeof transition> & { ok: true } {
  const r = transition(record, event, now);
  if (!r.ok) throw new Error(`transition refused: ${r.message}`);
  return r;
}

const result = (id: StepResult['id']): StepResult => ({ id, verdict: 'pass', summary: `${id} pass`, evidence: {} });
const fresh = (): TriageRecord => newTriage('tri-1', { requestId: 'req-1', zoneId: null, symptom: null, error: null }, now).record;
const collectFailed = (reason = "OOM command not allowed when used memory > 'maxmemory'."): TriageEvent => ({ type: 'job_failed', stage: 'collect', job: 'collect', reason, collectVersion: 1 });

describe('a job that fails for good', () => {
  it('stops a collecting triage: failed, with the stage, the job, the reason and where it was, and redraws the card', () => {
    let r = applyOk(fresh(), { type: 'step_collected', result: result('readiness') }).record;
    const t = applyOk(r, collectFailed());
    r = t.record;
    expect(r.state).toBe('failed');
    expect(r.failure).toEqual({ stage: 'collect', job: 'collect', reason: "OOM command not allowed when used memory > 'maxmemory'.", at: now.toISOString(), from: 'locating' });
    expect(r.pending).toEqual(STEP_IDS.filter((s) => s !== 'readiness'));
    expect(t.effects.map((e) => e.type)).toEqual(['update_card', 'audit']);
    expect(r.history.at(-1)?.action).toBe('collecting evidence failed');
  });

  it('keeps the reason to one line of at most 300 characters', () => {
    const r = applyOk(fresh(), collectFailed(`line one\nline two\t${'x'.repeat(400)}`)).record;
    expect(r.failure?.reason).toMatch(/^line one line two x+…$/);
    expect(r.failure?.reason.length).toBe(300);
  });

  it('changes nothing when the collection had finished, or when an older collection failed', () => {
    let r = fresh();
    for (const id of STEP_IDS) r = applyOk(r, { type: 'step_collected', result: result(id) }).record;
    r = applyOk(r, { type: 'collection_finished', zoneId: null, symptom: null, surface: null, diagnosis: null, bundle: null }).record;
    expect(transition(r, collectFailed(), now)).toMatchObject({ ok: false, reason: 'not_allowed' });
    const rechecking = applyOk(r, { type: 'recheck', actor: alice, step: 'grant_policy' }).record;
    expect(rechecking.collectVersion).toBe(rechecking.version);
    expect(transition(rechecking, collectFailed(), now)).toMatchObject({ ok: false, reason: 'not_allowed' });
    expect(applyOk(rechecking, { ...collectFailed(), collectVersion: rechecking.version } as TriageEvent).record.failure?.from).toBe('walking');
  });

  it('refuses walking the steps until Retry, but still lets on-call resolve or escalate', () => {
    const r = applyOk(fresh(), collectFailed()).record;
    for (const e of [{ type: 'next', actor: alice }, { type: 'recheck', actor: alice }, { type: 'skip', actor: alice }, { type: 'symptom_chosen', actor: alice, symptom: 'resource_denied' }] as TriageEvent[]) {
      expect(transition(r, e, now)).toMatchObject({ ok: false, reason: 'not_allowed', message: expect.stringContaining('Retry') });
    }
    expect(applyOk(r, { type: 'resolve', actor: alice }).record.state).toBe('resolved');
    expect(applyOk(r, { type: 'escalate', actor: alice }).record.state).toBe('escalated');
    expect(transition(r, collectFailed(), now)).toMatchObject({ ok: false, reason: 'not_allowed' });
  });
});

describe('Retry', () => {
  it('collects the missing steps again under a new collection version, and queues the posts again', () => {
    let r = applyOk(fresh(), { type: 'step_collected', result: result('readiness') }).record;
    r = applyOk(r, collectFailed()).record;
    const t = applyOk(r, { type: 'retry', actor: alice, expectedVersion: r.version });
    expect(t.record.state).toBe('locating');
    expect(t.record.failure).toBeNull();
    expect(t.record.collectVersion).toBe(t.record.version);
    expect(t.record.restartVersion).toBe(t.record.version);
    expect(t.effects).toEqual([
      { type: 'collect', steps: STEP_IDS.filter((s) => s !== 'readiness') },
      { type: 'repost' },
      { type: 'update_card' },
      { type: 'audit', action: 'retry', actor: alice, from: 'failed', to: 'locating' },
    ]);
  });

  it('after a failed post, queues the posts again without collecting, back in the state it stopped in', () => {
    let r = fresh();
    for (const id of STEP_IDS) r = applyOk(r, { type: 'step_collected', result: result(id) }).record;
    r = applyOk(r, { type: 'collection_finished', zoneId: null, symptom: null, surface: null, diagnosis: null, bundle: null }).record;
    r = applyOk(r, { type: 'next', actor: alice }).record;
    r = applyOk(r, { type: 'job_failed', stage: 'post', job: 'update_card', reason: 'socket hang up' }).record;
    expect(r.failure?.from).toBe('walking');
    const t = applyOk(r, { type: 'retry', actor: alice });
    expect(t.record.state).toBe('walking');
    expect(t.effects.map((e) => e.type)).toEqual(['repost', 'update_card', 'audit']);
  });

  it('collects the pending steps again after a failed post when the caller saw the collection stopped too', () => {
    let r = applyOk(fresh(), { type: 'step_collected', result: result('readiness') }).record;
    r = applyOk(r, { type: 'job_failed', stage: 'post', job: 'update_card', reason: 'OOM command not allowed' }).record;
    const pending = STEP_IDS.filter((s) => s !== 'readiness');
    // Not known to be stopped: its collection carries on, only the posts are queued again.
    expect(applyOk(r, { type: 'retry', actor: alice }).effects.map((e) => e.type)).toEqual(['repost', 'update_card', 'audit']);
    const t = applyOk(r, { type: 'retry', actor: alice, collectionStopped: true });
    expect(t.record).toMatchObject({ state: 'locating', pending, collectVersion: t.record.version });
    expect(t.effects[0]).toEqual({ type: 'collect', steps: pending });
  });

  it('leaves `locating` behind when the collection finished while the triage was stopped by a post', () => {
    let r = applyOk(fresh(), { type: 'job_failed', stage: 'post', job: 'post_card', reason: 'timeout' }).record;
    for (const id of STEP_IDS) r = applyOk(r, { type: 'step_collected', result: result(id) }).record;
    r = applyOk(r, { type: 'collection_finished', zoneId: null, symptom: null, surface: null, diagnosis: null, bundle: null }).record;
    expect(r.state).toBe('failed');
    expect(applyOk(r, { type: 'retry', actor: alice }).record.state).toBe('routed');
  });

  it('restarts a collection whose job is gone (no failure recorded), and refuses when nothing stopped', () => {
    const system: Actor = { kind: 'system', id: 'caracal-triage', name: 'reconciler' };
    const t = applyOk(fresh(), { type: 'retry', actor: system });
    expect(t.record.state).toBe('locating');
    expect(t.effects[0]).toEqual({ type: 'collect', steps: [...STEP_IDS] });
    let done = fresh();
    for (const id of STEP_IDS) done = applyOk(done, { type: 'step_collected', result: result(id) }).record;
    done = applyOk(done, { type: 'collection_finished', zoneId: null, symptom: null, surface: null, diagnosis: null, bundle: null }).record;
    expect(transition(done, { type: 'retry', actor: alice }, now)).toMatchObject({ ok: false, reason: 'not_allowed' });
  });

  it('is refused from a card older than the triage (a stale Retry click)', () => {
    const r = applyOk(fresh(), collectFailed()).record;
    expect(transition(r, { type: 'retry', actor: alice, expectedVersion: r.version - 1 }, now)).toMatchObject({ ok: false, reason: 'stale' });
  });
});
