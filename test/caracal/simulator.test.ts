/**
 * The simulator is what the engine, CLI and demo are tested against, so it must behave like
 * Caracal where the triage depends on it: scenarios are self-consistent, request IDs are echoed
 * by Caracal's rules, explain answers only in the request's zone, and secrets are planted where
 * redaction must catch them.
 */
import { createCaracalClient } from '../../src/caracal/client';
import { SCENARIOS, SEEDED_SECRETS, startSimulator, ZONE_B, type Simulator } from '../../sim';
import { configFor } from './support';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterEach(() => {
  sim.setScenario('healthy_allow');
  sim.clearFaults();
  sim.clearRequests();
});
afterAll(() => sim.close());

const NOT_IN_ANY_ZONE = new Set(['audit_missing', 'request_unknown', 'unauthenticated', 'application_expired', 'application_expired_body']);
/** Request IDs the by-request path cannot carry: explain answers 400, the audit list finds them. */
const LIST_ONLY = new Set(['slash_request_id']);

test('scenario names are unique and every scenario says what a triage should conclude', () => {
  expect(new Set(SCENARIOS.map((s) => s.name)).size).toBe(SCENARIOS.length);
  expect(SCENARIOS.map((s) => s.name)).toEqual(
    expect.arrayContaining([
      'healthy_allow',
      'redis_down',
      'resource_not_found',
      'grant_missing',
      'no_active_policy_set',
      'activation_failed',
      'scope_mismatch',
      'gateway_rejects',
      'scope_insufficient_after_allow',
      'audit_missing',
      'revocation_stale',
      'request_unknown',
      'unauthenticated',
    ]),
  );
  for (const s of SCENARIOS) {
    expect(s.description.length).toBeGreaterThan(10);
    const nothingFailed = s.expect.surface === null;
    expect({ name: s.name, consistent: nothingFailed === (s.expect.exit === 0) && nothingFailed === (s.expect.step === null) }).toEqual({ name: s.name, consistent: true });
  }
});

test.each(SCENARIOS.map((s) => [s.name]))('%s: two zones; explain (or the audit list) finds the request only in the second', async (name) => {
  sim.setScenario(name);
  const c = createCaracalClient(configFor(sim));
  try {
    expect(sim.zoneIds).toHaveLength(2);
    const rid = sim.scenario.input.requestId;
    if (LIST_ONLY.has(name)) {
      await expect(c.explain(ZONE_B, rid)).rejects.toMatchObject({ code: 'invalid_params' });
      const [inFirst, inSecond] = await Promise.all(sim.zoneIds.map((z) => c.auditForRequest(z, rid)));
      expect([inFirst!.length, inSecond!.length > 0]).toEqual([0, true]);
      return;
    }
    const [first, second] = await Promise.allSettled(sim.zoneIds.map((z) => c.explain(z, rid)));
    expect(first).toMatchObject({ status: 'rejected', reason: { code: 'request_not_found' } });
    if (NOT_IN_ANY_ZONE.has(name)) expect(second).toMatchObject({ status: 'rejected', reason: { code: 'request_not_found' } });
    else expect(second).toMatchObject({ status: 'fulfilled', value: { zone_id: ZONE_B, request_id: rid } });
  } finally {
    await c.close();
  }
});

test('denied exchanges carry the exchange_denied companion and the audit list is newest first', async () => {
  const c = createCaracalClient(configFor(sim));
  try {
    for (const name of ['resource_not_found', 'grant_missing', 'scope_mismatch', 'no_active_policy_set']) {
      sim.setScenario(name);
      const rows = await c.auditForRequest(ZONE_B, sim.scenario.input.requestId);
      expect(rows).toHaveLength(2);
      expect(rows[0]!.evaluation_status).toBe('exchange_denied');
    }
  } finally {
    await c.close();
  }
});

test('request IDs: API keeps valid caller IDs and mints a UUID for others; Gateway keeps printable ASCII', async () => {
  const get = (url: string, id: string) => fetch(url, { headers: { 'x-request-id': id } }).then((r) => r.headers.get('x-request-id'));
  expect(await get(`${sim.apiUrl}/health`, 'ok-id:1')).toBe('ok-id:1');
  expect(await get(`${sim.apiUrl}/health`, 'has/slash')).toMatch(/^[0-9a-f-]{36}$/);
  expect(await get(`${sim.gatewayUrl}/health`, 'has/slash')).toBe('has/slash');
  expect(await fetch(`${sim.stsUrl}/health`).then((r) => r.headers.get('x-request-id'))).toMatch(/^[0-9a-f-]{36}$/);
});

test('the admin API answers 401 invalid_admin_token without a token', async () => {
  const res = await fetch(`${sim.apiUrl}/v1/zones`);
  expect([res.status, await res.json()]).toEqual([401, { error: 'invalid_admin_token' }]);
});

test('the coordinator answers 401 missing_token on /stats without a token', async () => {
  const res = await fetch(`${sim.coordinatorUrl}/stats`);
  expect([res.status, await res.json()]).toEqual([401, { error: 'missing_token' }]);
});

test.each([['healthy_allow'], ['grant_missing']])('%s leaks seeded secrets through the API, so redaction has work to do', async (name) => {
  sim.setScenario(name);
  const c = createCaracalClient(configFor(sim));
  try {
    const trace = await c.explain(ZONE_B, sim.scenario.input.requestId);
    const provider = await c.getProvider(ZONE_B, '01a21de6-cb2f-7618-ba50-41377cfc4183');
    const text = JSON.stringify([trace, provider]);
    const leaked = SEEDED_SECRETS.filter((s) => text.includes(s));
    expect(leaked.length).toBeGreaterThanOrEqual(4);
    // The API itself redacts metadata keys, like Caracal does.
    expect(JSON.stringify(trace.events)).toContain('"session_id":"[redacted]"');
  } finally {
    await c.close();
  }
});

test('global latency applies to every answer (benchmarks)', async () => {
  sim.setLatency({ '*': 120 });
  const started = Date.now();
  await fetch(`${sim.stsUrl}/health`);
  expect(Date.now() - started).toBeGreaterThanOrEqual(110);
  sim.setLatency({});
});
