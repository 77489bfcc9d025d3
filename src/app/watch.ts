/**
 * The deny watcher as a worker process runs it (WATCH_ENABLED), composed here: its own Redis
 * connection (the lease, cursors, seen IDs and patterns), the worker's Caracal client (the
 * shared reads and the one call budget), the incident desk over the process's triage service,
 * and the routes (`source: watch`, then TRIAGE_DEFAULT_CHANNEL) to each platform's destination.
 * Also the Admin API call budget every process of the bot shares through Redis.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { CallBudget } from '../caracal/budget';
import type { CaracalClient } from '../caracal/client-api';
import type { Destination } from '../chat/port';
import type { IncidentTriage } from '../incidents/incident';
import { destinationFor } from '../incidents/routes/route';
import type { RoutingTable } from '../incidents/routes/load';
import type { WatchSettings } from '../incidents/watch/config';
import type { PlatformInstance } from '../ingress/platform';
import { createRedactor } from '../redact/redact';
import type { TriageRedis } from '../queue/triage-redis';
import { createIncidentDesk } from '../service/incident-desk';
import type { RedisTriageService } from '../service/triage-service';
import { redisCallBudget } from '../store/caracal-budget';
import { budgetMetrics, watchMetrics } from '../watch/metrics';
import { createWatchStore } from '../watch/state-store';
import { createDenyWatcher, type DenyWatcher } from '../watch/watcher';
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
  settings: WatchSettings;
  routing: RoutingTable;
  /** INCIDENT_RETENTION: how long a pattern's incident record outlives its closed triage (ms). */
  retentionMs?: number;
  redis: TriageRedis;
  service: RedisTriageService;
  platforms: readonly PlatformInstance[];
  client: CaracalClient;
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
  const log = p.logger.child({ component: 'watch' });
  const route = (t: IncidentTriage): Destination | null => {
    const r = destinationFor(t, p.routing, inUse);
    if (r.ok) return byName.get(r.to.platform)!.destination(r.to);
    log.warn({ pattern: t.incidentRef, reason: r.message }, 'no channel for this deny pattern');
    return null;
  };
  const watcher = createDenyWatcher({
    client: p.client,
    store: createWatchStore(connection, p.redis.prefix),
    settings: p.settings,
    rules: p.routing.thresholds ?? [],
    metrics: watchMetrics(p.registry),
    logger: p.logger,
    desk: createIncidentDesk({ service: p.service, logger: p.logger, retentionMs: p.retentionMs }),
    route,
    cardLink: async (id) => (await p.service.store.view(id))?.cardLink ?? null,
    redactor: createRedactor(p.secrets),
  });
  watcher.start();
  log.info({ intervalS: p.settings.intervalMs / 1000, overlapS: p.settings.overlapMs / 1000, ...p.settings.thresholds }, 'deny watcher started (one leader across workers)');
  return {
    watcher,
    async stop() {
      await watcher.stop();
      connection.disconnect();
    },
  };
}
