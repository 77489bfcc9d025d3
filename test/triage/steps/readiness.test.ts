import { readinessStep } from '../../../src/triage/steps/readiness';
import { ctx, notReady, probes, unconfigured } from '../support/builders';

const judge = (p: ReturnType<typeof probes>) => readinessStep.judge({ readiness: p }, ctx());

describe('readiness step', () => {
  it('passes when every configured service is ready, naming the ones not probed', () => {
    const r = judge(probes({ coordinator: unconfigured, audit: unconfigured }));
    expect(r.verdict).toBe('pass');
    expect(r.summary).toMatch(/Not configured, so not probed: audit, coordinator/);
  });

  it('fails with the reason a service reports', () => {
    const r = judge(probes({ sts: notReady('postgres_unreachable') }));
    expect(r).toMatchObject({ verdict: 'fail', cause: 'postgres_unreachable' });
    expect(r.summary).toContain('sts');
  });

  it('reads as English whether one service or several fail', () => {
    expect(judge(probes({ sts: notReady('postgres_unreachable') })).summary).toMatch(/^Not ready: sts reports `postgres_unreachable`/);
    expect(judge(probes({ sts: notReady('postgres_unreachable'), audit: notReady('postgres_unreachable') })).summary).toMatch(/^Not ready: sts, audit report `postgres_unreachable`/);
    expect(judge(probes({ api: { ok: false, status: undefined, reason: 'unreachable' } })).summary).toMatch(/^Not ready: api is unreachable/);
    expect(judge(probes({ gateway: { ok: false, status: 503, reason: 'timeout' } })).summary).toMatch(/whether gateway \(timeout\) is ready; the others are ready/);
  });

  it('API /ready 500 alone is a probable Redis outage (medium confidence)', () => {
    const r = judge(probes({ api: { ok: false, status: 500, reason: 'internal_error' } }));
    expect(r).toMatchObject({ verdict: 'fail', cause: 'redis_unreachable' });
    expect(r.summary).toMatch(/probably means Redis is down/);
    expect(r.evidence.confidence).toBe('medium');
  });

  it('when several services fail, a reported shared dependency is the cause, whatever the order', () => {
    const r = judge(
      probes({
        api: { ok: false, status: 500, reason: 'internal_error' },
        gateway: notReady('sts_unavailable'),
        audit: notReady('redis_unreachable'),
      }),
    );
    expect(r.cause).toBe('redis_unreachable');
    expect(r.evidence.confidence).toBe('high');
    expect(r.summary).toMatch(/gateway \(sts_unavailable\)/);
  });

  it('an unreachable API is a failure of the API, not an exception', () => {
    const r = judge(probes({ api: { ok: false, status: undefined, reason: 'unreachable' } }));
    expect(r).toMatchObject({ verdict: 'fail', cause: 'api_unreachable' });
  });

  it('a timeout or a bad body is unknown, not a failure', () => {
    expect(judge(probes({ gateway: { ok: false, status: undefined, reason: 'timeout', ms: 3000 } }))).toMatchObject({ verdict: 'unknown', cause: 'timeout' });
    expect(judge(probes({ audit: { ok: false, status: 200, reason: 'bad_body' } }))).toMatchObject({ verdict: 'unknown', cause: 'bad_body' });
  });

  it('a real failure outranks another service timing out', () => {
    const r = judge(probes({ gateway: { ok: false, reason: 'timeout', status: undefined }, sts: notReady('stream_consumers_not_ready') }));
    expect(r).toMatchObject({ verdict: 'fail', cause: 'stream_consumers_not_ready' });
  });

  it('reads a draining API from its body', () => {
    expect(judge(probes({ api: { ok: false, status: 503, reason: undefined, body: { ok: false, draining: true } } })).cause).toBe('draining');
  });
});
