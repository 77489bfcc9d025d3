import { requestTraceStep } from '../../../src/triage/steps/request-trace';
import type { EvidenceFor } from '../../../src/triage/evidence-model';
import { ctx, exchangeDeniedRow, failure, healthyMetrics, located, notReady, ok, probes, stsRow, traceOf } from '../support/builders';

type E = EvidenceFor<'location' | 'readiness' | 'metrics'>;
const base = (over: Partial<E> = {}): E => ({ location: located(null), readiness: probes(), metrics: healthyMetrics, ...over });

describe('request_trace step', () => {
  it('passes when found, naming the zone and the causal status', () => {
    const t = traceOf(stsRow({ decision: 'deny', status: 'scope_mismatch', prePolicy: true }), exchangeDeniedRow());
    const r = requestTraceStep.judge(base({ location: located(t) }), ctx());
    expect(r.verdict).toBe('pass');
    expect(r.summary).toContain('scope_mismatch');
    expect((r.evidence.trace as { deniedBy: { evaluationStatus: string } }).deniedBy.evaluationStatus).toBe('scope_mismatch');
  });

  it('not in any zone with healthy audit: request_not_found on surface unknown, low confidence, naming the usual reasons', () => {
    const r = requestTraceStep.judge(base(), ctx());
    expect(r).toMatchObject({ verdict: 'fail', cause: 'request_not_found' });
    expect(r.evidence).toMatchObject({ surface: 'unknown', confidence: 'low' });
    expect(r.summary).toMatch(/wrong zone/);
    expect(r.summary).toMatch(/never reached STS/);
    expect(r.summary).toMatch(/audit lag/);
  });

  it('not found and audit unhealthy, or the symptom is a missing audit event: audit pipeline', () => {
    const lagging = requestTraceStep.judge(base({ metrics: { ...healthyMetrics, audit: ok({ consumer_lag: 5000, dlq_size: 0 }) } }), ctx());
    expect(lagging.evidence.surface).toBe('audit_pipeline');
    const down = requestTraceStep.judge(base({ readiness: probes({ audit: notReady('consumer_unhealthy') }) }), ctx());
    expect(down.evidence.surface).toBe('audit_pipeline');
    const symptom = requestTraceStep.judge(base(), ctx({ symptom: 'no_audit_event' }));
    expect(symptom).toMatchObject({ verdict: 'fail', cause: 'request_not_found', evidence: { surface: 'audit_pipeline' } });
  });

  it('an empty trace is expected for Gateway 401s and resource-side 403s', () => {
    for (const symptom of ['unauthenticated', 'resource_denied'] as const) {
      const r = requestTraceStep.judge(base(), ctx({ symptom }));
      expect(r.verdict).toBe('unknown');
      expect(r.summary).toMatch(/write no audit events/);
    }
  });

  it('a zone that could not be searched makes it unknown, not "not found"', () => {
    const location = located(null, { attempts: [{ zoneId: 'zone-a', outcome: 'error', via: 'explain', error: failure('timeout', undefined, 'transport') }] });
    expect(requestTraceStep.judge(base({ location }), ctx())).toMatchObject({ verdict: 'unknown', cause: 'timeout' });
  });

  it('a search that could not run says why', () => {
    const location = located(null, { problem: { ...failure('admin_token_zone_mismatch', 403), message: 'the admin token is zone-scoped and cannot list zones; set CARACAL_ZONE_IDS or pass --zone.' } });
    const r = requestTraceStep.judge(base({ location }), ctx());
    expect(r).toMatchObject({ verdict: 'unknown', cause: 'admin_token_zone_mismatch' });
    expect(r.summary).toContain('CARACAL_ZONE_IDS');
  });

  it('no request ID: unknown, the triage starts from readiness', () => {
    expect(requestTraceStep.judge(base({ location: located(null, { requestId: null }) }), ctx({ requestId: null })).verdict).toBe('unknown');
  });
});
