import { gatewayVerifierStep } from '../../../src/triage/steps/gateway-verifier';
import type { EvidenceFor } from '../../../src/triage/evidence-model';
import { RESOURCE, ctx, exchangeDeniedRow, failed, gatewayRow, healthyMetrics, located, notReady, ok, probes, replayRow, routedFrom, stsRow, traceOf, unconfigured } from '../support/builders';

type E = EvidenceFor<'location' | 'readiness' | 'metrics' | 'resources' | 'sessions' | 'authorityRecords'>;
const allowed = located(traceOf(stsRow({ decision: 'allow', status: 'complete' }), gatewayRow({ status: 200 })));
const base = (over: Partial<E> = {}): E => ({
  location: allowed,
  readiness: probes(),
  metrics: healthyMetrics,
  resources: ok([RESOURCE]),
  sessions: failed('not_relevant', undefined, 'not_applicable'),
  authorityRecords: failed('not_relevant', undefined, 'not_applicable'),
  ...over,
});
const withGateway = (m: Record<string, unknown>) => ({ ...healthyMetrics, gateway: ok(m) });

describe('gateway_verifier step', () => {
  it('passes when STS denied the exchange (the call never reached the Gateway)', () => {
    const r = gatewayVerifierStep.judge(base({ location: located(traceOf(stsRow({ decision: 'deny', status: 'complete' }), exchangeDeniedRow())) }), ctx({ symptom: 'token_exchange_denied' }));
    expect(r.verdict).toBe('pass');
  });

  it('passes when the Gateway passed the call and nothing points at it', () => {
    expect(gatewayVerifierStep.judge(base(), ctx()).verdict).toBe('pass');
  });

  it('fails with the Gateway readiness reason when the resource side is the symptom', () => {
    const r = gatewayVerifierStep.judge(base({ readiness: probes({ gateway: notReady('sts_unreachable') }) }), ctx({ symptom: 'resource_denied' }));
    expect(r).toMatchObject({ verdict: 'fail', cause: 'sts_unreachable' });
  });

  it('fails with the Gateway error kind of a failing Gateway row', () => {
    const t = located(traceOf(stsRow({ decision: 'allow', status: 'complete' }), gatewayRow({ status: 502, errorKind: 'upstream_timeout' })));
    expect(gatewayVerifierStep.judge(base({ location: t }), ctx()).cause).toBe('upstream_timeout');
  });

  it('for 401s with denial counters, names the code the caller got', () => {
    const r = gatewayVerifierStep.judge(
      base({ location: located(null), metrics: withGateway({ denials_bad_bearer: 9, denials_signature: 3, denials_revoked: 0 }) }),
      ctx({ symptom: 'unauthenticated', error: routedFrom('{"error":"invalid_token"}') }),
    );
    expect(r).toMatchObject({ verdict: 'fail', cause: 'invalid_token' });
    expect(r.summary).toContain('denials_bad_bearer=9');
    expect(r.evidence.confidence).toBe('medium');
  });

  it('without an error code, the largest denial counter is the cause', () => {
    const r = gatewayVerifierStep.judge(base({ location: located(null), metrics: withGateway({ denials_bad_routing: 2, denials_signature: 7 }) }), ctx({ symptom: 'resource_denied' }));
    expect(r.cause).toBe('gateway_denied_signature');
  });

  it('access after revocation: a stale snapshot fails on the revocation cause', () => {
    const r = gatewayVerifierStep.judge(
      base({ metrics: withGateway({ revocation_snapshot_fresh: 0, revocation_snapshot_age_seconds: 900, revocation_reload_errors: 0 }), authorityRecords: ok([{ authority_record_id: 'ar-1', status: 'revoked' }]) }),
      ctx({ symptom: 'access_after_revocation' }),
    );
    expect(r).toMatchObject({ verdict: 'fail', cause: 'revocation_snapshot_stale' });
    expect(r.evidence.revokedAuthorityRecords).toHaveLength(1);
  });

  it('access after revocation with healthy Gateway revocation: a person must check the resource server consumer', () => {
    const r = gatewayVerifierStep.judge(base(), ctx({ symptom: 'access_after_revocation' }));
    expect(r.verdict).toBe('manual');
    expect(r.summary).toContain('caracal.sessions.revoke');
  });

  it('without a Gateway, a resource-side symptom is manual (in-process verifier); otherwise unknown', () => {
    const noGateway = base({ readiness: probes({ gateway: unconfigured }), metrics: { ...healthyMetrics, gateway: failed('not_configured', undefined, 'not_configured') }, location: located(null) });
    expect(gatewayVerifierStep.judge(noGateway, ctx({ symptom: 'resource_denied' })).verdict).toBe('manual');
    expect(gatewayVerifierStep.judge(noGateway, ctx({ symptom: 'access_after_revocation' })).summary).toContain('caracal.sessions.revoke');
    expect(gatewayVerifierStep.judge(noGateway, ctx()).verdict).toBe('unknown');
  });

  describe('a Gateway that is not ready, once the call got past STS', () => {
    const stale = base({
      readiness: probes({ gateway: notReady('revocation_snapshot_stale') }),
      metrics: withGateway({ revocation_snapshot_fresh: 0, revocation_snapshot_age_seconds: 900, revocation_reload_errors: 6 }),
    });

    it('gets the same verdict with or without the symptom', () => {
      const without = gatewayVerifierStep.judge(stale, ctx());
      const withSymptom = gatewayVerifierStep.judge(stale, ctx({ symptom: 'access_after_revocation' }));
      expect(without).toMatchObject({ verdict: 'fail', cause: 'revocation_snapshot_stale' });
      expect(withSymptom).toMatchObject({ verdict: 'fail', cause: 'revocation_snapshot_stale' });
    });

    it('says revocations may not be applied, not that calls are rejected', () => {
      const r = gatewayVerifierStep.judge(stale, ctx());
      expect(r.summary).toMatch(/revocations may not be applied/);
      expect(r.summary).toContain('revocation_reload_errors=6');
      expect(r.summary).not.toMatch(/rejects calls/);
    });

    it('with only Gateway rows in the trace (no STS row) still judges the Gateway', () => {
      const onlyGateway = base({ location: located(traceOf(gatewayRow({ status: 200 }))), readiness: probes({ gateway: notReady('audit_evidence_lost') }) });
      expect(gatewayVerifierStep.judge(onlyGateway, ctx())).toMatchObject({ verdict: 'fail', cause: 'audit_evidence_lost' });
    });

    it('is not the cause when STS denied, whatever the symptom says', () => {
      const denied = base({
        location: located(traceOf(stsRow({ decision: 'deny', status: 'complete' }), exchangeDeniedRow())),
        readiness: probes({ gateway: notReady('sts_unreachable') }),
        metrics: withGateway({ denials_bad_bearer: 40 }),
      });
      for (const symptom of ['resource_denied', 'unauthenticated', null] as const) {
        expect(gatewayVerifierStep.judge(denied, ctx({ symptom })).verdict).toBe('pass');
      }
    });
  });

  it('an STS operation_not_permitted denial of a Gateway exchange fails here without any symptom', () => {
    const t = located(traceOf(stsRow({ decision: 'deny', status: 'operation_not_permitted', prePolicy: true }), exchangeDeniedRow()));
    expect(gatewayVerifierStep.judge(base({ location: t }), ctx())).toMatchObject({ verdict: 'fail', cause: 'operation_not_permitted' });
  });

  it('a replayed mandate fails replay_detected', () => {
    const t = located(traceOf(stsRow({ decision: 'allow', status: 'complete' }), gatewayRow({ status: 401, type: 'replay_detected' })));
    expect(gatewayVerifierStep.judge(base({ location: t }), ctx({ symptom: 'unauthenticated' })).cause).toBe('replay_detected');
  });

  describe('the Gateway’s replay denial (replay_detected, before any STS exchange)', () => {
    const replayed = located(traceOf(replayRow({ jti: 'jti-42' })));

    it('fails replay_detected with or without a symptom, naming the mandate', () => {
      for (const symptom of [null, 'resource_denied', 'unauthenticated', 'token_exchange_denied'] as const) {
        const r = gatewayVerifierStep.judge(base({ location: replayed, metrics: withGateway({ denials_jti_replay: 1 }) }), ctx({ symptom }));
        expect(r).toMatchObject({ verdict: 'fail', cause: 'replay_detected', evidence: { denials_jti_replay: 1, replay: { jti: 'jti-42', applicationId: 'app-1' } } });
        expect(r.summary).toContain('jti jti-42');
      }
    });

    it('needs no Gateway probe: the audit row is enough with only the Admin API configured', () => {
      const r = gatewayVerifierStep.judge(base({ location: replayed, readiness: probes({ gateway: unconfigured }), metrics: { ...healthyMetrics, gateway: failed('not_configured', undefined, 'not_configured') } }), ctx());
      expect(r).toMatchObject({ verdict: 'fail', cause: 'replay_detected' });
      expect(r.evidence).not.toHaveProperty('denials_jti_replay');
    });
  });

  it('is unknown when Gateway metrics are unavailable and nothing else says why', () => {
    const r = gatewayVerifierStep.judge(base({ location: located(null), metrics: { ...healthyMetrics, gateway: failed('http_401', 401) } }), ctx({ symptom: 'resource_denied' }));
    expect(r).toMatchObject({ verdict: 'unknown', cause: 'http_401' });
  });

  describe('the upstream refused a call STS allowed through the Gateway (use-exchange, requested_scopes [])', () => {
    const refused = located(traceOf(stsRow({ decision: 'allow', status: 'complete', scopes: [] }), gatewayRow({ status: 403, upstream: 403, method: 'GET' })));

    it("is the resource server's decision, not a scope STS minted (fails on the old code: a checklist, and the diagnosis went to requested_scopes)", () => {
      const r = gatewayVerifierStep.judge(base({ location: refused }), ctx({ symptom: 'resource_denied' }));
      expect(r).toMatchObject({ verdict: 'fail', cause: 'upstream_denied', evidence: { confidence: 'medium' } });
      expect(r.summary).toContain('the upstream answered 403');
      expect(r.summary).toContain('the resource server or its verifier refused it, not Caracal');
    });

    it('on a transport-uniform resource it says the trace cannot tell which scopes the mandate held (low confidence)', () => {
      const r = gatewayVerifierStep.judge(base({ location: refused, resources: ok([{ ...RESOURCE, operation_enforcement: 'transport_uniform' }]) }), ctx());
      expect(r).toMatchObject({ verdict: 'fail', cause: 'upstream_denied', evidence: { confidence: 'low' } });
      expect(r.summary).toContain('The trace cannot tell which scopes the mandate held');
    });

    it('when the request minted its scopes itself, requested scopes judges the refusal instead', () => {
      const minted = located(traceOf(stsRow({ decision: 'allow', status: 'complete', scopes: ['payments:read'] }), gatewayRow({ status: 403, upstream: 403, method: 'POST' })));
      expect(gatewayVerifierStep.judge(base({ location: minted }), ctx({ symptom: 'scope_insufficient_after_allow' })).cause).not.toBe('upstream_denied');
    });
  });
});
