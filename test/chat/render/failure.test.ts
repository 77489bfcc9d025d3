import { failureParts } from '../../../src/chat/render/failure';
import { retryPlan } from '../../../src/triage/stopped';
import type { TriageFailure, TriageRecord } from '../../../src/triage/record';
import { STEP_IDS } from '../../../src/triage/model';
import { diagnosedRecord } from '../../support/triage-records';

const failure = (over: Partial<TriageFailure>): TriageFailure => ({ stage: 'post', job: 'post_step', reason: 'channel_not_found', at: '2026-12-07T10:00:00.000Z', from: 'walking', ...over });
const stopped = (f: TriageFailure, over: Partial<TriageRecord> = {}): TriageRecord => diagnosedRecord('plain', { state: 'failed', failure: f, ...over });

describe("a stopped triage's card says what Retry will do, and it is what Retry does", () => {
  it('a collection that failed: how many steps were checked, and that Retry collects the missing ones', () => {
    const r = stopped(failure({ stage: 'collect', job: 'collect' }), { pending: ['grant_policy', 'audit_trace'] });
    expect(failureParts(r)).toMatchObject({ title: 'Collecting evidence failed', progress: `${STEP_IDS.length - 2} of ${STEP_IDS.length} steps checked`, retry: 'Retry collects the 2 missing steps again.' });
    expect(retryPlan(r)).toMatchObject({ ok: true, collect: ['grant_policy', 'audit_trace'] });
  });

  it('a post that failed with every step checked: Retry only posts', () => {
    const r = stopped(failure({}), { pending: [] });
    expect(failureParts(r)).toMatchObject({ title: 'Posting to chat failed', progress: 'a step reply was not posted', reason: 'channel_not_found', retry: 'Retry posts what is missing.' });
    expect(retryPlan(r, true)).toMatchObject({ ok: true, collect: null });
  });

  it('a post that failed while steps were still unchecked: the card says Retry may collect them too, as it does when their job stopped', () => {
    const r = stopped(failure({ job: 'post_card' }), { pending: ['audit_trace'] });
    expect(failureParts(r)!.retry).toBe('Retry posts what is missing, and collects the step still unchecked if its collection stopped too.');
    expect(retryPlan(r, true)).toMatchObject({ ok: true, collect: ['audit_trace'] });
    expect(retryPlan(r, false)).toMatchObject({ ok: true, collect: null });
    expect(failureParts(stopped(failure({}), { pending: ['grant_policy', 'audit_trace'] }))!.retry).toContain('collects the 2 steps still unchecked');
  });

  it('a triage that has not stopped has no failure parts', () => {
    expect(failureParts(diagnosedRecord('plain', { state: 'walking' }))).toBeNull();
  });
});
