/** A Caracal client pointed at the simulator, as the CLI would build it from the environment. */
import { createCaracalClient, type CaracalClientHandle } from '../../../src/caracal/client';
import type { CaracalConfig } from '../../../src/caracal/config';
import type { TriageInput } from '../../../src/triage/record';
import { simulatorConfig, type Scenario, type Simulator } from '../../../sim';

export function simConfig(sim: Simulator, over: Partial<CaracalConfig> = {}): CaracalConfig {
  return simulatorConfig(sim, over);
}

/** The admin token and CARACAL_ZONE_IDS a scenario says the bot runs with. */
export function scenarioAuth(sim: Simulator, s: Scenario): Partial<CaracalConfig> {
  return {
    adminToken: sim.tokens[s.input.adminToken ?? 'globalRead'],
    zoneIds: (s.input.configuredZones ?? []).map((i) => s.zones[i]!.zone.id),
  };
}

/** Only the Admin API configured, as on a deployment without the Go services. */
export function apiOnly(sim: Simulator, s: Scenario): Partial<CaracalConfig> {
  return { ...scenarioAuth(sim, s), stsUrl: undefined, gatewayUrl: undefined, auditUrl: undefined, coordinatorUrl: undefined, metricsBearer: undefined, coordinatorToken: undefined };
}

const open: CaracalClientHandle[] = [];

export function simClient(sim: Simulator, over: Partial<CaracalConfig> = {}): CaracalClientHandle {
  const c = createCaracalClient(simConfig(sim, over));
  open.push(c);
  return c;
}

export async function closeSimClients(): Promise<void> {
  await Promise.all(open.splice(0).map((c) => c.close()));
}

/** What the user typed for this scenario. */
export function inputOf(s: Scenario, over: Partial<TriageInput> = {}): TriageInput {
  return { requestId: s.input.requestId, zoneId: null, symptom: s.input.symptom ?? null, error: s.input.error ?? null, ...over };
}

/** Method + path + query of every request the simulator saw, for "each call once" checks. */
export function callsSeen(sim: Simulator): string[] {
  return sim.requests.map((r) => `${r.service} ${r.method} ${r.path}${r.query ? `?${r.query}` : ''}`);
}
