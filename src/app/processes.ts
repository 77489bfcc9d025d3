/**
 * The bot's long-running processes, from their configuration (config.ts: web or worker):
 *
 *   serve   web: every configured platform's ingress, the incident hooks and POST /mcp when
 *           configured, /healthz, /readyz, /metrics
 *   worker  the collect and post workers, posting through every configured platform; with PORT
 *           set, also /healthz, /readyz (Redis) and /metrics (its job and chat counters)
 *   start   both in one process, sharing one store, audit log and set of queues (one
 *           TriageRedis), one Redis readiness check, one metrics registry, one logger
 *
 * A worker (and `start`) also runs the deny watcher when WATCH_ENABLED is true (one leader
 * across every worker, src/watch/), and reads Caracal within the one call budget all of the
 * bot's processes share in Redis (CARACAL_API_BUDGET_PER_MIN).
 *
 * Each checks Redis once, opens what it keeps there once (src/queue/triage-redis.ts), runs
 * until SIGTERM/SIGINT (shutdown.ts), and resolves only then.
 * Problems before anything runs are ConfigErrors: the CLI prints them and exits 2.
 */
import type { Logger } from 'pino';
import { DEFAULT_BUDGET_PER_MINUTE, type CallBudget } from '../caracal/budget';
import type { DeploymentSettings } from '../caracal/deployments-file';
import { Registry } from 'prom-client';
import { sinkPaths } from '../act/sink/ingress';
import { enabledIncidentSources } from '../incidents/sources';
import { createIncidentDesk } from '../service/incident-desk';
import { triageMetrics } from '../queue/metrics';
import { openTriageRedis, type TriageRedis } from '../queue/triage-redis';
import { createTriageService } from '../service/triage-service';
import { safeRedisUrl, waitForRedis } from '../store/redis';
import { createRedisWatch } from '../store/redis-watch';
import { ConfigError } from '../config/problems';
import type { PlatformInstance } from '../ingress/platform';
import { MCP_PATH } from '../mcp/http';
import { createLogger, routeLibraryWarnings } from '../log';
import type { WebConfig, WorkerConfig } from './config';
import { CHANNEL_ADDRESSES, openPlatforms } from './platforms';
import { exitOnSignals } from './shutdown';
import { createWebServer, type WebServer } from '../server/web-server';
import { createWebHost, type WebHost } from './web';
import { startWorkerHalf, workerEngine, type WorkerEngine, type WorkerHalf } from './worker';
import { sharedCallBudget, startWatchers, type RunningWatcher } from './watch';
import type { RedisTriageService } from '../service/triage-service';
import { webDeployments } from './deployments';

export interface ProcessHandle {
  /** The web port, when the process serves HTTP. */
  port: number | null;
  stop(): Promise<void>;
}

export interface RunOptions {
  web: boolean;
  worker: boolean;
  /** Install SIGTERM/SIGINT handlers that stop and exit (default true). */
  handleSignals?: boolean;
  logger?: Logger;
  /** Listen address (default all interfaces). */
  host?: string;
}

/** A web half must not start over a Redis it cannot use: one line naming REDIS_URL. */
async function readyForWeb(redis: TriageRedis, redisUrl: string): Promise<void> {
  try {
    await redis.whenReady(5000);
  } catch (e) {
    throw ConfigError.of('REDIS_URL', `cannot reach Redis at ${safeRedisUrl(redisUrl)} (${e instanceof Error ? e.message : String(e)})`);
  }
}

const isWorkerConfig = (c: WebConfig | WorkerConfig): c is WorkerConfig => 'caracal' in c;

/**
 * The web half as `serve` and `start` compose it over the process's TriageRedis: the triage
 * service, the incident desk when sources are configured, and the host with every ingress the
 * configuration turns on (test/app/ingress-routes.test.ts holds each of its routes to the edge).
 */
export function composeWebHost(
  config: WebConfig,
  o: {
    redis: TriageRedis;
    platforms: readonly PlatformInstance[];
    registry: Registry;
    logger: Logger;
    /** The process's triage service when another half shares it (`start`: the deny watcher); else one of its own. */
    service?: RedisTriageService;
    /** Each deployment's Admin API call budget the MCP tools' reads take from (the one every process shares in Redis). */
    mcpBudgetFor?: (deployment: DeploymentSettings) => CallBudget;
  },
): WebHost {
  const { redis, logger } = o;
  const service = o.service ?? createTriageService({ redis, logger, escalation: config.followUp.escalateDefault, placeOf: CHANNEL_ADDRESSES.place });
  // Commands name and channels bind deployments; an incident reads its channel's (or its zone's).
  const deployments = webDeployments(config.deployments);
  const incidents = config.incidents ? { config: config.incidents, desk: createIncidentDesk({ service, logger, retentionMs: config.incidents.retentionMs, deploymentOf: deployments.deploymentOf }) } : null;
  for (const w of config.incidents?.warnings ?? []) logger.warn({ file: config.incidents?.routing.file }, w);
  return createWebHost({ service, platforms: o.platforms, signingKey: config.runtime.signingKey, secrets: config.secrets, registry: o.registry, logger, readiness: [redis.readiness], http: config.http, incidents, mcp: config.mcp, ...(o.mcpBudgetFor ? { mcpBudgetFor: o.mcpBudgetFor } : {}), links: config.links, deployments, acts: { config: config.acts, routing: config.incidents?.routing ?? null } });
}

/** Runs what `opts` asks for; resolves once it runs (the process then lives until a signal). A worker needs the worker's configuration. */
export function runProcesses(config: WorkerConfig, opts: RunOptions): Promise<ProcessHandle>;
export function runProcesses(config: WebConfig, opts: RunOptions & { worker: false }): Promise<ProcessHandle>;
export async function runProcesses(config: WebConfig | WorkerConfig, opts: RunOptions): Promise<ProcessHandle> {
  const runtime = config.runtime;
  const name = opts.web ? 'caracal-triage' : 'caracal-triage-worker';
  const logger = opts.logger ?? createLogger(name, { level: config.logLevel, secrets: config.secrets });
  const unreachable = await waitForRedis(runtime.redisUrl, {
    timeoutMs: runtime.redisStartupTimeoutMs,
    allowEviction: runtime.redisAllowEviction,
    onRetry: (why, nextInMs, attempt) => logger.warn({ attempt, retryInMs: nextInMs, reason: why }, 'Redis is not reachable yet; retrying'),
    onPolicy: (policy) => {
      if (policy === null) logger.warn({ redis: safeRedisUrl(runtime.redisUrl) }, 'could not read maxmemory-policy from Redis (INFO memory refused); make sure it is noeviction');
    },
  });
  if (unreachable) throw unreachable;
  // BullMQ's own eviction warnings (plain console lines) go into this log as one record.
  const restoreWarnings = routeLibraryWarnings(logger);
  const registry = new Registry();
  const platforms = await openPlatforms(config.platforms);
  // One watch per process: one line when Redis is lost, one when it is back, whatever the halves.
  const redisWatch = createRedisWatch(logger, runtime.redisUrl);

  // What the process keeps in Redis, opened once: in `start` both halves share it.
  const redis = openTriageRedis({ url: runtime.redisUrl, role: opts.worker ? 'worker' : 'web', signingKey: runtime.signingKey, metrics: triageMetrics(registry), logger, watch: redisWatch, incidentRetentionMs: config.incidents?.retentionMs });

  let web: WebHost | WebServer | null = null;
  let engine: WorkerEngine | null = null;
  let worker: WorkerHalf | null = null;
  let watchers: RunningWatcher[] = [];
  let service: RedisTriageService | null = null;
  // One service for the web half and the watcher (in `start` they share it).
  // One Admin API budget per deployment for the process (its metrics registered once), whichever half reads Caracal.
  const budgets = new Map<string, CallBudget>();
  const budgetFor = (d: DeploymentSettings): CallBudget => {
    let b = budgets.get(d.name);
    if (!b) budgets.set(d.name, (b = sharedCallBudget(redis, d.name, d.caracal.budgetPerMinute ?? DEFAULT_BUDGET_PER_MINUTE, registry, logger)));
    return b;
  };
  const serviceOnce = (): RedisTriageService => (service ??= createTriageService({ redis, logger, escalation: config.followUp.escalateDefault, placeOf: CHANNEL_ADDRESSES.place }));
  const stop = async (): Promise<void> => {
    // Stop taking requests first, then let the worker finish what it holds (bounded inside).
    await web?.close().catch((e: Error) => logger.error({ err: e.message }, 'web close failed'));
    await Promise.all(watchers.map((w) => w.stop().catch((e: Error) => logger.error({ err: e.message }, 'deny watcher stop failed'))));
    await worker?.close().catch((e: Error) => logger.error({ err: e.message }, 'worker close failed'));
    await engine?.close();
    await redis.close();
    restoreWarnings();
  };
  try {
    if (opts.web) await readyForWeb(redis, runtime.redisUrl);
    // The worker half first: it defines the limiter's scripts before anything uses the store's connection.
    if (opts.worker) {
      if (!isWorkerConfig(config)) throw new Error('a worker needs the worker configuration (loadWorkerConfig)');
      engine = workerEngine(config, { platforms, logger, budgetFor });
      const f = config.followUp;
      worker = startWorkerHalf({
        redis,
        logger,
        ports: engine.ports,
        client: engine.client,
        freshClient: engine.freshClient,
        createSession: engine.createSession,
        deployments: engine.deployments,
        redactor: engine.redactor,
        staleAfterMs: f.abandonAfterMs,
        remindAfterMs: f.remindAfterMs,
        pagerduty: f.pagerduty,
        notes: f.notes,
        act: { config: config.acts, caracal: config.caracal, redactor: engine.redactor, signingKey: runtime.signingKey },
      });
      if (config.watch.enabled && config.incidents) {
        // One watcher per deployment, each with its own lease: a storm in one never delays another's.
        watchers = startWatchers({ deployments: engine.deployments, settings: config.watch, routing: config.incidents.routing, retentionMs: config.incidents.retentionMs, redis, service: serviceOnce(), platforms, registry, logger, secrets: config.secrets });
      }
    }
    if (opts.web) web = composeWebHost(config, { redis, platforms, registry, logger, service: serviceOnce(), ...(config.mcp ? { mcpBudgetFor: budgetFor } : {}) });
    // A worker on its own serves no platform, but an orchestrator still wants to probe it and
    // Prometheus to scrape its job and chat counters.
    if (!web && worker && runtime.portGiven) web = createWebServer({ ingresses: [], readiness: [redis.readiness], registry, logger, http: config.http });
    const port = web ? await web.listen(runtime.port, opts.host) : null;
    const started = platforms.map((p) => p.describe);
    if (opts.web && started.length === 0) logger.warn('no chat platform configured: serving health, readiness and metrics only');
    const hooks = opts.web && config.incidents ? enabledIncidentSources(config.incidents.secrets, CHANNEL_ADDRESSES).map((h) => h.path) : [];
    if (opts.web && config.acts.sinkSecrets.length > 0) hooks.push(...sinkPaths(config.deployments.deployments.map((d) => d.name)).map((p) => p.path));
    const mcp = opts.web && config.mcp ? { mcp: MCP_PATH } : {};
    logger.info({ port, platforms: started, ...(hooks.length ? { incidentHooks: hooks } : {}), ...mcp, worker: opts.worker }, opts.web && opts.worker ? 'web and worker running' : opts.web ? 'web running' : 'worker running');
    if (opts.handleSignals ?? true) exitOnSignals(stop, logger);
    return { port, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
