/**
 * The deny watcher as a worker process runs it (WATCH_ENABLED), composed here: one watcher per
 * Caracal deployment of the registry (src/triage/deployments.ts), each with its own Redis
 * connection and its own lease, cursors, seen IDs and patterns (keys named by the deployment),
 * reading through that deployment's engine (its shared reads and its call budget); the incident
 * desk over the process's triage service, and the routes (`source: watch`, then
 * TRIAGE_DEFAULT_CHANNEL) to each platform's destination. Each notice names its deployment, so
 * the triage it opens reads that one. Also each deployment's Admin API call budget, which every
 * process of the bot shares through Redis.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { CallBudget } from '../caracal/budget';
import type { Destination } from '../chat/port';
import type { IncidentTriage } from '../incidents/incident';
import { destinationFor } from '../incidents/routes/route';
import type { RoutingTable } from '../incidents/routes/load';
import { DEFAULT_WATCH_RESERVE_PER_MIN, type WatchSettings } from '../incidents/watch/config';
import type { PlatformInstance } from '../ingress/platform';
import { createRedactor } from '../redact/redact';
import type { TriageRedis } from '../queue/triage-redis';
import { createIncidentDesk } from '../service/incident-desk';
import type { RedisTriageService } from '../service/triage-service';
import { redisCallBudget } from '../store/caracal-budget';
import { budgetMetrics, watchMetrics } from '../watch/metrics';
import { createWatchStore } from '../watch/state-store';
import { createDenyWatcher, type DenyWatcher } from '../watch/watcher';
import { isDefaultOnly, type Deployment, type Deployments } from '../triage/deployments';
import { platformsInUse } from './platforms';

/**
 * One deployment's budget over the process's `data` connection (defines its scripts: call before
 * anything runs on it). Each deployment has its own: one starved never delays another.
 */
export function sharedCallBudget(redis: TriageRedis, deployment: string, perMinute: number, registry: Registry, logger: Logger): CallBudget {
  const m = budgetMetrics(registry).of(deployment);
  let warned = false;
  return redisCallBudget(redis.data, redis.prefix, {
    deployment,
    perMinute,
    onWait: m.onWait,
    onRateLimited: m.onRateLimited,
    onError: (e) => {
      if (warned) return;
      warned = true;
      logger.warn({ deployment, err: e instanceof Error ? e.message : String(e) }, 'the Caracal call budget cannot reach Redis; Admin API calls wait until it can');
      setTimeout(() => (warned = false), 60_000).unref();
    },
  });
}

export interface WatcherParts {
  /** The deployment this watcher reads (its name keys what it keeps in Redis, and its engine's client reads Caracal). */
  deployment: Pick<Deployment, 'name' | 'engine'>;
  /** Notices name the deployment (several, or a deployments file); false while the bot serves only `default`. */
  named: boolean;
  settings: WatchSettings;
  routing: RoutingTable;
  /** INCIDENT_RETENTION: how long a pattern's incident record outlives its closed triage (ms). */
  retentionMs?: number;
  redis: TriageRedis;
  service: RedisTriageService;
  platforms: readonly PlatformInstance[];
  registry: Registry;
  logger: Logger;
  /** The configured secrets, redacted from what the watcher posts. */
  secrets: string[];
}

export interface RunningWatcher {
  watcher: DenyWatcher;
  stop(): Promise<void>;
}

export function startWatcher(p: WatcherParts): RunningWatcher {
  if (!p.redis.bull) throw new Error('the deny watcher runs in a worker (a TriageRedis opened for the worker role)');
  const connection = p.redis.bull.duplicate();
  // Its loss and return are reported with the process's other connections, once.
  p.redis.watch.attach(connection);
  const byName = new Map(p.platforms.map((x) => [x.platform, x]));
  const inUse = platformsInUse(byName.keys());
  const deployment = p.deployment.name;
  const logger = p.logger.child({ deployment });
  const log = logger.child({ component: 'watch' });
  const route = (t: IncidentTriage): Destination | null => {
    const r = destinationFor(t, p.routing, inUse);
    if (r.ok) return byName.get(r.to.platform)!.destination(r.to);
    log.warn({ pattern: t.incidentRef, reason: r.message }, 'no channel for this deny pattern');
    return null;
  };
  const watcher = createDenyWatcher({
    // Its own client, taking the slice of the budget kept for it: its polls never queue behind the triages they open.
    client: p.deployment.engine.watcherClient(p.settings.budgetReservePerMin ?? DEFAULT_WATCH_RESERVE_PER_MIN),
    store: createWatchStore(connection, p.redis.prefix, deployment),
    settings: p.settings,
    rules: p.routing.thresholds ?? [],
    metrics: watchMetrics(p.registry, deployment),
    logger,
    deployment: p.named ? deployment : null,
    desk: createIncidentDesk({ service: p.service, logger, retentionMs: p.retentionMs }),
    route,
    cardLink: async (id) => (await p.service.store.view(id))?.cardLink ?? null,
    redactor: createRedactor(p.secrets),
  });
  watcher.start();
  log.info({ intervalS: p.settings.intervalMs / 1000, overlapS: p.settings.overlapMs / 1000, budgetReservePerMin: p.settings.budgetReservePerMin ?? DEFAULT_WATCH_RESERVE_PER_MIN, ...p.settings.thresholds }, 'deny watcher started (one leader across workers for this deployment)');
  return {
    watcher,
    async stop() {
      await watcher.stop();
      connection.disconnect();
    },
  };
}

/** One watcher per deployment of the registry, started and stopped together (`worker`, `start`). */
export function startWatchers(p: Omit<WatcherParts, 'deployment' | 'named'> & { deployments: Deployments }): RunningWatcher[] {
  const named = !isDefaultOnly(p.deployments);
  const { deployments, ...rest } = p;
  return deployments.all.map((deployment) => startWatcher({ ...rest, deployment, named }));
}
