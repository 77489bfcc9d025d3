import type { Fetched, ZoneView } from '../../../src/triage/evidence-model';
import { readinessStep } from '../../../src/triage/steps/readiness';
import { ctx, failed, notReady, ok, probes, unconfigured } from '../support/builders';

const ZONES: Fetched<ZoneView[]> = ok([{ id: 'zone-a' }, { id: 'zone-b' }]);
const judge = (p: ReturnType<typeof probes>, adminApi: Fetched<ZoneView[]> = ZONES) => readinessStep.judge({ readiness: p, adminApi }, ctx());
const unreadable = (reason: string, message: string): Fetched<never> => ({ ok: false, error: { kind: 'bad_response', code: 'bad_body', status: 200, reason, message } });

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

  it('the unreachable service says how the connection failed', () => {
    const r = judge(probes({ api: { ok: false, status: undefined, reason: 'unreachable', detail: 'ECONNREFUSED: connection refused' } }));
    expect(r.summary).toMatch(/^Not ready: api is unreachable \(ECONNREFUSED: connection refused\)/);
  });
});

describe('readiness step: an Admin API that cannot be read is the finding', () => {
  const timedOut: Fetched<never> = { ok: false, error: { kind: 'transport', code: 'timeout', message: 'GET /v1/zones timed out: no answer within 2000 ms (UND_ERR_HEADERS_TIMEOUT)' } };

  it('every service hanging: fail api_timeout, naming the others that did not answer either', () => {
    const hung = { ok: false, status: undefined, reason: 'timeout', ms: 2000 } as const;
    const r = judge(probes({ api: hung, sts: hung, gateway: hung, audit: hung, coordinator: hung }), timedOut);
    expect(r).toMatchObject({ verdict: 'fail', cause: 'api_timeout' });
    expect(r.summary).toMatch(/^The Caracal API accepts connections but does not answer: GET \/v1\/zones timed out \(no answer within 2000 ms\) and \/ready timed out too\./);
    expect(r.summary).toContain('Not answering either: sts, gateway, audit, coordinator.');
    expect(r.evidence.api).toMatchObject({ cause: 'api_timeout', reason: 'timeout', read: 'GET /v1/zones' });
  });

  it.each([
    ['html', 'GET /v1/zones answered 200 with an HTML page instead of JSON', /HTML page.*not the Console/],
    ['not_json', 'GET /v1/zones answered 200 with a body that is not JSON', /not JSON/],
    ['too_large', 'GET /v1/zones answered with a body larger than the client accepts (over 16 MiB)', /larger than the client accepts \(over 16 MiB\)/],
    ['redirected', 'GET /v1/zones answered 302 with a redirect, which is not followed (to https://sso.example.com/login)', /redirect.*sso\.example\.com\/login.*never followed/],
  ])('an answer that is %s: fail api_unreadable, saying what came back', (reason, message, summary) => {
    const r = judge(probes({ api: { ok: false, status: 200, reason: 'bad_body', unreadable: reason as 'html' } }), unreadable(reason, message));
    expect(r).toMatchObject({ verdict: 'fail', cause: 'api_unreadable' });
    expect(r.evidence.api).toMatchObject({ reason });
    expect(r.summary).toMatch(summary);
  });

  it('a readable refusal (401, 403, 429) is an answer, not a finding', () => {
    for (const [code, status] of [['invalid_admin_token', 401], ['admin_token_zone_mismatch', 403], ['rate_limited', 429]] as const) {
      expect(judge(probes(), failed(code, status)).verdict).toBe('pass');
    }
  });

  it('a 5xx on the basic read while /ready says ready is a finding too', () => {
    const r = judge(probes(), failed('internal_error', 500));
    expect(r).toMatchObject({ verdict: 'fail', cause: 'api_unreadable' });
    expect(r.summary).toContain(', though its /ready says ready');
  });

  it('a /ready that names its own failure stays the cause', () => {
    expect(judge(probes({ api: { ok: false, status: 500, reason: 'internal_error' } }), timedOut)).toMatchObject({ cause: 'redis_unreachable' });
    expect(judge(probes({ api: { ok: false, status: undefined, reason: 'unreachable' } }), timedOut)).toMatchObject({ cause: 'api_unreachable' });
  });
});
