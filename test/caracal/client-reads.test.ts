/**
 * The client against the simulator over real HTTP: list methods follow next_cursor to the end,
 * tokens go only where they belong, every call carries its own X-Request-Id, and Caracal's
 * error answers become typed errors a caller can branch on.
 */
import { CaracalApiError } from '../../src/caracal/errors';
import { getScenario, startSimulator, ZONE_B, type Scenario, type Simulator } from '../../sim';
import { clientFor, closeClients, rejection } from './support';

let sim: Simulator;

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

/** healthy_allow with three or more of everything in zone B and pages of two. */
function crowded(): Scenario {
  const s = structuredClone(getScenario('healthy_allow'));
  s.pageSize = 2;
  const b = s.zones[1]!;
  const more = <T extends Record<string, unknown>>(items: T[], key: string, n: number, patch: (i: number) => Partial<T> = () => ({})) => {
    const first = items[0]!;
    for (let i = 0; i < n; i++) items.push({ ...first, [key]: `${String(first[key])}-x${i}`, ...patch(i) });
  };
  more(b.applications, 'id', 2);
  more(b.grants, 'id', 2);
  more(b.policySets, 'id', 2, () => ({ active_version_id: null }));
  more(b.sessions, 'session_id', 2);
  more(b.authorityRecords, 'authority_record_id', 2);
  const row = b.audit.find((r) => r.request_id === 'req-allow-1')!;
  for (let i = 0; i < 3; i++) b.audit.push({ ...row, id: `evt-allow-extra-${i}`, occurred_at: new Date(Date.parse(row.occurred_at) + (i + 5) * 1000).toISOString() });
  return s;
}

const pagedCalls = (path: string) => sim.requests.filter((r) => r.path === path && /(^|&)cursor=/.test(r.query));

describe('lists follow next_cursor', () => {
  test('every list method returns every item across pages', async () => {
    const s = crowded();
    sim.setScenario(s);
    const c = clientFor(sim);
    const b = s.zones[1]!;
    const ids = (xs: Array<Record<string, unknown>>, key = 'id') => xs.map((x) => x[key]).sort();

    expect(ids(await c.listZones())).toEqual(ids(s.zones.map((z) => z.zone)));
    expect(ids(await c.listResources(ZONE_B))).toEqual(ids(b.resources));
    expect(ids(await c.listApplications(ZONE_B))).toEqual(ids(b.applications));
    expect(ids(await c.listGrants(ZONE_B, {}))).toEqual(ids(b.grants));
    expect(ids(await c.listPolicySets(ZONE_B))).toEqual(ids(b.policySets));
    expect(ids(await c.listSessions(ZONE_B, {}), 'session_id')).toEqual(ids(b.sessions, 'session_id'));
    expect(ids(await c.listAuthorityRecords(ZONE_B, {}), 'authority_record_id')).toEqual(ids(b.authorityRecords, 'authority_record_id'));
    const rows = await c.auditForRequest(ZONE_B, 'req-allow-1');
    expect(ids(rows)).toEqual(ids(b.audit.filter((r) => r.request_id === 'req-allow-1')));
    // Newest first, as the API lists them.
    expect(rows.map((r) => r.occurred_at)).toEqual([...rows.map((r) => r.occurred_at)].sort().reverse());

    for (const path of ['/v1/zones', ...['resources', 'applications', 'grants', 'policy-sets', 'sessions', 'authority-records', 'audit'].map((p) => `/v1/zones/${ZONE_B}/${p}`)]) {
      expect({ path, paged: pagedCalls(path).length > 0 }).toEqual({ path, paged: true });
    }
  });

  test('the resource list holds active resources, as the API answers it; archived ones come only with status=archived (fails on the old simulator, which listed both)', async () => {
    sim.setScenario('resource_archived');
    const c = clientFor(sim);
    const active = await c.listResources(ZONE_B);
    const archived = await c.listArchivedResources(ZONE_B);
    expect(active.map((r) => r.identifier)).not.toContain('resource://payments');
    expect(archived.map((r) => [r.identifier, r.archived_at])).toEqual([['resource://payments', expect.any(String)]]);
    expect(sim.requests.filter((r) => r.path === `/v1/zones/${ZONE_B}/resources`).map((r) => new URLSearchParams(r.query).get('status'))).toEqual([null, 'archived']);
  });

  test('lists ask for the largest page the route allows, so one call usually answers', async () => {
    const c = clientFor(sim);
    await c.listResources(ZONE_B);
    await c.auditForRequest(ZONE_B, 'req-allow-1');
    const query = (path: string) => new URLSearchParams(sim.requests.find((r) => r.path === path)!.query);
    expect(query(`/v1/zones/${ZONE_B}/resources`).get('limit')).toBe('500');
    expect(query(`/v1/zones/${ZONE_B}/audit`).get('limit')).toBe('1000');
  });

  test('an API that refuses the page size is asked again with its default', async () => {
    sim.setScenario('scope_mismatch'); // one page of zones
    sim.setFault('api', '/v1/zones', { status: 400, json: { error: 'invalid_query' }, times: 1 });
    const zones = await clientFor(sim).listZones();
    expect(zones.map((z) => z.id)).toEqual(sim.zoneIds);
    expect(sim.requests.filter((r) => r.path === '/v1/zones').map((r) => new URLSearchParams(r.query).get('limit'))).toEqual(['500', null]);
  });

  test('list filters reach the API (only active grants of one application)', async () => {
    sim.setScenario('grant_missing');
    const c = clientFor(sim);
    const grants = await c.listGrants(ZONE_B, { status: 'active', application_id: '01a21de6-cbb2-7649-a7ea-c2bb6a9729eb' });
    expect(grants.map((g) => [g.status, g.scopes])).toEqual([['active', ['payments:read']]]);
  });

  test('a server that keeps handing out new cursors is cut off at maxPages', async () => {
    for (let i = 0; i < 10; i++) sim.setFault('api', '/v1/zones', { json: { items: [{ id: `z${i}` }], next_cursor: `c${i}` }, times: 1 });
    const zones = await clientFor(sim, {}, { maxPages: 3 }).listZones();
    expect(zones.map((z) => z.id)).toEqual(['z0', 'z1', 'z2']);
    expect(sim.requests.filter((r) => r.path === '/v1/zones')).toHaveLength(3);
  });

  test('a cursor handed back twice ends the walk instead of looping', async () => {
    sim.setFault('api', '/v1/zones', { json: { items: [{ id: 'z' }], next_cursor: 'same' } });
    await clientFor(sim).listZones();
    expect(sim.requests.filter((r) => r.path === '/v1/zones')).toHaveLength(2);
  });
});

describe('explain', () => {
  test('finds the request in its own zone with both denied entries', async () => {
    sim.setScenario('grant_missing');
    const trace = await clientFor(sim).explain(ZONE_B, 'req-grant-1');
    expect(trace.final_decision).toBe('deny');
    expect(trace.denied.map((d) => d.evaluation_status)).toEqual(['complete', 'exchange_denied']);
    expect((trace.denied[0]!.policy_input?.context as { requested_scopes?: unknown } | undefined)?.requested_scopes).toEqual(['payments:write']);
  });

  test('404 request_not_found in a zone that does not hold the request, with the request ID', async () => {
    sim.setScenario('grant_missing');
    const e = await rejection(clientFor(sim).explain(sim.zoneIds[0]!, 'req-grant-1'));
    expect(e).toBeInstanceOf(CaracalApiError);
    const api = e as CaracalApiError;
    expect([api.status, api.code, api.httpClass]).toEqual([404, 'request_not_found', 'not_found']);
    const sent = sim.requests.find((r) => r.path.endsWith('/req-grant-1/explain'))!;
    expect(api.requestId).toBe(sent.headers['x-request-id']);
  });

  test('400 invalid_params for a request ID the by-request path rejects', async () => {
    const e = (await rejection(clientFor(sim).explain(ZONE_B, 'a/b'))) as CaracalApiError;
    expect([e.status, e.code]).toEqual([400, 'invalid_params']);
  });

  test('such IDs are still found through the audit list', async () => {
    const s = structuredClone(getScenario('healthy_allow'));
    for (const r of s.zones[1]!.audit) if (r.request_id === 'req-allow-1') r.request_id = 'gw/req 1';
    sim.setScenario(s);
    const rows = await clientFor(sim).auditForRequest(ZONE_B, 'gw/req 1');
    expect(rows).toHaveLength(2);
  });
});

describe('admin tokens', () => {
  test('a zone token cannot list zones: admin_token_zone_mismatch', async () => {
    const e = (await rejection(clientFor(sim, { adminToken: sim.tokens.zoneRead }).listZones())) as CaracalApiError;
    expect([e.status, e.code, e.httpClass]).toEqual([403, 'admin_token_zone_mismatch', 'forbidden']);
  });

  test('a zone token reads its own zone and is refused elsewhere', async () => {
    const c = clientFor(sim, { adminToken: sim.tokens.zoneRead });
    await expect(c.explain(ZONE_B, 'req-allow-1')).resolves.toMatchObject({ final_decision: 'allow' });
    await expect(c.listResources(sim.zoneIds[0]!)).rejects.toMatchObject({ code: 'admin_token_zone_mismatch' });
  });

  test('an unknown token gets invalid_admin_token (401) and the message holds no token', async () => {
    const bad = 'cat_' + 'x'.repeat(43);
    const e = (await rejection(clientFor(sim, { adminToken: bad }).listZones())) as CaracalApiError;
    expect([e.status, e.code, e.httpClass]).toEqual([401, 'invalid_admin_token', 'auth']);
    expect(`${e.message} ${e.stack} ${JSON.stringify(e)}`).not.toContain(bad);
  });

  test('a read token cannot simulate (admin_token_read_only); a write token can', async () => {
    const body = { version_id: '01a21de6-b3d3-75d7-8d1e-91040e6a826d' };
    const ps = '01a21de6-b378-7635-9bcc-1d8700a14735';
    await expect(clientFor(sim).simulate(ZONE_B, ps, body)).rejects.toMatchObject({ code: 'admin_token_read_only', status: 403 });
    const res = await clientFor(sim, { adminToken: sim.tokens.globalWrite }).simulate(ZONE_B, ps, body);
    expect(res).toMatchObject({ dry_run: true, result: null });
  });

  test('each credential goes only to its own service; probes carry none', async () => {
    const c = clientFor(sim);
    await c.listZones();
    await Promise.all([c.probe('api', '/ready'), c.probe('sts', '/ready'), c.probe('gateway', '/health')]);
    await Promise.all([c.metricsJson('sts'), c.metricsJson('gateway'), c.metricsJson('audit'), c.coordinatorStats()]);
    for (const r of sim.requests) {
      const auth = r.headers.authorization;
      if (r.path.startsWith('/v1/')) expect(auth).toBe(`Bearer ${sim.tokens.globalRead}`);
      else if (r.path === '/metrics.json') expect(auth).toBe(`Bearer ${sim.metricsBearer}`);
      else if (r.path === '/stats') expect(auth).toBe(`Bearer ${sim.coordinatorToken}`);
      else expect({ path: r.path, auth }).toEqual({ path: r.path, auth: undefined });
    }
  });
});

describe('operator reads', () => {
  test('metrics need the metrics bearer; stats need the coordinator token', async () => {
    const c = clientFor(sim, { metricsBearer: undefined, coordinatorToken: undefined });
    await expect(c.metricsJson('gateway')).rejects.toMatchObject({ status: 401 });
    await expect(c.coordinatorStats()).rejects.toMatchObject({ status: 401, code: 'missing_token' });
    const ok = clientFor(sim);
    expect(await ok.metricsJson('audit')).toMatchObject({ consumer_lag: 0, dlq_size: 0 });
    expect(await ok.coordinatorStats()).toMatchObject({ log: { dropped: 0 } });
  });

  test('audit_missing metrics show the lag and DLQ', async () => {
    sim.setScenario('audit_missing');
    expect(await clientFor(sim).metricsJson('audit')).toMatchObject({ consumer_lag: 5000, dlq_size: 3 });
  });

  test('a service with no URL is refused without a call', async () => {
    const c = clientFor(sim, { auditUrl: undefined });
    await expect(c.metricsJson('audit')).rejects.toMatchObject({ kind: 'transport', code: 'unreachable' });
    expect(await c.probe('audit', '/ready')).toMatchObject({ configured: false, ok: false });
    expect(c.endpoints.audit).toBeUndefined();
    expect(sim.requests.filter((r) => r.service === 'audit')).toHaveLength(0);
  });
});

describe('X-Request-Id', () => {
  test('every call sends its own ID, valid for the API, and the API keeps it', async () => {
    sim.setScenario('grant_missing');
    const c = clientFor(sim);
    await c.listZones();
    await c.explain(ZONE_B, 'req-grant-1');
    await c.explain(sim.zoneIds[0]!, 'req-grant-1').catch(() => undefined);
    await c.listGrants(ZONE_B, {});
    await Promise.all([c.probe('sts', '/ready'), c.probe('coordinator', '/health'), c.metricsJson('gateway'), c.coordinatorStats()]);
    const ids = sim.requests.map((r) => r.headers['x-request-id']);
    expect(sim.requests.length).toBeGreaterThanOrEqual(8);
    for (const id of ids) expect(id).toMatch(/^caracal-triage-[A-Za-z0-9_.\-:]{1,100}$/);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of sim.requests) expect(r.responseRequestId).toBe(r.headers['x-request-id']);
  });
});
