/**
 * The diagnostic bundle over real HTTP against the simulator: the Doctor's checks rebuilt from
 * public endpoints, per-item deadlines, and what a read token can and cannot learn.
 */
import type { BundleItem, BundleItemId } from '../../../src/triage/model';
import { createTriageSession } from '../../../src/triage/session';
import { getScenario, startSimulator, ZONE_A, ZONE_B, type Scenario, type Simulator } from '../../../sim';
import { AUDIT_METRICS, COORDINATOR_STATS, GATEWAY_METRICS, POLICY_SET_ID, STS_METRICS, activationLoaded } from '../../../sim/world';
import { callsSeen, closeSimClients, inputOf, simClient } from '../support/simulated';

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

type Check = { check: string; status: string; detail: string };
const checksOf = (i: BundleItem): Check[] => (i.evidence.checks as Check[] | undefined) ?? [];
const checkNamed = (i: BundleItem, name: string): Check | undefined => checksOf(i).find((c) => c.check === name);

async function bundle(scenario: string | Scenario, opts: { input?: Parameters<typeof inputOf>[1]; client?: Parameters<typeof simClient>[1]; now?: () => Date; timeoutMs?: number } = {}) {
  sim.setScenario(scenario);
  const session = createTriageSession(simClient(sim, opts.client), inputOf(sim.scenario, opts.input), { now: opts.now, timeoutMs: opts.timeoutMs });
  const b = await session.collectBundle();
  const byId = Object.fromEntries(b.items.map((i) => [i.id, i])) as Record<BundleItemId, BundleItem>;
  return { ...b, byId };
}

/** A scenario derived from a named one, with parts of its state replaced. */
function variant(name: string, change: (s: Scenario) => void): Scenario {
  const s = JSON.parse(JSON.stringify(getScenario(name))) as Scenario;
  s.name = `${name}_variant`;
  change(s);
  return s;
}
const zoneB = (s: Scenario) => s.zones.find((z) => z.zone.id === ZONE_B)!;

describe('readiness item (Doctor health + readiness)', () => {
  it('healthy: api health, clock skew, admin auth with the zone count, every service ready and metrics clean', async () => {
    const { byId } = await bundle('healthy_allow');
    const r = byId.readiness;
    expect(r.status).toBe('ok');
    expect(checkNamed(r, 'admin auth')).toMatchObject({ status: 'ok', detail: '2 zone(s) visible' });
    expect(checkNamed(r, 'clock skew')!.status).toBe('ok');
    for (const svc of ['api', 'sts', 'gateway', 'audit', 'coordinator']) expect(checkNamed(r, `${svc} readiness`)!.status).toBe('ok');
    for (const svc of ['sts', 'gateway', 'audit', 'coordinator']) expect(checkNamed(r, `${svc} metrics`)!.status).toBe('ok');
  });

  it('clock skew warns past 2 s and fails past 30 s (from the API Date header)', async () => {
    expect(checkNamed((await bundle('healthy_allow', { now: () => new Date(Date.now() + 10_000) })).byId.readiness, 'clock skew')!.status).toBe('warn');
    const far = (await bundle('healthy_allow', { now: () => new Date(Date.now() - 120_000) })).byId.readiness;
    expect(checkNamed(far, 'clock skew')!.status).toBe('fail');
    expect(far.status).toBe('fail');
  });

  it('applies the Doctor metric rules', async () => {
    const s = variant('healthy_allow', (v) => {
      v.services.sts.metrics = { ...STS_METRICS, opa: { ...STS_METRICS.opa, compile_errors: 2 } };
      v.services.audit.metrics = { ...AUDIT_METRICS, dlq_size: 4 };
      v.services.coordinator.stats = { ...COORDINATOR_STATS, outbox: { dead: 1 } };
      v.services.gateway.metrics = { ...GATEWAY_METRICS };
    });
    const r = (await bundle(s)).byId.readiness;
    expect(checkNamed(r, 'sts metrics')).toMatchObject({ status: 'fail' });
    expect(checkNamed(r, 'sts metrics')!.detail).toContain('compile_errors=2');
    expect(checkNamed(r, 'audit metrics')!.status).toBe('warn');
    expect(checkNamed(r, 'coordinator metrics')!.detail).toContain('outbox.dead=1');
    expect(r.status).toBe('fail');
  });

  it('tamper evidence fails the audit metrics; eval errors only warn', async () => {
    const s = variant('healthy_allow', (v) => {
      v.services.audit.metrics = { ...AUDIT_METRICS, tamper_chain_breaks: 1 };
      v.services.sts.metrics = { ...STS_METRICS, opa: { ...STS_METRICS.opa, eval_errors: 5 } };
    });
    const r = (await bundle(s)).byId.readiness;
    expect(checkNamed(r, 'audit metrics')!.status).toBe('fail');
    expect(checkNamed(r, 'sts metrics')!.status).toBe('warn');
  });

  it('only configured services are probed; the others are listed, not failed', async () => {
    const { byId } = await bundle('healthy_allow', { client: { stsUrl: undefined, coordinatorUrl: undefined } });
    expect(byId.readiness.status).toBe('ok');
    expect(byId.readiness.evidence.notConfigured).toEqual(['sts', 'coordinator']);
    expect(checkNamed(byId.readiness, 'sts readiness')).toBeUndefined();
    expect(callsSeen(sim).some((c) => c.startsWith('sts ') || c.startsWith('coordinator '))).toBe(false);
  });

  it('a dead service fails its readiness check and leaves the other items alone', async () => {
    const { byId } = await bundle('healthy_allow', { client: { gatewayUrl: 'http://127.0.0.1:9', timeoutMs: 1000 } });
    expect(checkNamed(byId.readiness, 'gateway readiness')!.status).toBe('fail');
    expect(byId.zones.status).toBe('ok');
    expect(byId.request_trace.status).toBe('ok');
  });
});

describe('zones item (Doctor zones)', () => {
  it('per zone: lookup, resources, policy sets and an audit query', async () => {
    const z = (await bundle('no_active_policy_set')).byId.zones;
    expect(z.status).toBe('ok');
    expect(checkNamed(z, `${ZONE_A} resources`)!.detail).toBe('3 registered');
    expect(checkNamed(z, `${ZONE_A} policy sets`)!.detail).toBe('1 active');
    expect(checkNamed(z, `${ZONE_B} policy sets`)).toMatchObject({ status: 'ok', detail: '1 registered; none active' });
    expect(checkNamed(z, `${ZONE_B} audit query`)).toMatchObject({ status: 'ok', detail: 'queryable' });
    expect(checkNamed(z, `${ZONE_B} lookup`)!.detail).toContain('Triage Demo');
  });

  it('a zone token checks the zones of CARACAL_ZONE_IDS', async () => {
    const z = (await bundle('healthy_allow', { client: { adminToken: sim.tokens.zoneRead, zoneIds: [ZONE_B] } })).byId.zones;
    expect(z.evidence.zoneSource).toBe('configured');
    expect(z.evidence.zoneIds).toEqual([ZONE_B]);
    expect(z.status).toBe('ok');
  });

  it('a zone in CARACAL_ZONE_IDS that the zone token may not read is a warning with the fix, not a broken zone', async () => {
    const z = (await bundle('healthy_allow', { client: { adminToken: sim.tokens.zoneRead, zoneIds: [ZONE_A, ZONE_B] } })).byId.zones;
    expect(z.status).toBe('warn');
    expect(checkNamed(z, `${ZONE_A} lookup`)).toMatchObject({ status: 'warn', detail: expect.stringContaining('CARACAL_ZONE_IDS') });
    expect(checkNamed(z, `${ZONE_B} resources`)!.status).toBe('ok');
  });

  it('one slow zone route makes the zones item unavailable and nothing else', async () => {
    // Every other item must come in under the deadline: 1.5 s leaves a loaded machine room for that.
    sim.setFault('api', new RegExp(`^/v1/zones/${ZONE_A}/resources$`), { latencyMs: 3000 });
    const { byId, items } = await bundle('healthy_allow', { timeoutMs: 1500 });
    expect(byId.zones).toMatchObject({ status: 'unavailable', evidence: { code: 'timeout' } });
    expect(byId.zones.summary).toMatch(/Timed out after 1500 ms/);
    expect(items.filter((i) => i.status === 'unavailable').map((i) => i.id)).toEqual(['zones']);
  });
});

describe('preflight item', () => {
  it('says GATEWAY_STS_HMAC_KEY is unset when activation-status reports sts.state not_configured', async () => {
    const s = variant('healthy_allow', (v) => {
      const loaded = activationLoaded(ZONE_B).body as Record<string, unknown>;
      zoneB(v).activation = {
        [POLICY_SET_ID]: { status: 200, body: { ...loaded, propagation_status: 'waiting_for_sts', sts: { state: 'not_configured', detail: 'GATEWAY_STS_HMAC_KEY is not configured' } } },
      };
    });
    const p = (await bundle(s)).byId.preflight;
    expect(p.status).toBe('warn');
    expect(checkNamed(p, 'GATEWAY_STS_HMAC_KEY')!.detail).toMatch(/unset on the API/);
    expect(p.summary).toMatch(/The other checks run on the stack host only/);
  });

  it('is unavailable, saying it runs on the stack host, when nothing is knowable remotely', async () => {
    const p = (await bundle('request_unknown')).byId.preflight;
    expect(p.status).toBe('unavailable');
    expect(p.summary).toMatch(/^Preflight runs on the stack host only/);
  });
});

describe('provider_binding item (Provider Preflight from API reads)', () => {
  it('with a read token, simulate could not run and says why; the other checks still count', async () => {
    const pb = (await bundle('healthy_allow')).byId.provider_binding;
    expect(checkNamed(pb, 'policy simulate')).toMatchObject({ status: 'unknown' });
    expect(checkNamed(pb, 'policy simulate')!.detail).toMatch(/read-only/);
    expect(checkNamed(pb, 'provider binding')).toMatchObject({ status: 'ok' });
    expect(checkNamed(pb, 'scopes')).toMatchObject({ status: 'ok' });
    expect(pb.status).toBe('ok');
  });

  it('a denial whose row names no resource (approval_expired) is not reported as an unregistered resource', async () => {
    const pb = (await bundle('approval_expired')).byId.provider_binding;
    expect(pb.status).toBe('unavailable');
    expect(pb.summary).toMatch(/names no resource/);
  });

  it('with a write token, simulate runs; without STS it was not executed', async () => {
    const pb = (await bundle('healthy_allow', { client: { adminToken: sim.tokens.globalWrite } })).byId.provider_binding;
    expect(checkNamed(pb, 'policy simulate')!.detail).toMatch(/not executed/);
    expect(callsSeen(sim).filter((c) => c.includes('/simulate'))).toHaveLength(1);
  });

  it('flags a provider whose connectivity failed and an undefined scope', async () => {
    const s = variant('scope_mismatch', (v) => {
      zoneB(v).providers = zoneB(v).providers.map((p) => ({ ...p, connectivity_failed_at: '2026-11-27T16:00:00.000Z' }));
    });
    const pb = (await bundle(s)).byId.provider_binding;
    expect(checkNamed(pb, 'provider binding')!.status).toBe('warn');
    expect(checkNamed(pb, 'scopes')).toMatchObject({ status: 'fail' });
    expect(pb.status).toBe('fail');
  });

  it('is unavailable without a request to take the resource from', async () => {
    expect((await bundle('healthy_allow', { input: { requestId: null } })).byId.provider_binding.status).toBe('unavailable');
  });
});

describe('request_trace item', () => {
  it('shows the request’s trace and its denial', async () => {
    const t = (await bundle('grant_missing')).byId.request_trace;
    expect(t.status).toBe('warn');
    expect(t.summary).toContain('req-grant-1');
    expect(t.summary).toContain('final decision deny');
  });

  it('without a request ID, shows the selected zone’s last denial, skipping exchange_denied rows', async () => {
    const t = (await bundle('scope_mismatch', { input: { requestId: null, zoneId: ZONE_B } })).byId.request_trace;
    expect(t.summary).toContain('req-scope-1');
    expect(t.summary).toContain('scope_mismatch');
  });

  it('without a request ID or zone it is unavailable', async () => {
    expect((await bundle('healthy_allow', { input: { requestId: null } })).byId.request_trace.status).toBe('unavailable');
  });
});

describe('config_summary item', () => {
  it('names endpoints and zones, never credentials', async () => {
    const c = (await bundle('healthy_allow')).byId.config_summary;
    expect(c.status).toBe('ok');
    expect(c.evidence.selectedZone).toBe(ZONE_B);
    expect((c.evidence.endpoints as Record<string, string | null>).api).toBe(sim.apiUrl);
    const text = JSON.stringify(c);
    for (const secret of [sim.tokens.globalRead, sim.metricsBearer, sim.coordinatorToken]) expect(text).not.toContain(secret);
  });

  it('warns when a zone token has no CARACAL_ZONE_IDS', async () => {
    const c = (await bundle('healthy_allow', { client: { adminToken: sim.tokens.zoneRead } })).byId.config_summary;
    expect(c.status).toBe('warn');
    expect(checkNamed(c, 'zone visibility')!.detail).toContain('CARACAL_ZONE_IDS');
  });
});

describe('the bundle as a whole', () => {
  it('reuses the triage’s evidence: run() makes no call twice', async () => {
    sim.setScenario('grant_missing');
    await createTriageSession(simClient(sim), inputOf(sim.scenario)).run();
    const seen = callsSeen(sim);
    expect(seen.filter((c, i) => seen.indexOf(c) !== i)).toEqual([]);
  });

  it('a rejected admin token marks the Admin API items with invalid_admin_token (the CLI exits 2 on it)', async () => {
    const { byId } = await bundle('healthy_allow', { client: { adminToken: 'cat_' + 'z'.repeat(43) } });
    expect(byId.zones.evidence.code).toBe('invalid_admin_token');
    expect(byId.request_trace.evidence.code).toBe('invalid_admin_token');
  });
});
