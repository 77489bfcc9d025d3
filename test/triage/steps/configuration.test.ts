import { configurationStep } from '../../../src/triage/steps/configuration';
import type { EvidenceFor } from '../../../src/triage/evidence-model';
import { RESOURCE, ZONE, ctx, exchangeDeniedRow, failed, located, ok, routedFrom, stsRow, traceOf } from '../support/builders';

type E = EvidenceFor<'location' | 'zone' | 'resources' | 'archivedResources' | 'application' | 'zoneApplications' | 'zoneOverviews'>;
const base = (over: Partial<E> = {}): E => ({
  location: located(traceOf(stsRow({ decision: 'deny', status: 'complete' }))),
  zone: ok({ id: ZONE, name: 'Triage Demo' }),
  resources: ok([RESOURCE]),
  archivedResources: failed('not_relevant', undefined, 'not_applicable'),
  application: ok({ id: 'app-1', name: 'Anton', expires_at: null }),
  zoneApplications: failed('not_relevant', undefined, 'not_applicable'),
  zoneOverviews: failed('not_relevant', undefined, 'not_applicable'),
  ...over,
});

describe('configuration step', () => {
  it('passes when the zone, resource and application are fine', () => {
    const r = configurationStep.judge(base(), ctx());
    expect(r.verdict).toBe('pass');
    expect(r.summary).toContain('resource://payments is registered');
  });

  it('fails resource_not_found from the evaluation status, with a did-you-mean', () => {
    const trace = traceOf(stsRow({ decision: 'deny', status: 'resource_not_found', resource: 'resource://payment', prePolicy: true }), exchangeDeniedRow());
    const r = configurationStep.judge(base({ location: located(trace) }), ctx());
    expect(r).toMatchObject({ verdict: 'fail', cause: 'resource_not_found' });
    expect(r.summary).toContain('resource://payment ');
    expect(r.summary).toContain('did you mean resource://payments?');
  });

  it('fails resource_not_found when the identifier is not among the zone’s resources even without that status', () => {
    const trace = traceOf(stsRow({ decision: 'deny', status: 'complete', resource: 'resource://ledger' }));
    expect(configurationStep.judge(base({ location: located(trace) }), ctx()).cause).toBe('resource_not_found');
  });

  it('resource_not_found for an archived resource says it was archived, not that it never existed', () => {
    const trace = traceOf(stsRow({ decision: 'deny', status: 'resource_not_found', prePolicy: true }), exchangeDeniedRow());
    const r = configurationStep.judge(base({ location: located(trace), resources: ok([{ ...RESOURCE, archived_at: '2026-11-20T00:00:00Z' }]) }), ctx());
    expect(r).toMatchObject({ verdict: 'fail', cause: 'resource_archived' });
    expect(r.summary).toContain('was archived at 2026-11-20T00:00:00Z');
  });

  it('finds the archived resource in the archived list the active list hides, and says restore it (fails on the old code: "register the resource")', () => {
    const trace = traceOf(stsRow({ decision: 'deny', status: 'resource_not_found', prePolicy: true }), exchangeDeniedRow());
    const others = ok([{ ...RESOURCE, id: 'res-inv', identifier: 'resource://invoices' }]);
    const r = configurationStep.judge(base({ location: located(trace), resources: others, archivedResources: ok([{ ...RESOURCE, archived_at: '2026-11-20T00:00:00Z' }]) }), ctx());
    expect(r).toMatchObject({ verdict: 'fail', cause: 'resource_archived' });
    expect(r.summary).toContain('resource://payments was archived at 2026-11-20T00:00:00Z');
    expect(r.summary).toContain('restore it');
    expect(r.summary).not.toMatch(/register the resource/);
  });

  it('when the archived list cannot be read, "not a resource" says it may be archived', () => {
    const trace = traceOf(stsRow({ decision: 'deny', status: 'resource_not_found', prePolicy: true }), exchangeDeniedRow());
    const r = configurationStep.judge(base({ location: located(trace), resources: ok([]), archivedResources: failed('timeout', undefined, 'transport') }), ctx());
    expect(r).toMatchObject({ verdict: 'fail', cause: 'resource_not_found' });
    expect(r.summary).toContain('it may be archived');
  });

  it('an allowed request whose application never expires says it is current, not "expired since (at null)" (fails on the old code)', () => {
    const allowed = located(traceOf(stsRow({ decision: 'allow', status: 'complete', t: 10 })));
    const r = configurationStep.judge(base({ location: allowed, application: ok({ id: 'app-1', name: 'Anton', expires_at: null }) }), ctx());
    expect(r.verdict).toBe('pass');
    expect(r.summary).toContain('application Anton is current');
    expect(r.summary).not.toMatch(/expired|null/);
    const later = configurationStep.judge(base({ location: allowed, application: ok({ id: 'app-1', name: 'Anton', expires_at: '2027-06-01T00:00:00Z' }) }), ctx());
    expect(later.summary).toContain('application Anton is current');
  });

  it('fails zone_not_found for a given zone that does not exist', () => {
    const r = configurationStep.judge(base({ location: located(null, { zoneId: 'zone-x', zoneSource: 'given' }), zone: failed('zone_not_found', 404) }), ctx({ zoneId: 'zone-x' }));
    expect(r).toMatchObject({ verdict: 'fail', cause: 'zone_not_found' });
  });

  it('fails application_expired when the application expired before now', () => {
    const r = configurationStep.judge(base({ application: ok({ id: 'app-1', name: 'Anton', expires_at: '2026-11-01T00:00:00Z' }) }), ctx());
    expect(r).toMatchObject({ verdict: 'fail', cause: 'application_expired' });
    expect(configurationStep.judge(base({ application: ok({ id: 'app-1', expires_at: '2027-01-01T00:00:00Z' }) }), ctx()).verdict).toBe('pass');
  });

  it('an application that expired after it was allowed is not why that request passed, only a note', () => {
    const allowed = located(traceOf(stsRow({ decision: 'allow', status: 'complete', t: 10 })));
    const r = configurationStep.judge(base({ location: allowed, application: ok({ id: 'app-1', name: 'Anton', expires_at: '2026-11-27T23:00:00Z' }) }), ctx());
    expect(r.verdict).toBe('pass');
    expect(r.summary).toContain('has expired since');
  });

  describe('a 401 that left no audit row', () => {
    const apps = (expiresAt: string | null) =>
      ok([
        { zoneId: 'zone-a', application: { id: 'app-0', name: 'Berta', expires_at: null } },
        { zoneId: ZONE, application: { id: 'app-1', name: 'Anton', expires_at: expiresAt } },
      ]);
    const untraced = (expiresAt: string | null) => base({ location: located(null), zoneApplications: apps(expiresAt) });
    const sts401 = ctx({ symptom: 'unauthenticated', error: routedFrom('401 {"error":"access_denied","error_description":"invalid client credentials"}') });

    it('with an expired application in the zones searched: application_expired, naming it and its zone', () => {
      const r = configurationStep.judge(untraced('2026-11-20T00:00:00Z'), sts401);
      expect(r).toMatchObject({ verdict: 'fail', cause: 'application_expired', evidence: { confidence: 'medium' } });
      expect(r.summary).toContain(`Anton (zone ${ZONE}, expired at 2026-11-20T00:00:00Z)`);
    });

    it('with no expired application: not this step’s finding', () => {
      expect(configurationStep.judge(untraced(null), sts401).verdict).not.toBe('fail');
    });

    const overviews = (expiredInZone: number) =>
      ok([
        { zoneId: 'zone-a', overview: { zone_id: 'zone-a', applications: { total: 1, expired: 0, expiring_soon: 0 } } },
        { zoneId: ZONE, overview: { zone_id: ZONE, applications: { total: 1, expired: expiredInZone, expiring_soon: 0 } } },
      ]);

    it('the zone overview confirming the expired application makes it high confidence, with the counts as evidence', () => {
      const r = configurationStep.judge({ ...untraced('2026-11-20T00:00:00Z'), zoneOverviews: overviews(1) }, sts401);
      expect(r).toMatchObject({ verdict: 'fail', cause: 'application_expired', evidence: { confidence: 'high', overviewExpired: { 'zone-a': 0, [ZONE]: 1 } } });
    });

    it('the overview alone is enough when the applications cannot be listed', () => {
      const r = configurationStep.judge(base({ location: located(null), zoneApplications: failed('admin_token_read_only', 403), zoneOverviews: overviews(1) }), sts401);
      expect(r).toMatchObject({ verdict: 'fail', cause: 'application_expired', evidence: { confidence: 'medium' } });
      expect(r.summary).toContain(`zone ${ZONE} counts 1 expired application`);
      expect(r.summary).toContain('could not be listed');
    });

    it('an overview that counts none expired outweighs our own clock', () => {
      expect(configurationStep.judge({ ...untraced('2026-11-20T00:00:00Z'), zoneOverviews: overviews(0) }, sts401).verdict).not.toBe('fail');
    });

    it('the pasted STS body without a status routes the same way', () => {
      const bodyOnly = ctx({ symptom: 'unauthenticated', error: routedFrom('{"error":"access_denied","error_description":"invalid client credentials"}') });
      expect(configurationStep.judge({ ...untraced('2026-11-20T00:00:00Z'), zoneOverviews: overviews(1) }, bodyOnly)).toMatchObject({ verdict: 'fail', cause: 'application_expired' });
    });

    it('a Gateway 401 (invalid_token) is a token problem, not the application', () => {
      const gateway401 = ctx({ symptom: 'unauthenticated', error: routedFrom('401 invalid_token') });
      expect(configurationStep.judge(untraced('2026-11-20T00:00:00Z'), gateway401).verdict).not.toBe('fail');
    });
  });

  it('is unknown without a zone, and manual with the SDK profile checklist for a config error', () => {
    const none = base({ location: located(null) });
    expect(configurationStep.judge(none, ctx()).verdict).toBe('unknown');
    const r = configurationStep.judge(none, ctx({ symptom: 'config_error' }));
    expect(r.verdict).toBe('manual');
    for (const v of ['CARACAL_WORKLOAD_ID', 'CARACAL_STS_URL', 'CARACAL_ZONE_URL', 'CARACAL_ENV']) expect(r.summary).toContain(v);
  });

  it('is unknown, with the reason, when resources cannot be read', () => {
    const r = configurationStep.judge(base({ resources: failed('timeout', undefined, 'transport') }), ctx());
    expect(r).toMatchObject({ verdict: 'unknown', cause: 'timeout' });
  });
});
