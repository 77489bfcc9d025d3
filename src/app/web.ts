/**
 * The web half of the bot: the command flow over a TriageService, one ingress per chat
 * platform, the incident sources and the MCP server when configured, the host around them.
 * The caller owns the service (and, in `start`, shares its Redis connection and metrics
 * registry with the worker).
 */
import pino, { type Logger } from 'pino';
import { Registry } from 'prom-client';
import type { CallBudget } from '../caracal/budget';
import { DEFAULT_DEPLOYMENT, type DeploymentSettings } from '../caracal/deployments-file';
import type { ActConfig } from '../act/config';
import { createActDesk } from '../act/desk';
import { createSinkIngress } from '../act/sink/ingress';
import type { RoutingTable } from '../incidents/routes/load';
import { createRedactor } from '../redact/redact';
import { createCommandFlow } from '../commands/flow';
import type { IncidentsConfig } from '../incidents/config';
import { createMcpIngress } from '../mcp/http';
import { openDeployments } from '../triage/deployments';
import type { DeploymentDirectory } from '../commands/deployment-binding';
import { triagesOfService } from '../mcp/triages';
import { NO_LINKS } from '../report/config';
import type { McpHttpConfig } from './config';
import type { IncidentDesk } from '../incidents/desk';
import { createIncidentIngress } from '../incidents/ingress';
import { createTriagePageIngress } from '../page/ingress';
import type { Ingress } from '../ingress/ingress';
import { ingressMetrics } from '../ingress/metrics';
import type { PlatformInstance } from '../ingress/platform';
import type { ReadinessCheck, ReadinessReport } from '../ingress/readiness';
import type { HttpConfig } from '../server/config';
import type { LinksConfig } from '../report/config';
import { type WebServer, createWebServer } from '../server/web-server';
import type { TriageService } from '../ingress/service-api';
import type { RedisTriageService } from '../service/triage-service';
import { platformsInUse } from './platforms';

export interface WebHostOptions {
  service: TriageService | RedisTriageService;
  platforms: readonly PlatformInstance[];
  /** TRIAGE_SIGNING_KEY. */
  signingKey: string;
  /** Secret values to redact from pasted text and logs. */
  secrets?: string[];
  /** The process's own checks (Redis), before each ingress's. */
  readiness?: ReadinessCheck[];
  registry?: Registry;
  logger?: Logger;
  /** Longest wait for service.start before a platform answers anyway (default 2000 ms). */
  startTimeoutMs?: number;
  /** Timeouts and connection cap of the HTTP server. */
  http?: HttpConfig;
  /** The incident sources, when configured, and the desk that keeps one triage per incident. */
  incidents?: { config: IncidentsConfig; desk: IncidentDesk } | null;
  /**
   * Acting from chat (src/act): clicks on act buttons, and POST /hooks/caracal when the sink
   * secret is set (its cards routed by `routing`). Needs the Redis-backed service.
   */
  acts?: { config: ActConfig; routing: RoutingTable | null } | null;
  /**
   * `POST /mcp` (MCP_TOKEN set): its tools read Caracal in this process, redacting with `secrets`,
   * and the stored triages through `service` (its reads only).
   */
  mcp?: McpHttpConfig | null;
  /** The Admin API call budget of each deployment the MCP tools read (the one all processes share in Redis; else each engine's own). */
  mcpBudgetFor?: (deployment: DeploymentSettings) => CallBudget;
  /** Where a triage's links point (page, Console, runbook); the page is served when TRIAGE_PUBLIC_URL is set. */
  links?: LinksConfig;
  /** The deployments commands may name and the channels bound to them (src/app/deployments.ts); absent: one. */
  deployments?: DeploymentDirectory;
}

export interface WebHost extends WebServer {
  readonly ingresses: readonly Ingress[];
}

export function createWebHost(opts: WebHostOptions): WebHost {
  const logger = opts.logger ?? pino({ level: 'silent' });
  const registry = opts.registry ?? new Registry();
  const metrics = ingressMetrics(registry);
  // The flow answers `status` with the host's readiness, which exists only once the host does.
  let readiness: () => Promise<ReadinessReport> = async () => ({ ready: false, checks: [] });
  const redactor = createRedactor(opts.secrets ?? []);
  const flow = createCommandFlow({
    service: opts.service,
    signingKey: opts.signingKey,
    metrics,
    logger,
    redactor,
    readiness: () => readiness(),
    startTimeoutMs: opts.startTimeoutMs,
    links: opts.links,
    deployments: opts.deployments,
  });
  const byName = new Map(opts.platforms.map((p) => [p.platform, p]));
  const redisService = 'store' in opts.service && 'queues' in opts.service ? opts.service : null;
  if (opts.acts && !redisService) throw new Error('acting from chat needs the Redis-backed triage service (src/service/triage-service.ts)');
  const desk = opts.acts && redisService ? createActDesk({ service: redisService, config: opts.acts.config, signingKey: opts.signingKey, redactor, metrics, logger }) : undefined;
  const ingresses = opts.platforms.map((p) => p.ingress({ flow, metrics, logger, signingKey: opts.signingKey, links: opts.links, ...(desk ? { acts: desk } : {}) }));
  if (desk && opts.acts && opts.acts.config.sinkSecrets.length > 0 && opts.acts.routing) {
    ingresses.push(
      createSinkIngress({
        secrets: opts.acts.config.sinkSecrets,
        // One path per deployment when there are several: a delivery is decided where it came from.
        deployments: opts.deployments?.names ?? [DEFAULT_DEPLOYMENT],
        routing: opts.acts.routing,
        platforms: platformsInUse(byName.keys()),
        destination: (a) => byName.get(a.platform)!.destination(a),
        desk,
        metrics,
        logger,
      }),
    );
  }
  if (opts.incidents) {
    ingresses.push(
      createIncidentIngress({
        secrets: opts.incidents.config.secrets,
        pagerDutyReplayWindowMs: opts.incidents.config.pagerDutyReplayWindowMs,
        routing: opts.incidents.config.routing,
        platforms: platformsInUse(byName.keys()),
        destination: (a) => byName.get(a.platform)!.destination(a),
        desk: opts.incidents.desk,
        metrics,
        logger,
      }),
    );
  }
  if (opts.mcp) {
    const { caracal: _first, deployments, denials, ...settings } = opts.mcp;
    const triages = triagesOfService(opts.service, opts.links ?? NO_LINKS, opts.signingKey);
    // The tools read every deployment (`default` alone without CARACAL_DEPLOYMENTS_FILE), each with its own budget.
    const served = openDeployments(deployments.deployments, opts.secrets ?? [], opts.mcpBudgetFor ? { budgetFor: opts.mcpBudgetFor } : {});
    ingresses.push(createMcpIngress({ settings, denials, deployments: served, triages, logger }));
  }
  // Each triage's page, behind its signed link, when people have somewhere to open it.
  if (opts.links?.publicUrl) ingresses.push(createTriagePageIngress({ service: opts.service, signingKey: opts.signingKey, links: opts.links, logger }));
  const server = createWebServer({ ingresses, readiness: opts.readiness, registry, logger, http: opts.http });
  readiness = server.readiness;
  return { ...server, ingresses };
}
