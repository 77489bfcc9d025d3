/**
 * A Caracal simulator: five real HTTP servers on loopback (API, STS, Gateway, Audit,
 * Coordinator) serving one scenario's state, with injectable faults. Tests, the benchmark and
 * `caracal-triage demo` use it, so it depends on node:http only (no jest).
 *
 *   const sim = await startSimulator({ scenario: 'grant_missing' });
 *   // CARACAL_API_URL=sim.apiUrl, CARACAL_ADMIN_TOKEN=sim.tokens.globalRead, …
 *   await sim.close();
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createSimActs } from './acts';
import { adminApi, type AdminToken } from './admin-api';
import { readJsonBody, listenLoopback, responseRequestId, writeResult, type LoopbackServer, type RouteContext, type RouteResult } from './http';
import { getScenario } from './scenarios';
import { coordinator, goService } from './services';
import { createAuditStream } from './audit-stream';
import { createRateLimit } from './rate-limit';
import { SIM_SERVICES, type Fault, type RecordedRequest, type Scenario, type SimService, type Simulator, type SimulatorOptions } from './types';

export * from './types';
export { SCENARIOS, SCENARIO_NAMES, getScenario } from './scenarios';
export * from './secrets';
export { APP_ID, RESOURCE_IDENTIFIER, ZONE_A, ZONE_B } from './world';
export { simulatorConfig, simulatorEnv } from './config';
export { denialRows, storm, watchScenario, watchZoneId, type DenialKind, type DenialSpec, type StormOptions } from './watch';
export { signSinkDelivery, deliverToSink, registerSink, type RegisteredSink, type SinkDelivery } from './sink';
export type { SimActs, SimApproval, SinkEvent } from './acts';

interface FaultEntry {
  service: SimService;
  pattern: string | RegExp;
  fault: Fault;
  remaining: number;
}

function matches(pattern: string | RegExp, path: string): boolean {
  if (pattern instanceof RegExp) return pattern.test(path);
  if (pattern.endsWith('*')) return path.startsWith(pattern.slice(0, -1));
  return path === pattern;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const adminToken = (): string => `cat_${randomBytes(32).toString('base64url')}`;

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  let scenario: Scenario = resolve(options.scenario ?? 'healthy_allow');
  let faults: FaultEntry[] = [];
  let latency: Partial<Record<SimService | '*', number>> = { ...options.latencyMs };
  const requests: RecordedRequest[] = [];
  const maxRecorded = options.maxRecorded ?? 10_000;
  let received = 0;
  const stream = createAuditStream();
  const limit = createRateLimit(options.rateLimitPerMinute ?? null, options.rateLimitBucketMs);
  /** The scenario with the streamed rows that are visible by now. */
  const current = (): Scenario => stream.apply(scenario, Date.now());

  const tokens = { globalRead: adminToken(), globalWrite: adminToken(), zoneRead: adminToken(), globalApprove: adminToken(), zoneApprove: adminToken(), zoneWrite: adminToken() };
  const acts = createSimActs();
  const metricsBearer = `metrics-${randomBytes(16).toString('hex')}`;
  const coordinatorToken = `coord-${randomBytes(16).toString('hex')}`;
  const requireMetrics = options.requireMetricsBearer ?? true;
  // The zone token is pinned to the zone requests live in (the last), so zone-token triages work.
  const zoneTokenZone = (): string => scenario.zones[scenario.zones.length - 1]!.zone.id;

  const tokenTable = (): Map<string, AdminToken> =>
    new Map<string, AdminToken>([
      [tokens.globalRead, { scope: 'global', capability: 'read' }],
      [tokens.globalWrite, { scope: 'global', capability: 'write' }],
      [tokens.zoneRead, { scope: 'zone', zoneId: zoneTokenZone(), capability: 'read' }],
      [tokens.globalApprove, { scope: 'global', capability: 'approve' }],
      [tokens.zoneApprove, { scope: 'zone', zoneId: zoneTokenZone(), capability: 'approve' }],
      [tokens.zoneWrite, { scope: 'zone', zoneId: zoneTokenZone(), capability: 'write' }],
    ]);
  const serviceDeps = { scenario: () => scenario, metricsBearer: requireMetrics ? metricsBearer : null, coordinatorToken };

  function route(ctx: RouteContext): RouteResult {
    switch (ctx.service) {
      case 'api':
        return adminApi(ctx, { scenario: current, tokens: tokenTable(), metricsBearer: requireMetrics ? metricsBearer : null, acts });
      case 'coordinator':
        return coordinator(ctx, serviceDeps);
      default:
        return goService(ctx, serviceDeps);
    }
  }

  function takeFault(service: SimService, path: string): Fault | undefined {
    const entry = faults.find((f) => f.service === service && f.remaining > 0 && matches(f.pattern, path));
    if (!entry) return undefined;
    entry.remaining -= 1;
    return entry.fault;
  }

  const handler = (service: SimService) => async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const requestId = responseRequestId(service, req.headers['x-request-id']);
    const record: RecordedRequest = {
      service,
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.search.replace(/^\?/, ''),
      headers: { ...req.headers },
      responseRequestId: requestId,
      status: 0,
      at: Date.now(),
    };
    received++;
    requests.push(record);
    if (requests.length > maxRecorded) requests.splice(0, requests.length - maxRecorded);
    res.on('finish', () => {
      record.status = res.statusCode;
    });

    const body = await readJsonBody(req);
    if (service === 'api' && url.pathname.startsWith('/v1/')) {
      const refused = limit.admit(req.socket.remoteAddress ?? '', req.headers.authorization ?? '', Date.now());
      if (refused) {
        writeResult(res, requestId, refused);
        return;
      }
    }
    const fault = takeFault(service, url.pathname);
    const delay = (latency[service] ?? latency['*'] ?? 0) + (fault?.latencyMs ?? 0);
    if (delay > 0) await sleep(delay);
    if (res.destroyed) return;
    if (fault?.hang) return; // never answer; close() destroys the socket
    if (fault?.drop) {
      req.socket.destroy();
      return;
    }
    let result: RouteResult;
    if (fault?.body !== undefined) result = { status: fault.status ?? 200, text: fault.body, headers: fault.headers };
    else if (fault?.json !== undefined) result = { status: fault.status ?? 200, body: fault.json, headers: fault.headers };
    else if (fault?.status !== undefined) result = { status: fault.status, body: { error: 'simulated_fault' }, headers: fault.headers };
    else {
      try {
        result = route({ service, method: record.method, path: url.pathname, query: url.searchParams, headers: req.headers, requestId, body });
      } catch {
        result = { status: 500, body: { error: 'internal_error', error_description: 'The service failed to process the request', requestId: '$requestId' } };
      }
      if (fault?.headers) result = { ...result, headers: { ...result.headers, ...fault.headers } };
    }
    if (fault?.afterMs) await sleep(fault.afterMs);
    if (res.destroyed) return;
    writeResult(res, requestId, result);
  };

  const servers: Partial<Record<SimService, LoopbackServer>> = {};
  try {
    for (const svc of SIM_SERVICES) servers[svc] = await listenLoopback(handler(svc));
  } catch (e) {
    await Promise.all(Object.values(servers).map((s) => s.close()));
    throw e;
  }

  return {
    apiUrl: servers.api!.url,
    stsUrl: servers.sts!.url,
    gatewayUrl: servers.gateway!.url,
    auditUrl: servers.audit!.url,
    coordinatorUrl: servers.coordinator!.url,
    tokens,
    metricsBearer,
    coordinatorToken,
    get zoneIds() {
      return scenario.zones.map((z) => z.zone.id);
    },
    get scenario() {
      return scenario;
    },
    requests,
    get received() {
      return received;
    },
    setScenario(s) {
      scenario = resolve(s);
      acts.reset();
    },
    acts,
    setFault(service, pathPattern, fault) {
      faults.push({ service, pattern: pathPattern, fault, remaining: fault.times ?? Number.POSITIVE_INFINITY });
    },
    clearFaults() {
      faults = [];
    },
    setLatency(l) {
      latency = { ...l };
    },
    clearRequests() {
      requests.splice(0, requests.length);
    },
    streamAudit(rows) {
      stream.add(rows, scenario);
    },
    get pendingAudit() {
      return stream.pending(Date.now());
    },
    get rateLimited() {
      return limit.refused;
    },
    get v1Calls() {
      return limit.seen;
    },
    setRateLimit(perMinute) {
      limit.set(perMinute);
    },
    async close() {
      await Promise.all(Object.values(servers).map((s) => s.close()));
    },
  };
}

function resolve(s: string | Scenario): Scenario {
  return typeof s === 'string' ? getScenario(s) : s;
}
