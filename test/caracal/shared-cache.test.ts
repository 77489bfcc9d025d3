/**
 * The worker's shared read cache (src/caracal/shared-cache.ts) against the simulator over real
 * HTTP: concurrent identical reads make one call, answers are shared only for the TTL, failures
 * only while in flight, the request trace and revocation reads always go to Caracal, and a
 * "Fixed, re-check" reads past the cache all the way through the worker.
 */
import { CaracalApiError } from '../../src/caracal/errors';
import { createSharedReadCache } from '../../src/caracal/shared-cache';
import { orThrow } from '../../src/config/problems';
import { parseRuntimeConfig } from '../../src/app/runtime-config';
import { createTriageSession } from '../../src/triage/session';
import { createHarness, waitFor, type Harness } from '../queue/harness';
import { SCENARIO_NAMES, startSimulator, ZONE_B, type Simulator } from '../../sim';
import { clientFor, closeClients, rejection } from './support';

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ scenario: 'grant_missing' });
});
afterEach(async () => {
  await closeClients();
  sim.setScenario('grant_missing');
  sim.clearFaults();
  sim.clearRequests();
});
afterAll(() => sim.close());

/** Reads made: requests, not counting the further pages of a list (the simulator pages small). */
const reads = (s: Simulator = sim) => s.requests.filter((r) => !/(^|&)cursor=/.test(r.query));
const calls = (path: string | RegExp, service = 'api'): number =>
  reads().filter((r) => r.service === service && (typeof path === 'string' ? r.path === path : path.test(r.path))).length;

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000): { now: () => number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe('shared reads', () => {
  test('concurrent identical reads make one HTTP call and share the answer', async () => {
    const cache = createSharedReadCache(clientFor(sim));
    const zones = await Promise.all(Array.from({ length: 10 }, () => cache.listZones()));
    expect(calls('/v1/zones')).toBe(1);
    for (const z of zones) expect(z).toBe(zones[0]);

    const probes = await Promise.all(Array.from({ length: 10 }, () => cache.probe('sts', '/ready')));
    expect(calls('/ready', 'sts')).toBe(1);
    expect(probes.every((p) => p.ok)).toBe(true);

    // The same query with its members in another order is the same read; another query is not.
    await Promise.all([
      cache.listGrants(ZONE_B, { application_id: 'app-1', resource_id: 'res-1' }),
      cache.listGrants(ZONE_B, { resource_id: 'res-1', application_id: 'app-1' }),
      cache.listGrants(ZONE_B, { resource_id: 'res-2' }),
    ]);
    expect(calls(/\/grants$/)).toBe(2);
  });

  test('every cached method shares its reads, keyed by all its arguments', async () => {
    const cache = createSharedReadCache(clientFor(sim));
    const [set] = await cache.listPolicySets(ZONE_B);
    const [resource] = await cache.listResources(ZONE_B);
    const [app] = await cache.listApplications(ZONE_B);
    const provider = resource!.credential_provider_id;
    sim.clearRequests();
    const all = (): Array<Promise<unknown>> => [
      cache.probe('api', '/health'),
      cache.probe('api', '/ready'),
      cache.metricsJson('audit'),
      cache.coordinatorStats(),
      cache.listZones(),
      cache.getZone(ZONE_B),
      cache.zoneOverview(ZONE_B),
      cache.listResources(ZONE_B),
      cache.getResource(ZONE_B, resource!.id),
      cache.listApplications(ZONE_B),
      cache.getApplication(ZONE_B, app!.id),
      ...(provider ? [cache.getProvider(ZONE_B, provider)] : []),
      cache.listPolicySets(ZONE_B),
      cache.activationStatus(ZONE_B, set!.id),
      cache.listGrants(ZONE_B, {}),
    ];
    await Promise.all(all());
    const first = reads().length;
    // listResources/listApplications/listPolicySets were read above: only the others called.
    expect(first).toBe(all().length - 3);
    await Promise.all(all());
    expect(reads().length).toBe(first);
    await cache.getZone(sim.zoneIds[0]!);
    expect(reads().length).toBe(first + 1);
  });

  test('an answer is shared for the TTL only; after it the next read calls again', async () => {
    const clock = manualClock();
    const cache = createSharedReadCache(clientFor(sim), { ttlMs: 2000, now: clock.now });
    await cache.listResources(ZONE_B);
    clock.advance(1999);
    await cache.listResources(ZONE_B);
    expect(calls(/\/resources$/)).toBe(1);
    clock.advance(1);
    await cache.listResources(ZONE_B);
    expect(calls(/\/resources$/)).toBe(2);
  });

  test('a failure is shared by the calls in flight with it, and not kept after', async () => {
    const cache = createSharedReadCache(clientFor(sim), { ttlMs: 60_000 });
    sim.setFault('api', /\/policy-sets$/, { status: 500, latencyMs: 100 });
    const failed = await Promise.all(Array.from({ length: 5 }, () => rejection(cache.listPolicySets(ZONE_B))));
    expect(calls(/\/policy-sets$/)).toBe(1);
    for (const e of failed) expect(e).toBeInstanceOf(CaracalApiError);
    expect(cache.size).toBe(0);

    // The service recovered: the next read sees it at once, and that answer is kept.
    sim.clearFaults();
    expect((await cache.listPolicySets(ZONE_B)).length).toBeGreaterThan(0);
    await cache.listPolicySets(ZONE_B);
    expect(calls(/\/policy-sets$/)).toBe(2);
  });

  test('a client that throws instead of rejecting leaves nothing behind', async () => {
    let n = 0;
    const broken = { ...clientFor(sim), listZones: (): never => { n++; throw new Error('boom'); } };
    const cache = createSharedReadCache(broken, { ttlMs: 60_000 });
    expect((await rejection(cache.listZones())).message).toBe('boom');
    expect((await rejection(cache.listZones())).message).toBe('boom');
    expect(n).toBe(2);
    expect(cache.size).toBe(0);
  });

  test('a probe that says "not ready" is a failure: shared in flight, not kept', async () => {
    const cache = createSharedReadCache(clientFor(sim), { ttlMs: 60_000 });
    sim.setFault('sts', '/ready', { status: 503, json: { ready: false, reason: 'redis_unreachable' }, latencyMs: 50 });
    const down = await Promise.all(Array.from({ length: 5 }, () => cache.probe('sts', '/ready')));
    expect(down.every((p) => !p.ok && p.reason === 'redis_unreachable')).toBe(true);
    expect(calls('/ready', 'sts')).toBe(1);
    sim.clearFaults();
    expect((await cache.probe('sts', '/ready')).ok).toBe(true);
    expect((await cache.probe('sts', '/ready')).ok).toBe(true);
    expect(calls('/ready', 'sts')).toBe(2);
  });

  test('the request trace, audit, sessions, authority records and simulate always call Caracal', async () => {
    const write = clientFor(sim, { adminToken: sim.tokens.globalWrite });
    const cache = createSharedReadCache(write, { ttlMs: 60_000 });
    const rid = sim.scenario.input.requestId!;
    const [set] = await write.listPolicySets(ZONE_B);
    sim.clearRequests();
    for (let i = 0; i < 2; i++) {
      await Promise.all([
        cache.explain(ZONE_B, rid),
        cache.explain(ZONE_B, rid),
        cache.listAudit(ZONE_B, { request_id: rid }),
        cache.auditForRequest(ZONE_B, rid),
        cache.listSessions(ZONE_B, {}),
        cache.listAuthorityRecords(ZONE_B, {}),
        cache.simulate(ZONE_B, set!.id, { version_id: set!.active_version_id ?? 'v1' }).catch(() => undefined),
      ]);
    }
    expect(calls(/\/explain$/)).toBe(4);
    expect(calls(/\/audit$/)).toBe(4);
    expect(calls(/\/sessions$/)).toBe(2);
    expect(calls(/\/authority-records$/)).toBe(2);
    expect(calls(/\/simulate$/)).toBe(2);
    expect(cache.size).toBe(0);
  });

  test("a zone's audit list without a request ID is shared; one request's is not", async () => {
    const cache = createSharedReadCache(clientFor(sim), { ttlMs: 60_000 });
    await Promise.all([cache.listAudit(ZONE_B, { limit: 1 }), cache.listAudit(ZONE_B, { limit: 1 }), cache.listAudit(ZONE_B, { decision: 'deny', limit: 10 }), cache.listAudit(ZONE_B, { decision: 'deny', limit: 10 })]);
    expect(calls(/\/audit$/)).toBe(2);
  });

  test("a read-only token's refusal to simulate is remembered: the next triages do not ask again", async () => {
    const clock = manualClock();
    const cache = createSharedReadCache(clientFor(sim), { ttlMs: 2000, now: clock.now });
    const [set] = await cache.listPolicySets(ZONE_B);
    // Two at once (triages in flight together), then a third: Caracal is asked once.
    const refusals = [...(await Promise.all([1, 2].map(() => rejection(cache.simulate(ZONE_B, set!.id, { version_id: set!.active_version_id ?? 'v1' }))))), await rejection(cache.simulate(ZONE_B, set!.id, { version_id: 'v2' }))];
    expect(refusals.map((e) => (e as CaracalApiError).code)).toEqual(['admin_token_read_only', 'admin_token_read_only', 'admin_token_read_only']);
    expect(calls(/\/simulate$/)).toBe(1);
    clock.advance(600_001);
    await rejection(cache.simulate(ZONE_B, set!.id, { version_id: 'v1' }));
    expect(calls(/\/simulate$/)).toBe(2);
  });

  test('time spent waiting for the call budget does not age an Admin API answer (up to its maximum age); probes age by the clock', async () => {
    const clock = manualClock();
    let stalled = 0;
    const cache = createSharedReadCache(clientFor(sim), { ttlMs: 2000, now: clock.now, stall: { stalledMs: () => stalled }, maxAgeMs: 30_000 });
    await Promise.all([cache.getZone(ZONE_B), cache.probe('sts', '/ready')]);
    // 10 s pass, 9 of them waiting for the budget: the zone is 1 s old by the time that counts.
    clock.advance(10_000);
    stalled += 9000;
    await Promise.all([cache.getZone(ZONE_B), cache.probe('sts', '/ready')]);
    expect(calls(`/v1/zones/${ZONE_B}`)).toBe(1);
    expect(calls('/ready', 'sts')).toBe(2);
    // However long the wait, never past the maximum age.
    clock.advance(25_000);
    stalled += 25_000;
    await cache.getZone(ZONE_B);
    expect(calls(`/v1/zones/${ZONE_B}`)).toBe(2);
  });

  test('`fresh` reads past the cache; its answer replaces the shared one, its failure drops it', async () => {
    const cache = createSharedReadCache(clientFor(sim), { ttlMs: 60_000 });
    await cache.listGrants(ZONE_B, {});
    await cache.fresh.listGrants(ZONE_B, {});
    await cache.fresh.listGrants(ZONE_B, {});
    expect(calls(/\/grants$/)).toBe(3);
    await cache.listGrants(ZONE_B, {});
    expect(calls(/\/grants$/)).toBe(3);

    sim.setFault('api', /\/grants$/, { status: 500, times: 1 });
    await rejection(cache.fresh.listGrants(ZONE_B, {}));
    expect(calls(/\/grants$/)).toBe(4);
    await cache.listGrants(ZONE_B, {});
    expect(calls(/\/grants$/)).toBe(5);
  });

  test('shared answers are frozen, so one triage cannot change what another reads', async () => {
    const cache = createSharedReadCache(clientFor(sim));
    const resources = await cache.listResources(ZONE_B);
    expect(Object.isFrozen(resources)).toBe(true);
    expect(Object.isFrozen(resources[0])).toBe(true);
    expect(() => (resources as unknown[]).push({})).toThrow(TypeError);
  });

  test('bounded: the oldest key goes when the cache is full', async () => {
    const cache = createSharedReadCache(clientFor(sim), { ttlMs: 60_000, maxEntries: 2 });
    await cache.getZone(sim.zoneIds[0]!);
    await cache.getZone(ZONE_B);
    await cache.listZones();
    expect(cache.size).toBe(2);
    await cache.listZones();
    await cache.getZone(ZONE_B);
    expect(reads().length).toBe(3);
    await cache.getZone(sim.zoneIds[0]!);
    expect(reads().length).toBe(4);
  });

  test('TTL 0 turns it off: every read calls', async () => {
    const cache = createSharedReadCache(clientFor(sim), { ttlMs: 0 });
    await Promise.all([cache.listZones(), cache.listZones(), cache.probe('api', '/ready'), cache.probe('api', '/ready')]);
    expect(reads().length).toBe(4);
    expect(cache.size).toBe(0);
  });

  test('CARACAL_CACHE_TTL_MS: default 2000, 0 allowed, nonsense is one line naming it', () => {
    const loadCacheTtlMs = (env: Record<string, string>) => orThrow(parseRuntimeConfig({ REDIS_URL: 'redis://127.0.0.1:6379', TRIAGE_SIGNING_KEY: 'k'.repeat(32), ...env })).cacheTtlMs;
    expect(loadCacheTtlMs({})).toBe(2000);
    expect(loadCacheTtlMs({ CARACAL_CACHE_TTL_MS: '' })).toBe(2000);
    expect(loadCacheTtlMs({ CARACAL_CACHE_TTL_MS: '0' })).toBe(0);
    expect(loadCacheTtlMs({ CARACAL_CACHE_TTL_MS: '500' })).toBe(500);
    expect(() => loadCacheTtlMs({ CARACAL_CACHE_TTL_MS: '-1' })).toThrow(/^CARACAL_CACHE_TTL_MS: /);
    expect(() => loadCacheTtlMs({ CARACAL_CACHE_TTL_MS: 'soon' })).toThrow(/^CARACAL_CACHE_TTL_MS: /);
    expect(() => loadCacheTtlMs({ CARACAL_CACHE_TTL_MS: '600000' })).toThrow(/^CARACAL_CACHE_TTL_MS: /);
  });
});

describe('triages over the shared cache', () => {
  const verdicts = (r: Awaited<ReturnType<ReturnType<typeof createTriageSession>['run']>>) => ({
    diagnosis: r.diagnosis,
    surface: r.surface,
    steps: r.steps.map((s) => [s.id, s.verdict, s.cause ?? null]),
    bundle: r.bundle.items.map((i) => [i.id, i.status]),
  });

  test.each(SCENARIO_NAMES)('%s: the same report as without it, also when every shared read comes from the cache', async (name) => {
    sim.setScenario(name);
    const client = clientFor(sim);
    const input = { requestId: sim.scenario.input.requestId ?? null, zoneId: null, symptom: sim.scenario.input.symptom ?? null, error: sim.scenario.input.error ?? null };
    const direct = verdicts(await createTriageSession(client, input).run());
    const cache = createSharedReadCache(client, { ttlMs: 60_000 });
    const first = verdicts(await createTriageSession(cache, input).run());
    sim.clearRequests();
    const second = verdicts(await createTriageSession(cache, input).run());
    expect(first).toEqual(direct);
    expect(second).toEqual(direct);
    // The second triage asked Caracal only for what is never shared (request trace, revocation
    // state, simulation) and for the probes that had said "not ready" (a failure is not kept).
    const paths = sim.requests.map((r) => `${r.service} ${r.path}${/^\/(ready|health)$/.test(r.path) ? ` ${r.status}` : ''}`);
    for (const p of paths) expect(p).toMatch(/^(api \/v1\/zones\/[^/]+\/(audit(\/by-request\/[^/]+\/explain)?|sessions|authority-records|policy-sets\/[^/]+\/simulate)|\w+ \/(ready|health) [3-5]\d\d)$/);
  });

  test('a cached /health answer read seconds later is not clock skew: skew is measured when the answer arrived', async () => {
    sim.setScenario('healthy_allow');
    const cache = createSharedReadCache(clientFor(sim), { ttlMs: 60_000 });
    const input = { requestId: sim.scenario.input.requestId ?? null, zoneId: null, symptom: null, error: null };
    const skewOf = (r: Awaited<ReturnType<ReturnType<typeof createTriageSession>['run']>>) =>
      (r.bundle.items.find((i) => i.id === 'readiness')!.evidence.checks as Array<{ check: string; status: string }>).find((c) => c.check === 'clock skew');
    expect(skewOf(await createTriageSession(cache, input).run())?.status).toBe('ok');
    // Ten seconds on, by both clocks: the second triage reads the same cached answer.
    const realNow = Date.now.bind(Date);
    const later = jest.spyOn(Date, 'now').mockImplementation(() => realNow() + 10_000);
    try {
      sim.clearRequests();
      const second = await createTriageSession(cache, input, { now: () => new Date(realNow() + 10_000) }).run();
      expect(sim.requests.some((r) => r.path === '/health')).toBe(false);
      expect(skewOf(second)).toMatchObject({ status: 'ok' });
    } finally {
      later.mockRestore();
    }
  });
});

describe('through the worker', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  test('"Fixed, re-check" reads Caracal afresh while new triages still share the cached reads', async () => {
    h = await createHarness('fresh-recheck', { scenario: 'grant_missing' });
    const cache = createSharedReadCache(h.client, { ttlMs: 60_000 });
    h.startWorkers({ client: cache, freshClient: cache.fresh });
    const grantCalls = (): number => reads(h.sim).filter((r) => r.service === 'api' && /\/grants$/.test(r.path)).length;
    const grantStep = async (id: string) => (await h.service.get(id))!.steps.find((s) => s.id === 'grant_policy')!;

    const first = await h.startTriage();
    const routed = await h.waitSettled(first);
    expect((await grantStep(first)).verdict).toBe('fail');
    const afterFirst = grantCalls();
    expect(afterFirst).toBe(1);

    // The grants API breaks. A new triage within the TTL still reads the shared answer.
    h.sim.setFault('api', /\/grants$/, { status: 500 });
    const second = await h.startTriage();
    await h.waitSettled(second);
    expect(grantCalls()).toBe(afterFirst);
    expect((await grantStep(second)).verdict).toBe('fail');

    // A re-check of the first triage goes to Caracal and sees what is there now.
    const applied = await h.service.apply(first, { type: 'recheck', actor: { kind: 'user', id: 'U7', name: 'lin' }, step: 'grant_policy', expectedVersion: routed.version }, 'button');
    expect(applied.ok).toBe(true);
    await h.waitSettled(first);
    await waitFor('re-checked grant step', async () => (await grantStep(first)).verdict === 'unknown');
    expect(grantCalls()).toBeGreaterThan(afterFirst);
    expect((await grantStep(first)).summary).toMatch(/Could not read grants/);
    const posts = h.port.delivered(first).filter((c) => c.method === 'postStep' && c.step === 'grant_policy');
    expect(posts).toHaveLength(2);
  });
});
