/** TriageRecord fixtures for rendering and port tests, including hostile Caracal values. */
import type { TriageRecord } from '../../../src/triage/machine';
import { STEP_IDS, type StepResult } from '../../../src/triage/model';

export const REQUEST_ID = '0190a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b';
export const HOSTILE = '<!channel> <@U0ADMIN> <https://evil.example|click me> `tick` *bold* &amp; &lt;!here&gt;';

const base = (over: Partial<TriageRecord> = {}): TriageRecord => ({
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

function step(id: StepResult['id'], verdict: StepResult['verdict'], summary: string, evidence: Record<string, unknown> = {}, cause?: string): StepResult {
  return cause ? { id, verdict, summary, evidence, cause } : { id, verdict, summary, evidence };
}

export function diagnosedRecord(over: Partial<TriageRecord> = {}): TriageRecord {
  const steps = STEP_IDS.map((id, i) =>
    id === 'requested_scopes'
      ? step(id, 'fail', `Scope ${HOSTILE} is not defined on the resource`, { resource: HOSTILE, requested: ['read', HOSTILE] }, 'scope_mismatch')
      : step(id, i < 5 ? 'pass' : 'unknown', `Checked ${id}`),
  );
  return base({
    steps,
    symptom: 'token_exchange_denied',
    surface: 'resource_definition',
    diagnosis: {
      surface: 'resource_definition',
      step: 'requested_scopes',
      cause: 'scope_mismatch',
      summary: `Requested scope ${HOSTILE} is not defined on resource ${HOSTILE}`,
      confidence: 'high',
    },
    ...over,
  });
}

export function readinessRecord(over: Partial<TriageRecord> = {}): TriageRecord {
  return base({
    input: { requestId: null, zoneId: null, symptom: null, error: null },
    zoneId: null,
    steps: [step('readiness', 'pass', 'API, STS and Gateway are ready')],
    ...over,
  });
}

export function hugeEvidenceRecord(): TriageRecord {
  const rows = Array.from({ length: 2000 }, (_, i) => ({ id: `row-${i}`, note: `${HOSTILE} value ${i}`, blob: 'x'.repeat(40) }));
  const r = diagnosedRecord();
  r.steps = r.steps.map((s) => (s.id === 'request_trace' ? { ...s, summary: 'y'.repeat(10_000), evidence: { rows, single: 'z'.repeat(9000) } } : s));
  r.bundle = {
    redactions: 4,
    items: [
      { id: 'config_summary', status: 'ok', summary: 'ok '.repeat(2000), evidence: { rows } },
      { id: 'readiness', status: 'warn', summary: HOSTILE, evidence: {} },
      { id: 'zones', status: 'ok', summary: '2 zones', evidence: {} },
      { id: 'preflight', status: 'unavailable', summary: 'timed out', evidence: {} },
      { id: 'provider_binding', status: 'fail', summary: 'no binding', evidence: {} },
      { id: 'request_trace', status: 'ok', summary: 'found', evidence: { rows } },
    ],
  };
  r.history = Array.from({ length: 40 }, (_, i) => ({
    at: '2026-11-27T12:00:00.000Z',
    actor: { kind: 'user' as const, id: i % 2 ? 'U12345' : 'not-a-slack-id', name: HOSTILE },
    action: 'next step',
    step: 'grant_policy' as const,
  }));
  r.input.error = `${HOSTILE}${'e'.repeat(5000)}`;
  return r;
}
