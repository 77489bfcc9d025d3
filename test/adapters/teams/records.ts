/** TriageRecord fixtures for the Teams renderers and port, including hostile Caracal and user values. */
import type { TriageRecord } from '../../../src/triage/record';
import { STEP_IDS } from '../../../src/triage/model';
import { diagnosedRecord as sharedDiagnosed, stepResult as step } from '../../support/triage-records';

export { REQUEST_ID, readinessRecord } from '../../support/triage-records';
/** Markdown, links, entities, date functions, a bidi override and a zero-width space. */
export const HOSTILE = '**bold** _it_ [click](https://evil.example) <https://evil.example> `tick` &amp; {{DATE(2017-02-14T06:00:00Z, SHORT)}} \u202Eevil\u200B';

export const diagnosedRecord = (over: Partial<TriageRecord> = {}): TriageRecord => sharedDiagnosed(HOSTILE, over);

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
