/** TriageRecord fixtures for the Teams renderers and port, including hostile Caracal and user values. */
import type { TriageRecord } from '../../../src/triage/machine';
import { STEP_IDS, type StepResult } from '../../../src/triage/model';

export const REQUEST_ID = '0190a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b';
/** Markdown, links, entities, date functions, a bidi override and a zero-width space. */
export const HOSTILE = '**bold** _it_ [click](https://evil.example) <https://evil.example> `tick` &amp; {{DATE(2017-02-14T06:00:00Z, SHORT)}} \u202Eevil\u200B';

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

/** Long Caracal strings everywhere: every summary, every step's evidence, the history, the error, the bundle. */
export function worstCaseRecord(): TriageRecord {
  const long = (n: number) => `${HOSTILE} ${'ü'.repeat(n)}`;
  const rows = Array.from({ length: 2000 }, (_, i) => ({ id: `row-${i}`, note: `${HOSTILE} value ${i}`, blob: 'x'.repeat(40) }));
  const r = diagnosedRecord();
  r.input.requestId = `req-${'Z'.repeat(124)}`;
  r.zoneId = `zone-${'q'.repeat(123)}`;
  r.steps = STEP_IDS.map((id) => step(id, 'fail', long(5000), { rows, single: 'z'.repeat(9000), hostile: HOSTILE }, `cause_${'c'.repeat(300)}`));
  r.diagnosis = { surface: 'resource_definition', step: 'requested_scopes', cause: `c${'x'.repeat(500)}`, summary: long(10_000), confidence: 'low' };
  r.bundle = {
    redactions: 4,
    items: (['config_summary', 'readiness', 'zones', 'preflight', 'provider_binding', 'request_trace'] as const).map((id) => ({
      id,
      status: 'warn' as const,
      summary: long(3000),
      evidence: { rows },
    })),
  };
  r.history = Array.from({ length: 40 }, (_, i) => ({
    at: '2026-11-27T12:00:00.000Z',
    actor: { kind: 'user' as const, id: `aad-${i}`, name: long(500) },
    action: long(500),
    step: 'grant_policy' as const,
  }));
  r.input.error = long(5000);
  r.history.push({ at: '2026-11-27T12:00:00.000Z', actor: { kind: 'user', id: 'aad-x', name: HOSTILE }, action: 'next step' });
  return r;
}
