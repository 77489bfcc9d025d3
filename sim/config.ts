/**
 * How to point caracal-triage at a running simulator: as a CaracalConfig (in-process use) or
 * as the environment the CLI and the bot processes read. One place, so tests, benchmarks and
 * the demo agree on it.
 */
import type { CaracalConfig } from '../src/caracal/config';
import type { Simulator } from './types';

/** Every service probed, the global read token, and the simulator's metrics/coordinator bearers. */
export function simulatorConfig(sim: Simulator, over: Partial<CaracalConfig> = {}): CaracalConfig {
  return {
    apiUrl: sim.apiUrl,
    adminToken: sim.tokens.globalRead,
    zoneIds: [],
    stsUrl: sim.stsUrl,
    gatewayUrl: sim.gatewayUrl,
    auditUrl: sim.auditUrl,
    coordinatorUrl: sim.coordinatorUrl,
    metricsBearer: sim.metricsBearer,
    coordinatorToken: sim.coordinatorToken,
    timeoutMs: 3000,
    ...over,
  };
}

/** The same as environment variables (CARACAL_*), for the CLI and `serve`/`worker`/`start`. */
export function simulatorEnv(sim: Simulator, over: Record<string, string> = {}): Record<string, string> {
  return {
    CARACAL_API_URL: sim.apiUrl,
    CARACAL_ADMIN_TOKEN: sim.tokens.globalRead,
    CARACAL_STS_URL: sim.stsUrl,
    CARACAL_GATEWAY_URL: sim.gatewayUrl,
    CARACAL_AUDIT_URL: sim.auditUrl,
    CARACAL_COORDINATOR_URL: sim.coordinatorUrl,
    CARACAL_METRICS_BEARER: sim.metricsBearer,
    CARACAL_COORDINATOR_TOKEN: sim.coordinatorToken,
    ...over,
  };
}
