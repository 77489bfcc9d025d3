/** TriageRecord fixtures for rendering and port tests, including hostile Caracal values. */
import type { TriageRecord } from '../../../src/triage/record';
import { diagnosedRecord as sharedDiagnosed } from '../../support/triage-records';

export { REQUEST_ID, readinessRecord } from '../../support/triage-records';
export const HOSTILE = '<!channel> <@U0ADMIN> <https://evil.example|click me> `tick` *bold* &amp; &lt;!here&gt;';

export const diagnosedRecord = (over: Partial<TriageRecord> = {}): TriageRecord => sharedDiagnosed(HOSTILE, over);

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
