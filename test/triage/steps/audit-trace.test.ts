import { auditTraceStep } from '../../../src/triage/steps/audit-trace';
import type { EvidenceFor } from '../../../src/triage/evidence-model';
import { ctx, exchangeDeniedRow, failed, healthyMetrics, located, notReady, ok, probes, stsRow, traceOf, unconfigured } from '../support/builders';

type E = EvidenceFor<'location' | 'readiness' | 'metrics'>;
const base = (over: Partial<E> = {}): E => ({ location: located(null), readiness: probes(), metrics: healthyMetrics, ...over });
const auditMetrics = (m: Record<string, unknown>) => ({ ...healthyMetrics, audit: ok({ consumer_lag: 0, dlq_size: 0, tamper_mismatch_total: 0, tamper_chain_breaks: 0, ...m }) });

describe('audit_trace step', () => {
  it('passes with the final decision and diagnostics when audit has the request', () => {
    const t = traceOf(stsRow({ decision: 'deny', status: 'complete', diagnostics: [{ reason: 'default_deny' }] }), exchangeDeniedRow());
    const r = auditTraceStep.judge(base({ location: located(t) }), ctx());
    expect(r.verdict).toBe('pass');
    expect(r.summary).toContain('deny');
    expect(r.summary).toContain('default_deny');
  });

  it('a trail read from a store with tamper evidence is in doubt, even for an allowed request', () => {
    const allowed = located(traceOf(stsRow({ decision: 'allow', status: 'complete' })));
    const r = auditTraceStep.judge(base({ location: allowed, metrics: auditMetrics({ tamper_mismatch_total: 3 }) }), ctx());
    expect(r).toMatchObject({ verdict: 'fail', cause: 'audit_tamper_detected' });
    expect(r.summary).toContain('final decision allow');
    expect(r.summary).toContain('tamper_mismatch_total=3');
    // Lag or a DLQ does not make a trail that is present doubtful.
    expect(auditTraceStep.judge(base({ location: allowed, metrics: auditMetrics({ consumer_lag: 5000, dlq_size: 4 }) }), ctx()).verdict).toBe('pass');
  });

  it('when absent, fails with the Audit readiness reason', () => {
    expect(auditTraceStep.judge(base({ readiness: probes({ audit: notReady('audit_lag_threshold') }) }), ctx({ symptom: 'no_audit_event' }))).toMatchObject({
      verdict: 'fail',
      cause: 'audit_lag_threshold',
    });
  });

  it.each([
    [{ tamper_chain_breaks: 1, consumer_lag: 5000 }, 'audit_tamper_detected'],
    [{ consumer_lag: 1001 }, 'audit_consumer_lag'],
    [{ dlq_size: 3 }, 'audit_dlq_nonempty'],
  ])('when absent and Audit is ready, metrics %p fail with %s', (m, cause) => {
    expect(auditTraceStep.judge(base({ metrics: auditMetrics(m) }), ctx()).cause).toBe(cause);
  });

  it('a lag of exactly 1000 is under the Doctor threshold', () => {
    expect(auditTraceStep.judge(base({ metrics: auditMetrics({ consumer_lag: 1000 }) }), ctx()).verdict).toBe('pass');
  });

  it('is unknown when Audit is not configured or its metrics are unavailable', () => {
    expect(auditTraceStep.judge(base({ readiness: probes({ audit: unconfigured }) }), ctx())).toMatchObject({ verdict: 'unknown', cause: 'not_configured' });
    expect(auditTraceStep.judge(base({ metrics: { ...healthyMetrics, audit: failed('timeout', undefined, 'transport') } }), ctx())).toMatchObject({ verdict: 'unknown', cause: 'timeout' });
  });

  it('without a request ID it only checks the pipeline when audit events are the symptom', () => {
    const none = base({ location: located(null, { requestId: null }) });
    expect(auditTraceStep.judge(none, ctx({ requestId: null })).verdict).toBe('unknown');
    expect(auditTraceStep.judge({ ...none, metrics: auditMetrics({ dlq_size: 2 }) }, ctx({ requestId: null, symptom: 'no_audit_event' })).cause).toBe('audit_dlq_nonempty');
  });
});
