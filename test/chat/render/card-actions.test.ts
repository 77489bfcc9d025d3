import { focusStep, needsSymptom, walkActions } from '../../../src/chat/render/card-actions';
import type { TriageRecord } from '../../../src/triage/record';
import { diagnosedRecord as diagnosed, readinessRecord, triageRecord } from '../../support/triage-records';

const diagnosedRecord = (over: Partial<TriageRecord> = {}) => diagnosed('plain', over);

describe('what a status card offers, on every platform', () => {
  it('a walking triage offers re-check, next, skip, escalate and resolve; an escalated one cannot escalate again', () => {
    expect(walkActions(diagnosedRecord({ state: 'walking' }))).toEqual(['recheck', 'next', 'skip', 'escalate', 'resolve']);
    expect(walkActions(diagnosedRecord({ state: 'escalated' }))).toEqual(['recheck', 'next', 'skip', 'resolve']);
  });

  it('while the request is still being located only escalate and resolve make sense', () => {
    expect(walkActions(triageRecord({ state: 'locating' }))).toEqual(['escalate', 'resolve']);
  });

  it('a resolved or abandoned triage offers nothing', () => {
    expect(walkActions(diagnosedRecord({ state: 'resolved' }))).toEqual([]);
    expect(walkActions(diagnosedRecord({ state: 'abandoned' }))).toEqual([]);
  });

  it('the buttons act on the current step, else on the diagnosed one', () => {
    expect(focusStep(diagnosedRecord({ current: 'grant_policy' }))).toBe('grant_policy');
    expect(focusStep(diagnosedRecord({ current: null }))).toBe('requested_scopes');
    expect(focusStep(triageRecord())).toBeNull();
  });

  it('only a readiness-first triage without a symptom asks for one', () => {
    expect(needsSymptom(readinessRecord())).toBe(true);
    expect(needsSymptom(readinessRecord({ symptom: 'resource_denied' }))).toBe(false);
    expect(needsSymptom(diagnosedRecord())).toBe(false);
  });
});
