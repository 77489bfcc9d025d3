import { requestedScopesStep } from '../../../src/triage/steps/requested-scopes';
import type { EvidenceFor } from '../../../src/triage/evidence-model';
import { RESOURCE, ctx, exchangeDeniedRow, explainOf, gatewayRow, located, ok, stsRow, traceOf } from '../support/builders';

type E = EvidenceFor<'location' | 'resources'>;
const judge = (trace: ReturnType<typeof traceOf>, c = ctx(), resources = ok([RESOURCE])) => requestedScopesStep.judge({ location: located(trace), resources } as E, c);

describe('requested_scopes step', () => {
  it('fails scope_mismatch naming the undefined scope and what it probably meant', () => {
    const r = judge(traceOf(stsRow({ decision: 'deny', status: 'scope_mismatch', prePolicy: true, scopes: ['payments:wirte'] }), exchangeDeniedRow()));
    expect(r).toMatchObject({ verdict: 'fail', cause: 'scope_mismatch' });
    expect(r.summary).toBe(
      'STS denied the exchange because `payments:wirte` is not a scope of resource://payments (did you mean `payments:write`?); fix the scope the SDK requests or add it to the resource.',
    );
  });

  it('fails scope_mismatch from the evaluation status when the row does not record the scopes', () => {
    const r = judge(explainOf(stsRow({ decision: 'deny', status: 'scope_mismatch', prePolicy: true }), exchangeDeniedRow()));
    expect(r).toMatchObject({ verdict: 'fail', cause: 'scope_mismatch' });
    expect(r.summary).toMatch(/does not record which/);
  });

  it('fails scope_mismatch when a requested scope is undefined even without that status', () => {
    expect(judge(traceOf(stsRow({ decision: 'deny', status: 'complete', scopes: ['payments:admin'] }))).cause).toBe('scope_mismatch');
  });

  it('after an allow, a refused operation that needs a scope the mandate lacks is operation_scope_not_granted', () => {
    const t = traceOf(stsRow({ decision: 'allow', status: 'complete', scopes: ['payments:read'] }), gatewayRow({ status: 403, upstream: 403, method: 'POST' }));
    const r = judge(t);
    expect(r).toMatchObject({ verdict: 'fail', cause: 'operation_scope_not_granted' });
    expect(r.summary).toContain('POST /v1/payments');
    expect(r.summary).toContain('`payments:write`');
  });

  it('after an allow with a successful call, unused operations needing more scopes are not a finding', () => {
    const t = traceOf(stsRow({ decision: 'allow', status: 'complete', scopes: ['payments:read'] }), gatewayRow({ status: 200, method: 'GET' }));
    expect(judge(t).verdict).toBe('pass');
  });

  it('the symptom alone is enough to compare operations; if they agree only a person can check the verifier', () => {
    const t = traceOf(stsRow({ decision: 'allow', status: 'complete', scopes: ['payments:read', 'payments:write'] }));
    expect(judge(t, ctx({ symptom: 'scope_insufficient_after_allow' })).verdict).toBe('manual');
  });

  it('passes when every requested scope is defined', () => {
    expect(judge(traceOf(stsRow({ decision: 'deny', status: 'complete', scopes: ['payments:read', 'payments:write'] }))).verdict).toBe('pass');
  });

  it('is unknown without a trace or for a resource the zone does not have', () => {
    expect(requestedScopesStep.judge({ location: located(null), resources: ok([RESOURCE]) }, ctx()).verdict).toBe('unknown');
    expect(judge(traceOf(stsRow({ decision: 'deny', status: 'resource_not_found', resource: 'resource://nope', prePolicy: true })), ctx()).verdict).toBe('unknown');
  });

  describe("a call through the Gateway: its use-exchange asks for no scopes (requested_scopes [])", () => {
    const useExchange = () => stsRow({ decision: 'allow', status: 'complete', scopes: [] });

    it('on an enforced resource STS checked the operation scope, so the scope is not blamed (fails on the old code: operation_scope_not_granted, "STS minted  but")', () => {
      const r = judge(traceOf(useExchange(), gatewayRow({ status: 403, upstream: 403, method: 'GET' })));
      expect(r.verdict).toBe('pass');
      expect(r.summary).toContain("The Gateway's exchange for this call asks for no scopes, and STS allowed it");
      expect(r.summary).toContain('GET /v1/payments needs `payments:read`');
      expect(r.summary).not.toMatch(/STS minted/);
    });

    it('on a transport-uniform resource the trace cannot tell which scopes the mandate held, and says so', () => {
      const uniform = ok([{ ...RESOURCE, operation_enforcement: 'transport_uniform' }]);
      const r = judge(traceOf(useExchange(), gatewayRow({ status: 403, upstream: 403, method: 'POST' })), ctx(), uniform);
      expect(r).toMatchObject({ verdict: 'unknown', cause: 'mandate_scopes_not_recorded' });
      expect(r.summary).toContain('the trace cannot tell which scopes the mandate held (POST /v1/payments needs `payments:write`)');
    });

    it('an allowed use-exchange the resource did not refuse passes without an empty scope list', () => {
      const r = judge(traceOf(useExchange(), gatewayRow({ status: 200, upstream: 200 })));
      expect(r.verdict).toBe('pass');
      expect(r.summary).toContain("the Gateway's exchange asks for none");
      expect(r.summary).not.toMatch(/Requested {2}|``/);
    });
  });
});
