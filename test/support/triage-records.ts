/** TriageRecord fixtures shared by the platforms' rendering and port tests; each platform brings its own hostile text. */
import type { TriageRecord } from '../../src/triage/record';
import { STEP_IDS, type StepResult } from '../../src/triage/model';

export const REQUEST_ID = '0190a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b';

export const triageRecord = (over: Partial<TriageRecord> = {}): TriageRecord => ({
  id: 'tri-01jdxyz0123456789abcdefghj',
  version: 3,
  state: 'routed',
  input: { requestId: REQUEST_ID, zoneId: null, symptom: null, error: null },
  zoneId: 'zone-prod',
  steps: [],
  pending: [],
  current: null,
  symptom: null,
  surface: null,
  diagnosis: null,
  bundle: null,
  history: [{ at: '2026-11-27T12:00:00.000Z', actor: { kind: 'system', id: 'caracal-triage' }, action: 'started' }],
  createdAt: '2026-11-27T12:00:00.000Z',
  updatedAt: '2026-11-27T12:00:05.000Z',
  ...over,
});

export function stepResult(id: StepResult['id'], verdict: StepResult['verdict'], summary: string, evidence: Record<string, unknown> = {}, cause?: string): StepResult {
  return cause ? { id, verdict, summary, evidence, cause } : { id, verdict, summary, evidence };
}

/** Diagnosed at step 5 (requested scopes), with `hostile` in every value Caracal supplies. */
export function diagnosedRecord(hostile: string, over: Partial<TriageRecord> = {}): TriageRecord {
  const steps = STEP_IDS.map((id, i) =>
    id === 'requested_scopes'
      ? stepResult(id, 'fail', `Scope ${hostile} is not defined on the resource`, { resource: hostile, requested: ['read', hostile] }, 'scope_mismatch')
      : stepResult(id, i < 5 ? 'pass' : 'unknown', `Checked ${id}`),
  );
  return triageRecord({
    steps,
    symptom: 'token_exchange_denied',
    surface: 'resource_definition',
    diagnosis: {
      surface: 'resource_definition',
      step: 'requested_scopes',
      cause: 'scope_mismatch',
      summary: `Requested scope ${hostile} is not defined on resource ${hostile}`,
      confidence: 'high',
    },
    ...over,
  });
}

export function readinessRecord(over: Partial<TriageRecord> = {}): TriageRecord {
  return triageRecord({
    input: { requestId: null, zoneId: null, symptom: null, error: null },
    zoneId: null,
    steps: [stepResult('readiness', 'pass', 'API, STS and Gateway are ready')],
    ...over,
  });
}
