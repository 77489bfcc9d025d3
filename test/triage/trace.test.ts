import { causalDenial, isUseExchange, mintedScopes, replayDenial, ranWithoutActivePolicySet, readDiagnostics, stsDecision, traceFromExplain, traceFromRows, type DecisionTraceInput, type AuditRowInput } from '../../src/triage/trace';
import { exchangeDeniedRow, explainOf, fixture, gatewayRow, replayRow, stsRow, traceOf } from './support/builders';

describe('trace from the captured explain fixture', () => {
  const trace = traceFromExplain(fixture<DecisionTraceInput>('api-audit-explain.deny.json'));

  it('names the policy decision as the cause, not the exchange_denied entry that comes last', () => {
    const cause = causalDenial(trace)!;
    expect(cause.id).toBe('evt-1');
    expect(cause.evaluationStatus).toBe('complete');
    expect(cause.diagnostics).toEqual([{ code: 'scope_not_granted', message: 'payments:write not granted' }]);
    expect(cause.resource).toBe('resource://payments');
    expect(cause.requestedScopes).toEqual(['payments:write']);
    expect(cause.policySetVersionId).toBe('psv-1');
  });

  it('marks the exchange_denied entry as a summary', () => {
    expect(trace.denied.map((d) => d.isExchangeSummary)).toEqual([false, true]);
  });
});

describe('trace from audit rows (the list answers newest first)', () => {
  it('rebuilds the same cause and final decision from the fixture rows in either order', () => {
    const rows = fixture<AuditRowInput[]>('api-audit-by-request.json');
    for (const ordered of [rows, [...rows].reverse()]) {
      const t = traceFromRows('z', 'req-demo-1', ordered);
      expect(t.finalDecision).toBe('deny');
      expect(causalDenial(t)?.id).toBe('evt-1');
      expect(t.source).toBe('audit_list');
    }
  });

  it('final decision is the last event when nothing was denied', () => {
    const t = traceOf(stsRow({ decision: 'allow', status: 'complete' }), gatewayRow({ status: 200 }));
    expect(t.finalDecision).toBe('allow');
    expect(causalDenial(t)).toBeNull();
    expect(stsDecision(t)?.decision).toBe('allow');
    expect(mintedScopes(t)).toEqual(['payments:read']);
  });

  it("the Gateway's use-exchange (requested_scopes []) mints nothing this trace can name (fails on the old code: [])", () => {
    const t = traceOf(stsRow({ decision: 'allow', status: 'complete', scopes: [] }), gatewayRow({ status: 403, upstream: 403 }));
    expect(mintedScopes(t)).toBeNull();
    expect(isUseExchange(stsDecision(t)!)).toBe(true);
  });
});

describe('real Go STS rows', () => {
  it('reads {reason} diagnostics and treats empty strings as absent', () => {
    const t = traceOf(stsRow({ decision: 'deny', status: 'complete', diagnostics: [{ reason: 'no_active_policy_set' }], manifestSha: 'no_active_policy_set', versionId: '' }), exchangeDeniedRow());
    const cause = causalDenial(t)!;
    expect(cause.diagnostics).toEqual([{ code: 'no_active_policy_set', message: null }]);
    expect(cause.policySetVersionId).toBeNull();
    expect(ranWithoutActivePolicySet(cause)).toBe(true);
  });

  it('a pre-policy row without requested scopes says so (null), even though explain rebuilds []', () => {
    const t = explainOf(stsRow({ decision: 'deny', status: 'scope_mismatch', prePolicy: true }), exchangeDeniedRow());
    const cause = causalDenial(t)!;
    expect(cause.evaluationStatus).toBe('scope_mismatch');
    expect(cause.requestedScopes).toBeNull();
    expect(cause.diagnostics).toEqual([]);
  });

  it('with two real denials and the summary, the earliest real denial holds the cause', () => {
    const first = stsRow({ decision: 'deny', status: 'rate_limited', prePolicy: true, t: 1 });
    const second = stsRow({ decision: 'deny', status: 'complete', diagnostics: [{ reason: 'default_deny' }], t: 2 });
    const t = traceOf(exchangeDeniedRow(3), second, first);
    expect(causalDenial(t)?.id).toBe(first.id);
  });

  it('an exchange_denied row is recognised by its shape even under another status', () => {
    const row = { ...exchangeDeniedRow(), evaluation_status: '' };
    const t = traceOf(row, stsRow({ decision: 'deny', status: 'scope_mismatch', prePolicy: true }));
    expect(causalDenial(t)?.evaluationStatus).toBe('scope_mismatch');
  });

  it('reads hand-seeded rows in the interop spelling (token.exchange, upper-case decision) like STS rows', () => {
    const allow = { ...stsRow({ decision: 'allow', status: 'complete', scopes: ['payments:read'] }), event_type: 'token.exchange', decision: 'ALLOW' };
    const t = traceOf(allow);
    expect(stsDecision(t)).toMatchObject({ eventType: 'token_exchange', decision: 'allow' });
    expect(mintedScopes(t)).toEqual(['payments:read']);
  });

  it('reads Gateway outcomes', () => {
    const t = traceOf(stsRow({ decision: 'allow', status: 'complete' }), gatewayRow({ status: 502, errorKind: 'sts_unreachable' }));
    expect(t.events[1]!.gateway).toEqual({ method: 'GET', status: 502, upstreamStatus: null, resultClass: null, errorKind: 'sts_unreachable' });
  });
});

describe('readDiagnostics', () => {
  it('reads both shapes and ignores what it cannot read', () => {
    expect(readDiagnostics([{ code: 'a', message: 'm' }, { reason: 'b' }, 'c', { code: '' }, 42, null])).toEqual([
      { code: 'a', message: 'm' },
      { code: 'b', message: null },
      { code: 'c', message: null },
    ]);
    expect(readDiagnostics(null)).toEqual([]);
  });
});

describe('the Gateway’s replay denial', () => {
  it('is the causal denial of its trace but not STS’s decision; it names the mandate, resource and application', () => {
    for (const t of [traceOf(replayRow({ jti: 'jti-9' })), explainOf(replayRow({ jti: "jti-9" }))]) {
      expect(causalDenial(t)).toMatchObject({ eventType: 'replay_detected', evaluationStatus: 'anomaly' });
      expect(stsDecision(t)).toBeNull();
      expect(replayDenial(t)).toMatchObject({ resource: 'resource://payments', applicationId: 'app-1', replay: { jti: 'jti-9', subjectFingerprint: 'sha256:5f1c0e2a' } });
    }
  });

  it('leaves an STS denial in the same trace as STS’s decision', () => {
    const t = traceOf(replayRow({ t: 5 }), stsRow({ decision: 'deny', status: 'complete' }), exchangeDeniedRow());
    expect(stsDecision(t)).toMatchObject({ eventType: 'token_exchange', decision: 'deny' });
  });
});
