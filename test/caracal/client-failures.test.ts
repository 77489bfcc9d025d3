/**
 * What the client does when Caracal misbehaves: hangs, refuses connections, sends bodies that
 * are not Caracal's, fails transiently or asks to be left alone. Real HTTP against the
 * simulator's fault injection; nothing is mocked.
 */
import { createServer } from 'node:net';
import { CaracalApiError, CaracalBadResponseError, CaracalTransportError } from '../../src/caracal/errors';
import { startSimulator, ZONE_B, type Simulator } from '../../sim';
import { clientFor, closeClients, rejection } from './support';

let sim: Simulator;
const RESOURCES = `/v1/zones/${ZONE_B}/resources`;
/** Requests for the first page of `path` (healthy_allow pages by two, so lists take several calls). */
const hits = (path: string) => sim.requests.filter((r) => r.path === path && !r.query.includes('cursor=')).length;

beforeAll(async () => {
  sim = await startSimulator({ scenario: 'healthy_allow' });
});
afterEach(async () => {
  await closeClients();
  sim.setScenario('healthy_allow');
  sim.clearFaults();
  sim.clearRequests();
});
afterAll(() => sim.close());

async function closedPortUrl(): Promise<string> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

describe('timeouts', () => {
  test('a hanging endpoint fails with timeout within the configured deadline', async () => {
    sim.setFault('api', '/v1/zones', { hang: true });
    const c = clientFor(sim, { timeoutMs: 400 });
    const started = Date.now();
    const e = await rejection(c.listZones());
    const took = Date.now() - started;
    expect(e).toBeInstanceOf(CaracalTransportError);
    expect((e as CaracalTransportError).code).toBe('timeout');
    expect(took).toBeGreaterThanOrEqual(350);
    expect(took).toBeLessThan(1200);
  });

  test('a slow answer inside the deadline is fine', async () => {
    sim.setFault('api', '/v1/zones', { latencyMs: 150 });
    await expect(clientFor(sim, { timeoutMs: 1000 }).listZones()).resolves.toHaveLength(2);
  });

  test('a hanging probe reports timeout and does not throw', async () => {
    sim.setFault('audit', '/ready', { hang: true });
    const p = await clientFor(sim, { timeoutMs: 300 }).probe('audit', '/ready');
    expect(p).toMatchObject({ service: 'audit', configured: true, ok: false, reason: 'timeout' });
    expect(p.ms).toBeLessThan(1000);
  });

  test('retries never run past the deadline', async () => {
    sim.setFault('api', RESOURCES, { status: 503, latencyMs: 150 });
    const c = clientFor(sim, { timeoutMs: 400 });
    const started = Date.now();
    const e = await rejection(c.listResources(ZONE_B));
    expect(Date.now() - started).toBeLessThan(900);
    // Either the last 503 or the deadline, never a late success or a hang.
    expect(['simulated_fault', 'timeout']).toContain((e as CaracalApiError | CaracalTransportError).code);
  });
});

describe('unreachable services', () => {
  test('a closed port is unreachable, for reads and for probes', async () => {
    const url = await closedPortUrl();
    const c = clientFor(sim, { apiUrl: url, stsUrl: url });
    const e = await rejection(c.listZones());
    expect(e).toBeInstanceOf(CaracalTransportError);
    expect((e as CaracalTransportError).code).toBe('unreachable');
    expect(await c.probe('sts', '/ready')).toMatchObject({ ok: false, reason: 'unreachable', configured: true });
  });

  test('a dropped connection is retried and the read succeeds', async () => {
    sim.setFault('api', RESOURCES, { drop: true, times: 1 });
    const items = await clientFor(sim).listResources(ZONE_B);
    expect(items.length).toBeGreaterThan(0);
    expect(hits(RESOURCES)).toBe(2);
  });
});

describe('bodies that are not what Caracal sends', () => {
  test('a 200 that is not JSON is a bad response, and an HTML page is named as one', async () => {
    sim.setFault('api', '/v1/zones', { body: '<html>proxy login</html>' });
    const e = await rejection(clientFor(sim).listZones());
    expect(e).toBeInstanceOf(CaracalBadResponseError);
    expect((e as CaracalBadResponseError).reason).toBe('html');
    expect(e.message).toContain('an HTML page instead of JSON');
    sim.clearFaults();
    sim.setFault('api', '/v1/zones', { body: '{"items": [' });
    const broken = (await rejection(clientFor(sim).listZones())) as CaracalBadResponseError;
    expect([broken.reason, broken.code]).toEqual(['not_json', 'bad_body']);
    expect(broken.message).toContain('not JSON');
  });

  test('a redirect is not followed: the token stays home, and the answer says where it pointed (no query)', async () => {
    sim.setFault('api', '/v1/zones', { status: 302, body: '', headers: { location: 'https://sso.example.com/login?next=/v1/zones&token=abc' } });
    const e = (await rejection(clientFor(sim).listZones())) as CaracalBadResponseError;
    expect(e).toBeInstanceOf(CaracalBadResponseError);
    expect([e.reason, e.status]).toEqual(['redirected', 302]);
    expect(e.message).toContain('to https://sso.example.com/login');
    expect(e.message).not.toContain('token=abc');
    expect(hits('/v1/zones')).toBe(1);
  });

  test('a body over the size limit is a bad response (too_large), not an unreachable service', async () => {
    sim.setFault('api', '/v1/zones', { body: `{"items":[],"pad":"${'x'.repeat(2 * 1024 * 1024)}"}` });
    const c = clientFor(sim, {}, { transport: { maxResponseBytes: 1024 * 1024 } });
    const e = (await rejection(c.listZones())) as CaracalBadResponseError;
    expect(e).toBeInstanceOf(CaracalBadResponseError);
    expect(e.reason).toBe('too_large');
    expect(e.message).toContain('over 1 MiB');
    expect(await c.probe('api', '/health')).toMatchObject({ ok: true });
  });

  test('probes name what made /ready unreadable', async () => {
    sim.setFault('sts', '/ready', { status: 200, body: '<!doctype html><title>Console</title>' });
    sim.setFault('gateway', '/ready', { status: 301, body: '', headers: { location: 'https://gw.example.com/ready' } });
    sim.setFault('audit', '/ready', { status: 200, body: 'OK' });
    const c = clientFor(sim);
    expect(await c.probe('sts', '/ready')).toMatchObject({ ok: false, reason: 'bad_body', unreadable: 'html' });
    expect(await c.probe('gateway', '/ready')).toMatchObject({ ok: false, status: 301, reason: 'bad_body', unreadable: 'redirected', detail: 'to https://gw.example.com/ready' });
    expect(await c.probe('audit', '/ready')).toMatchObject({ ok: false, reason: 'bad_body', unreadable: 'not_json' });
  });

  test('JSON of the wrong shape is a bad response naming the field', async () => {
    sim.setFault('api', `/v1/zones/${ZONE_B}/audit/by-request/req-allow-1/explain`, { json: { request_id: 'req-allow-1', denied: 'nope' } });
    const e = await rejection(clientFor(sim).explain(ZONE_B, 'req-allow-1'));
    expect(e).toBeInstanceOf(CaracalBadResponseError);
    expect(e.message).toMatch(/zone_id|final_decision|denied/);
    expect(e.message).not.toContain(sim.tokens.globalRead);
  });

  test('a list item without an id is a bad response', async () => {
    sim.setFault('api', '/v1/zones', { json: { items: [{ name: 'no id' }], next_cursor: null } });
    await expect(clientFor(sim).listZones()).rejects.toBeInstanceOf(CaracalBadResponseError);
  });

  test('an error status with a non-JSON body is still a typed API error', async () => {
    sim.setFault('api', '/v1/zones', { status: 502, body: 'Bad Gateway', times: 3 });
    const e = (await rejection(clientFor(sim).listZones())) as CaracalApiError;
    expect(e).toBeInstanceOf(CaracalApiError);
    expect([e.status, e.code, e.httpClass]).toEqual([502, 'http_502', 'server']);
    expect(e.requestId).toMatch(/^caracal-triage-/);
  });

  test('a full envelope keeps description, details and the body requestId', async () => {
    sim.setFault('api', '/v1/zones', {
      status: 400,
      json: { error: 'invalid_body', error_description: 'bad', requestId: 'srv-req-9', details: { issues: [{ path: ['x'], message: 'no' }] } },
    });
    const e = (await rejection(clientFor(sim).listZones())) as CaracalApiError;
    expect(e).toMatchObject({ status: 400, code: 'invalid_body', description: 'bad', requestId: 'srv-req-9' });
    expect(e.details).toEqual({ issues: [{ path: ['x'], message: 'no' }] });
  });
});

describe('retries on idempotent reads', () => {
  test('one 503 then success: the caller sees the success', async () => {
    sim.setFault('api', RESOURCES, { status: 503, times: 1 });
    const items = await clientFor(sim).listResources(ZONE_B);
    expect(items.map((r) => r.identifier)).toContain('resource://payments');
    expect(hits(RESOURCES)).toBe(2);
  });

  test('a persistent 503 gives up after two retries with the last answer', async () => {
    sim.setFault('api', RESOURCES, { status: 503 });
    const e = (await rejection(clientFor(sim).listResources(ZONE_B))) as CaracalApiError;
    expect([e.status, e.code]).toEqual([503, 'simulated_fault']);
    expect(hits(RESOURCES)).toBe(3);
  });

  test('Retry-After longer than the deadline is not waited for: 429 surfaces with retryAfter', async () => {
    sim.setFault('api', '/v1/zones', { status: 429, json: { error: 'rate_limited' }, headers: { 'retry-after': '60' } });
    const started = Date.now();
    const e = (await rejection(clientFor(sim, { timeoutMs: 2000 }).listZones())) as CaracalApiError;
    expect(Date.now() - started).toBeLessThan(1000);
    expect(e).toMatchObject({ status: 429, code: 'rate_limited', httpClass: 'rate_limited', retryAfter: 60 });
    expect(hits('/v1/zones')).toBe(1);
  });

  test('a short Retry-After is honoured before the retry', async () => {
    sim.setFault('api', '/v1/zones', { status: 429, json: { error: 'rate_limited' }, headers: { 'retry-after': '1' }, times: 1 });
    const started = Date.now();
    await expect(clientFor(sim, { timeoutMs: 3000 }).listZones()).resolves.toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  test('client errors (404) are not retried', async () => {
    await rejection(clientFor(sim).explain(sim.zoneIds[0]!, 'req-allow-1'));
    expect(sim.requests).toHaveLength(1);
  });

  test('writes are never retried', async () => {
    sim.setFault('api', /\/simulate$/, { status: 503, times: 1 });
    const c = clientFor(sim, { adminToken: sim.tokens.globalWrite });
    await expect(c.simulate(ZONE_B, '01a21de6-b378-7635-9bcc-1d8700a14735', { version_id: 'v' })).rejects.toMatchObject({ status: 503 });
    expect(sim.requests).toHaveLength(1);
  });
});

describe('readiness probes', () => {
  test('healthy services answer ok; the API /health carries a Date for clock skew', async () => {
    const c = clientFor(sim);
    const probes = await Promise.all((['api', 'sts', 'gateway', 'audit', 'coordinator'] as const).map((s) => c.probe(s, '/ready')));
    expect(probes.map((p) => [p.service, p.ok, p.status])).toEqual([
      ['api', true, 200],
      ['sts', true, 200],
      ['gateway', true, 200],
      ['audit', true, 200],
      ['coordinator', true, 200],
    ]);
    const health = await c.probe('api', '/health');
    expect(Number.isNaN(Date.parse(health.date!))).toBe(false);
  });

  test('Redis down: API and Coordinator /ready 500 read as internal_error with the body kept; STS 503 gives its reason', async () => {
    sim.setScenario('redis_down');
    const c = clientFor(sim);
    const [api, coord, sts] = await Promise.all([c.probe('api', '/ready'), c.probe('coordinator', '/ready'), c.probe('sts', '/ready')]);
    expect(api).toMatchObject({ ok: false, status: 500, reason: 'internal_error', body: { error: 'internal_error' } });
    expect(coord).toMatchObject({ ok: false, status: 500, reason: 'internal_error' });
    expect(sts).toMatchObject({ ok: false, status: 503, reason: 'redis_unreachable' });
    // A failing /ready is an answer, not a transient error: one request each.
    expect(sim.requests.filter((r) => r.path === '/ready')).toHaveLength(3);
  });

  test('a 200 that says ready:false is not ready', async () => {
    sim.setFault('gateway', '/ready', { json: { ok: false, ready: false, reason: 'draining' } });
    expect(await clientFor(sim).probe('gateway', '/ready')).toMatchObject({ ok: false, status: 200, reason: 'draining' });
  });

  test('a probe answered by something that is not Caracal reports bad_body', async () => {
    sim.setFault('sts', '/ready', { status: 503, body: '<h1>Service Unavailable</h1>' });
    expect(await clientFor(sim).probe('sts', '/ready')).toMatchObject({ ok: false, status: 503, reason: 'bad_body' });
  });
});
