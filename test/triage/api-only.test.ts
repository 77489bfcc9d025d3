/**
 * A deployment where only the Admin API runs (no Go STS, Gateway or Audit), so the
 * bot has CARACAL_API_URL and an admin token and nothing else. Every scenario whose cause
 * shows through the API alone must get the same diagnosis as with every service configured;
 * the services that are not configured are reported as such, never as failures, and never
 * called.
 */
import { createTriageSession } from '../../src/triage/session';
import { SCENARIOS, startSimulator, type Scenario, type Simulator } from '../../sim';
import { apiOnly, closeSimClients, inputOf, simClient } from './support/simulated';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
});
afterEach(async () => {
  sim.clearRequests();
  await closeSimClients();
});

const visible = SCENARIOS.filter((s) => s.causeVisibleViaApi);

async function triageApiOnly(scenario: Scenario) {
  sim.setScenario(scenario);
  return createTriageSession(simClient(sim, apiOnly(sim, scenario)), inputOf(scenario)).run();
}

it('covers the STS-side causes the API shows', () => {
  const causes = visible.map((s) => s.expect.cause);
  for (const cause of ['resource_not_found', 'scope_not_granted', 'no_active_grant', 'no_active_policy_set', 'propagation_failed', 'scope_mismatch', 'application_expired', 'rate_limited', 'approval_expired', 'role_scope_mismatch', 'policy_eval_failed', 'replay_detected', 'activation_not_loaded']) {
    expect(causes).toContain(cause);
  }
});

describe.each(visible.map((s) => [s.name, s] as const))('%s with only the Admin API configured', (_name, scenario) => {
  it('gets the same diagnosis, and calls nothing but the API', async () => {
    const report = await triageApiOnly(scenario);
    const want = scenario.expect;
    if (want.surface === null) expect(report.diagnosis).toBeNull();
    else expect(report.diagnosis).toMatchObject({ surface: want.surface, step: want.step, cause: want.cause });
    expect(report.steps.some((s) => s.verdict === 'fail')).toBe(want.exit === 1);
    expect(new Set(sim.requests.map((r) => r.service))).toEqual(new Set(['api']));
  });

  it('reports the other services as not configured, never as failing', async () => {
    const report = await triageApiOnly(scenario);
    const readiness = report.steps.find((s) => s.id === 'readiness')!;
    const services = readiness.evidence.services as Array<{ service: string; state: string }>;
    expect(services.filter((s) => s.service !== 'api').map((s) => s.state)).toEqual(['not_configured', 'not_configured', 'not_configured', 'not_configured']);
    for (const step of report.steps) {
      if (step.verdict === 'fail') expect(step.cause).not.toMatch(/not_configured|^(sts|gateway|audit|coordinator)_unreachable$/);
    }
    const bundleReadiness = report.bundle.items.find((i) => i.id === 'readiness')!;
    expect(bundleReadiness.evidence.notConfigured).toEqual(['sts', 'gateway', 'audit', 'coordinator']);
  });
});
