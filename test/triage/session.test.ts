/**
 * The whole triage over real HTTP against the Caracal simulator: no mocks of the client or
 * the engine. Each scenario says what a correct triage concludes; the session must agree.
 */
import { CaracalApiError } from '../../src/caracal/errors';
import { createTriageSession } from '../../src/triage/session';
import { SCENARIOS, SEEDED_SECRETS, ZONE_B, getScenario, startSimulator, type Scenario, type Simulator } from '../../sim';
import { callsSeen, closeSimClients, inputOf, scenarioAuth, simClient } from './support/simulated';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
});
afterEach(async () => {
  sim.clearFaults();
  sim.clearRequests();
  await closeSimClients();
});

async function triage(scenario: string | Scenario, over: Parameters<typeof inputOf>[1] = {}, clientOver: Parameters<typeof simClient>[1] = {}, timeoutMs?: number) {
  sim.setScenario(scenario);
  return createTriageSession(simClient(sim, { ...scenarioAuth(sim, sim.scenario), ...clientOver }), inputOf(sim.scenario, over), timeoutMs ? { timeoutMs } : {}).run();
}

describe('every simulator scenario', () => {
  it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s: diagnosis matches the scenario’s expectation', async (_name, scenario) => {
    const report = await triage(scenario);
    const { expect: want } = scenario;
    if (want.surface === null) {
      expect(report.diagnosis).toBeNull();
    } else {
      expect(report.diagnosis).toMatchObject({ surface: want.surface, step: want.step, cause: want.cause });
      expect(report.diagnosis!.summary.length).toBeGreaterThan(20);
      // The admin change it names: the expected one, or none (no scenario blames an unrelated change).
      const change = report.diagnosis!.change;
      expect(change ? { entityType: change.entityType, entityId: change.entityId, actor: change.actor } : null).toEqual(want.change ?? null);
    }
    // The CLI exits 1 exactly when a step failed.
    expect(report.steps.some((s) => s.verdict === 'fail')).toBe(want.exit === 1);
    expect(report.steps.map((s) => s.id)).toEqual([
      'readiness',
      'configuration',
      'request_trace',
      'grant_policy',
      'policy_set_activation',
      'requested_scopes',
      'gateway_verifier',
      'audit_trace',
    ]);
    expect(report.bundle.items.map((i) => i.id)).toEqual(['config_summary', 'readiness', 'zones', 'preflight', 'provider_binding', 'request_trace', 'recent_changes']);
  });

  it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s: no seeded secret or configured credential appears in the report', async (_name, scenario) => {
    const text = JSON.stringify(await triage(scenario));
    for (const secret of [...SEEDED_SECRETS, sim.tokens.globalRead, sim.metricsBearer, sim.coordinatorToken]) expect(text).not.toContain(secret);
  });
});

describe('a zone given by name or slug (as the terminal and chat commands pass it)', () => {
  it('a slug or a name resolves to the zone through GET /v1/zones, with the same diagnosis as its ID (fails on the old code: zone_not_found)', async () => {
    for (const zoneId of ['triage-demo', 'Triage Demo', 'TRIAGE-DEMO', ZONE_B]) {
      const report = await triage('grant_missing', { zoneId });
      expect({ zoneId, zone: report.zoneId, cause: report.diagnosis?.cause }).toEqual({ zoneId, zone: ZONE_B, cause: 'scope_not_granted' });
    }
  });

  it('an unknown zone is one zone_not_found naming the nearest zones, not a failure per read (fails on the old code)', async () => {
    const report = await triage('grant_missing', { zoneId: 'triage-demp' });
    expect(report.diagnosis).toMatchObject({ step: 'configuration', cause: 'zone_not_found' });
    expect(report.diagnosis!.summary).toContain('nearest: Triage Demo (slug triage-demo, id');
    expect(report.steps.filter((s) => s.verdict === 'fail').map((s) => s.id)).toEqual(['configuration']);
  });
});

describe('the report', () => {
  it('healthy: no diagnosis, no symptom-less surface, located zone and request ID filled in', async () => {
    const report = await triage('healthy_allow');
    expect(report).toMatchObject({ requestId: 'req-allow-1', zoneId: ZONE_B, diagnosis: null, surface: null, symptom: null });
    expect(report.steps.every((s) => s.verdict === 'pass')).toBe(true);
  });

  it('infers the symptom from the trace when none was given', async () => {
    const report = await triage('scope_mismatch', { symptom: null });
    expect(report.symptom).toBe('token_exchange_denied');
  });

  it('counts redactions in the bundle and leaves no secret behind', async () => {
    const report = await triage('grant_missing');
    expect(report.bundle.redactions).toBeGreaterThan(0);
    expect(JSON.stringify(report.bundle)).toContain('[redacted]');
  });

  it('a pasted error body alone is enough to start: its request ID and symptom are used', async () => {
    const report = await triage('scope_mismatch', {
      requestId: null,
      symptom: null,
      error: '{"error":"access_denied","error_description":"policy denied (scope_mismatch)","requestId":"req-scope-1"}',
    });
    expect(report).toMatchObject({ requestId: 'req-scope-1', symptom: 'token_exchange_denied', diagnosis: { step: 'requested_scopes', cause: 'scope_mismatch' } });
  });
});

describe('the same request with or without a symptom', () => {
  it('revocation_stale: the stale Gateway snapshot is the cause either way, on the revocation surface', async () => {
    const withSymptom = await triage('revocation_stale');
    const without = await triage('revocation_stale', { symptom: null });
    for (const report of [withSymptom, without]) {
      expect(report.diagnosis).toMatchObject({ surface: 'revocation', step: 'gateway_verifier', cause: 'revocation_snapshot_stale' });
      expect(report.diagnosis!.summary).toMatch(/revocations may not be applied/);
    }
  });

  it('a Gateway that is not ready is not blamed for a request STS denied', async () => {
    const broken = getScenario('grant_missing');
    const report = await triage({ ...broken, services: { ...broken.services, gateway: getScenario('gateway_rejects').services.gateway } }, { symptom: 'resource_denied' });
    expect(report.diagnosis).toMatchObject({ step: 'readiness' });
    expect(report.steps.find((s) => s.id === 'gateway_verifier')!.verdict).toBe('pass');
  });
});

describe('a zone without an active policy set', () => {
  const withoutActiveSet = (name: string): Scenario => {
    const s = structuredClone(getScenario(name));
    const b = s.zones[1]!;
    b.policySets = b.policySets.map((p) => ({ ...p, active_version_id: null }));
    b.activation = {};
    return { ...s, name: `${name}_no_active_set` };
  };

  it('does not take over a denial STS made before policy: scope_mismatch stays the cause', async () => {
    const report = await triage(withoutActiveSet('scope_mismatch'));
    expect(report.diagnosis).toMatchObject({ step: 'requested_scopes', cause: 'scope_mismatch' });
    expect(report.steps.find((s) => s.id === 'policy_set_activation')).toMatchObject({ verdict: 'fail', cause: 'no_active_policy_set' });
  });

  it('does not take over a policy deny STS evaluated with a real version (deactivated since)', async () => {
    const report = await triage(withoutActiveSet('role_scope_mismatch'));
    expect(report.diagnosis).toMatchObject({ step: 'grant_policy', cause: 'role_scope_mismatch' });
  });
});

describe('locating the request', () => {
  it('searches every zone and finds the request in the second one', async () => {
    const report = await triage('grant_missing');
    expect(report.zoneId).toBe(ZONE_B);
    const explains = callsSeen(sim).filter((c) => c.includes('/explain'));
    expect(explains).toHaveLength(2);
  });

  it('a request in none of the zones: request_not_found after trying each', async () => {
    const report = await triage('request_unknown');
    const trace = report.steps.find((s) => s.id === 'request_trace')!;
    expect(trace).toMatchObject({ verdict: 'fail', cause: 'request_not_found' });
    expect(trace.evidence.zonesSearched).toEqual(sim.zoneIds);
    expect(report.diagnosis).toMatchObject({ surface: 'unknown', confidence: 'low' });
  });

  it('a zone token searches the zones of CARACAL_ZONE_IDS', async () => {
    const report = await triage('grant_missing', {}, { adminToken: sim.tokens.zoneRead, zoneIds: [ZONE_B] });
    expect(report.diagnosis).toMatchObject({ step: 'grant_policy', cause: 'scope_not_granted' });
    expect(report.steps.find((s) => s.id === 'request_trace')!.evidence.zoneSource).toBe('configured');
  });

  it('a zone token with CARACAL_ZONE_IDS naming a zone it may not read still finds the request in the other', async () => {
    const report = await triage('zone_token_no_grant');
    const trace = report.steps.find((s) => s.id === 'request_trace')!;
    expect(trace.evidence.attempts).toEqual([
      expect.objectContaining({ zoneId: sim.zoneIds[0], outcome: 'error', error: expect.objectContaining({ code: 'admin_token_zone_mismatch' }) }),
      expect.objectContaining({ zoneId: ZONE_B, outcome: 'found' }),
    ]);
    expect(report.zoneId).toBe(ZONE_B);
  });

  it('a zone token without CARACAL_ZONE_IDS says how to fix it instead of guessing', async () => {
    const report = await triage('grant_missing', {}, { adminToken: sim.tokens.zoneRead });
    const trace = report.steps.find((s) => s.id === 'request_trace')!;
    expect(trace).toMatchObject({ verdict: 'unknown', cause: 'admin_token_zone_mismatch' });
    expect(trace.summary).toContain('CARACAL_ZONE_IDS');
  });

  it('an ID the by-request path rejects is found through the audit list', async () => {
    const base = getScenario('scope_mismatch');
    const odd = JSON.parse(JSON.stringify(base).replaceAll('req-scope-1', 'gw/scope-1')) as Scenario;
    const report = await triage({ ...odd, name: 'scope_mismatch_slash_id' });
    expect(report.diagnosis).toMatchObject({ step: 'requested_scopes', cause: 'scope_mismatch' });
    const trace = report.steps.find((s) => s.id === 'request_trace')!;
    expect((trace.evidence.trace as { source: string }).source).toBe('audit_list');
  });

  it('with a zone given, looks only there', async () => {
    const report = await triage('grant_missing', { zoneId: ZONE_B });
    expect(report.zoneId).toBe(ZONE_B);
    const explains = callsSeen(sim).filter((c) => c.includes('/explain'));
    expect(explains).toEqual([`api GET /v1/zones/${ZONE_B}/audit/by-request/req-grant-1/explain`]);
  });
});

describe('each Caracal call is made once per session', () => {
  it.each(['healthy_allow', 'grant_missing', 'scope_insufficient_after_allow', 'revocation_stale'])('%s', async (name) => {
    await triage(name);
    const seen = callsSeen(sim);
    expect(seen.length).toBeGreaterThan(10);
    expect(seen.filter((c, i) => seen.indexOf(c) !== i)).toEqual([]);
  });
});

describe('failures become findings, not exceptions', () => {
  it('a service that does not answer makes its check unknown while the rest still runs', async () => {
    sim.setScenario('healthy_allow');
    sim.setFault('gateway', '/ready', { hang: true });
    // Every other call must answer under the timeout: 1.5 s leaves a loaded machine room for that.
    const report = await triage('healthy_allow', {}, { timeoutMs: 1500 });
    expect(report.steps.find((s) => s.id === 'readiness')).toMatchObject({ verdict: 'unknown', cause: 'timeout' });
    expect(report.steps.find((s) => s.id === 'request_trace')!.verdict).toBe('pass');
    expect(report.steps.find((s) => s.id === 'grant_policy')!.verdict).toBe('pass');
    expect(report.diagnosis).toBeNull();
    const readiness = report.bundle.items.find((i) => i.id === 'readiness')!;
    expect(readiness.status).toBe('warn');
  });

  it('a slow Admin API route makes one bundle item unavailable, not the bundle', async () => {
    sim.setFault('api', /\/audit$/, { latencyMs: 3000 });
    const report = await triage('healthy_allow', {}, {}, 1500);
    const zones = report.bundle.items.find((i) => i.id === 'zones')!;
    expect(zones.status).toBe('unavailable');
    expect(zones.evidence.code).toBe('timeout');
    expect(report.bundle.items.filter((i) => i.status === 'unavailable').map((i) => i.id)).toEqual(['zones']);
    expect(report.steps.find((s) => s.id === 'configuration')!.verdict).toBe('pass');
  });

  it('a body that is not what Caracal sends makes that step unknown', async () => {
    sim.setFault('api', /\/explain$/, { body: '<html>proxy error</html>', status: 200 });
    const report = await triage('healthy_allow');
    expect(report.steps.find((s) => s.id === 'request_trace')).toMatchObject({ verdict: 'unknown', cause: 'bad_body' });
    expect(report.steps.find((s) => s.id === 'readiness')!.verdict).toBe('pass');
    expect(report.diagnosis).toBeNull();
  });

  it('metrics with a bad body leave the audit check unknown, the rest intact', async () => {
    sim.setFault('audit', '/metrics.json', { body: 'not json', status: 200 });
    const report = await triage('request_unknown');
    expect(report.steps.find((s) => s.id === 'audit_trace')).toMatchObject({ verdict: 'unknown', cause: 'bad_body' });
    expect(report.diagnosis).toMatchObject({ step: 'request_trace', cause: 'request_not_found' });
  });

  it('an unreachable API is an infrastructure finding', async () => {
    sim.setScenario('healthy_allow');
    const report = await triage('healthy_allow', {}, { apiUrl: 'http://127.0.0.1:9', timeoutMs: 1000 });
    expect(report.diagnosis).toMatchObject({ surface: 'infrastructure', step: 'readiness', cause: 'api_unreachable' });
    expect(report.surface).toBe('infrastructure');
    expect(report.bundle.items.find((i) => i.id === 'zones')!.status).toBe('unavailable');
  });

  it('a rejected admin token rejects run() with invalid_admin_token', async () => {
    sim.setScenario('grant_missing');
    const session = createTriageSession(simClient(sim, { adminToken: 'cat_' + 'x'.repeat(43) }), inputOf(sim.scenario));
    const err = await session.run().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CaracalApiError);
    expect((err as CaracalApiError).code).toBe('invalid_admin_token');
  });

  it('with a rejected token, runStep answers unknown admin_token_rejected and the bundle names the code', async () => {
    sim.setScenario('grant_missing');
    const session = createTriageSession(simClient(sim, { adminToken: 'cat_' + 'y'.repeat(43) }), inputOf(sim.scenario));
    expect(await session.runStep('grant_policy')).toMatchObject({ verdict: 'unknown', cause: 'admin_token_rejected' });
    const bundle = await session.collectBundle();
    expect(bundle.items.find((i) => i.id === 'zones')!.evidence.code).toBe('invalid_admin_token');
    expect(session.adminTokenRejection()).toMatchObject({ status: 401, code: 'invalid_admin_token' });
  });

  it('a chat triage learns of an outright rejection at its first step (readiness reads the zone list)', async () => {
    sim.setScenario('grant_missing');
    const session = createTriageSession(simClient(sim, { adminToken: 'cat_' + 'z'.repeat(43) }), inputOf(sim.scenario));
    expect(await session.runStep('readiness')).toMatchObject({ verdict: 'unknown', cause: 'admin_token_rejected' });
  });
});

describe('a 401 or 403 on one endpoint only', () => {
  it('a 401 on the grants list makes the grant step unknown with that code; the triage goes on and still diagnoses', async () => {
    sim.setFault('api', /\/grants$/, { status: 401, json: { error: 'invalid_admin_token' } });
    const report = await triage('scope_mismatch');
    expect(report.steps.find((s) => s.id === 'grant_policy')).toMatchObject({ verdict: 'unknown', cause: 'invalid_admin_token' });
    expect(report.steps.find((s) => s.id === 'grant_policy')!.summary).toMatch(/grants.*401 invalid_admin_token/);
    expect(report.diagnosis).toMatchObject({ step: 'requested_scopes', cause: 'scope_mismatch' });
  });

  it('a 403 on the policy sets makes only the activation step unknown', async () => {
    sim.setFault('api', /\/policy-sets$/, { status: 403, json: { error: 'zone_forbidden' } });
    const report = await triage('grant_missing');
    expect(report.steps.find((s) => s.id === 'policy_set_activation')).toMatchObject({ verdict: 'unknown', cause: 'zone_forbidden' });
    expect(report.diagnosis).toMatchObject({ step: 'grant_policy', cause: 'scope_not_granted' });
  });

  it('a 401 on the zone list alone, with the zone given, is that endpoint’s refusal, not a rejected token', async () => {
    sim.setFault('api', '/v1/zones', { status: 401, json: { error: 'invalid_admin_token' } });
    sim.setScenario('grant_missing');
    const session = createTriageSession(simClient(sim), inputOf(sim.scenario, { zoneId: ZONE_B }));
    const report = await session.run();
    expect(session.adminTokenRejection()).toBeNull();
    expect(report.diagnosis).toMatchObject({ step: 'grant_policy', cause: 'scope_not_granted' });
  });
});

describe('a Caracal API that cannot be read is a finding', () => {
  it('every service hanging past the timeout: readiness fails api_timeout, surface infrastructure', async () => {
    for (const svc of ['api', 'sts', 'gateway', 'audit', 'coordinator'] as const) sim.setFault(svc, /.*/, { hang: true });
    const report = await triage('healthy_allow', {}, { timeoutMs: 300 }, 1000);
    expect(report.diagnosis).toMatchObject({ surface: 'infrastructure', step: 'readiness', cause: 'api_timeout' });
    expect(report.diagnosis!.summary).toContain('Not answering either: sts, gateway, audit, coordinator.');
  });

  it('a chat triage sees it at its first step too (runStep, as the worker runs it)', async () => {
    sim.setScenario('healthy_allow');
    sim.setFault('api', /.*/, { status: 200, body: '<!doctype html><title>Console</title>', headers: { 'content-type': 'text/html' } });
    const session = createTriageSession(simClient(sim), inputOf(sim.scenario));
    expect(await session.runStep('readiness')).toMatchObject({ verdict: 'fail', cause: 'api_unreadable', evidence: { api: { reason: 'html' } } });
    expect(session.conclude([await session.runStep('readiness')]).diagnosis).toMatchObject({ surface: 'infrastructure', step: 'readiness' });
  });

  it.each([
    ['an HTML page', { status: 200, body: '<!doctype html><html><title>Caracal Console</title></html>', headers: { 'content-type': 'text/html' } }, 'html'],
    ['invalid JSON', { status: 200, body: '{"ok": tru' }, 'not_json'],
    ['a redirect', { status: 302, body: '', headers: { location: 'https://login.example.com/sso' } }, 'redirected'],
  ])('every API answer %s: readiness fails api_unreadable naming it', async (_label, fault, reason) => {
    sim.setFault('api', /.*/, fault);
    const report = await triage('healthy_allow');
    expect(report.diagnosis).toMatchObject({ surface: 'infrastructure', step: 'readiness', cause: 'api_unreadable' });
    expect(report.steps[0]!.evidence.api).toMatchObject({ reason });
  });
});

describe('without a request ID', () => {
  it('starts from readiness and uses the symptom', async () => {
    const report = await triage('redis_down', { requestId: null, symptom: 'token_exchange_denied' });
    expect(report.requestId).toBeNull();
    expect(report.diagnosis).toMatchObject({ step: 'readiness', cause: 'redis_unreachable', surface: 'infrastructure' });
    expect(report.steps.find((s) => s.id === 'request_trace')).toMatchObject({ verdict: 'unknown', cause: 'no_request_id' });
  });

  it('with nothing failing, the surface is the symptom’s', async () => {
    const report = await triage('healthy_allow', { requestId: null, symptom: 'access_after_revocation' });
    expect(report.diagnosis).toBeNull();
    expect(report.surface).toBe('revocation');
  });
});

describe('runStep and conclude', () => {
  it('a new session (after a worker restart) concludes from results an earlier one produced', async () => {
    sim.setScenario('grant_missing');
    const first = createTriageSession(simClient(sim), inputOf(sim.scenario));
    const results = await Promise.all((['request_trace', 'grant_policy'] as const).map((id) => first.runStep(id)));
    const second = createTriageSession(simClient(sim), inputOf(sim.scenario));
    expect(second.conclude(results)).toMatchObject({ zoneId: ZONE_B, symptom: 'token_exchange_denied', diagnosis: { step: 'grant_policy', cause: 'scope_not_granted' } });
  });

  it('runStep judges one step; conclude turns results into the diagnosis', async () => {
    sim.setScenario('scope_mismatch');
    const session = createTriageSession(simClient(sim), inputOf(sim.scenario));
    const results = await Promise.all((['grant_policy', 'requested_scopes'] as const).map((id) => session.runStep(id)));
    expect(results.map((r) => r.cause)).toEqual(['scope_not_granted', 'scope_mismatch']);
    expect(session.conclude(results)).toMatchObject({ zoneId: ZONE_B, diagnosis: { step: 'requested_scopes' }, surface: 'resource_definition' });
  });
});

describe('a pasted error routed where it came in', () => {
  it('is taken from the input as routed, not routed again from its text', () => {
    const client = simClient(sim, scenarioAuth(sim, sim.scenario));
    const errorRoute = { symptom: 'no_audit_event' as const, surfaceHint: 'audit_pipeline' as const, code: null, status: null, requestId: null, policyReason: null, reason: 'routed at the edge' };
    // The text alone would route to token_exchange_denied; the carried route says otherwise.
    const session = createTriageSession(client, { requestId: null, zoneId: null, symptom: null, error: 'access_denied', errorRoute });
    expect(session.conclude([]).symptom).toBe('no_audit_event');
    const unrouted = createTriageSession(client, { requestId: null, zoneId: null, symptom: null, error: 'access_denied' });
    expect(unrouted.conclude([]).symptom).toBe('token_exchange_denied');
  });
});
