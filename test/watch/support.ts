/**
 * The deny watcher as a worker runs it, in this process: the simulator with N watch zones (rows
 * streamed as they would appear), real Redis, the real triage service and incident desk, a
 * worker half posting to a recording port, and watchers built like src/app/watch.ts builds one
 * (each with its own Redis connection, as separate worker processes have). Short intervals keep
 * the tests fast; `tick(true)` polls at once.
 */
import IORedis, { type Redis } from 'ioredis';
import pino from 'pino';
import { Registry } from 'prom-client';
import { createCaracalClient, type CaracalClientHandle } from '../../src/caracal/client';
import type { WatchSettings } from '../../src/incidents/watch/config';
import type { ThresholdRule } from '../../src/incidents/watch/thresholds';
import { createIncidentDesk } from '../../src/service/incident-desk';
import { createRedactor } from '../../src/redact/redact';
import type { IncidentDesk } from '../../src/incidents/desk';
import type { RedisTriageService } from '../../src/service/triage-service';
import type { WorkerHalf } from '../../src/app/worker';
import { createTriageSession } from '../../src/triage/session';
import type { TriageRecord } from '../../src/triage/record';
import { watchMetrics } from '../../src/watch/metrics';
import { createWatchStore } from '../../src/watch/state-store';
import { createDenyWatcher, type DenyWatcher } from '../../src/watch/watcher';
import { simulatorConfig, startSimulator, watchScenario, type Simulator } from '../../sim';
import { createMemoryPort, type MemoryChatPort } from '../support/memory-port';
import { openService, startWorkerSet } from '../support/halves';
import { SIGNING_KEY, deleteByPrefix, silent, uniquePrefix, waitFor } from '../queue/harness';

/** A configured secret (as the worker's TRIAGE_SIGNING_KEY or a token would be): never stored or posted. */
export const SECRET = 'configured-secret-0123456789abcdef';

export const SETTINGS: WatchSettings = {
  enabled: true,
  // tick(true) polls without the background renewal: the lease (1.5 intervals) must outlast a poll.
  intervalMs: 3000,
  overlapMs: 120_000,
  quietMs: 900_000,
  thresholds: { minDenials: 5, windowMs: 300_000, baselineFactor: 3 },
};

export interface WatchHarness {
  prefix: string;
  sim: Simulator;
  redis: Redis;
  registry: Registry;
  service: RedisTriageService;
  port: MemoryChatPort;
  /** A watcher like a worker process's (its own connection); `desk` replaces the real one. */
  watcher(o?: { settings?: Partial<WatchSettings>; rules?: ThresholdRule[]; desk?: IncidentDesk; name?: string; now?: () => number }): DenyWatcher;
  /** Every triage the watcher opened, oldest first. */
  triages(): Promise<TriageRecord[]>;
  /** Posting of cards (the worker half). */
  startWorkers(): WorkerHalf;
  metric(name: string): Promise<number>;
  close(): Promise<void>;
}

export async function createWatchHarness(name: string, zones = 2): Promise<WatchHarness> {
  const prefix = uniquePrefix(name);
  const redisUrl = process.env.REDIS_URL!;
  const redis = new IORedis(redisUrl);
  const sim = await startSimulator({ scenario: watchScenario(zones) });
  const client: CaracalClientHandle = createCaracalClient(simulatorConfig(sim, { timeoutMs: 5000 }));
  const registry = new Registry();
  const service = await openService({ redisUrl, role: 'worker', signingKey: SIGNING_KEY, prefix, logger: silent, registry, cardDebounceMs: 50 });
  const port = createMemoryPort();
  const connections: Redis[] = [];
  const watchers: DenyWatcher[] = [];
  const workers: WorkerHalf[] = [];
  const triageIds = new Set<string>();

  return {
    prefix,
    sim,
    redis,
    registry,
    service,
    port,
    watcher(o = {}) {
      const connection = new IORedis(redisUrl, { maxRetriesPerRequest: null });
      connections.push(connection);
      const desk = o.desk ?? createIncidentDesk({ service, logger: silent });
      const recording: IncidentDesk = {
        receive: async (n) => {
          const r = await desk.receive(n);
          if (r.triageId) triageIds.add(r.triageId);
          return r;
        },
      };
      const w = createDenyWatcher({
        client,
        store: createWatchStore(connection, prefix, 'default'),
        settings: { ...SETTINGS, ...o.settings, thresholds: { ...SETTINGS.thresholds, ...o.settings?.thresholds } },
        rules: o.rules ?? [],
        metrics: watchMetrics(registry),
        logger: process.env.DEBUG_WATCH ? pino({ level: 'debug' }) : silent,
        desk: recording,
        route: () => ({ platform: 'slack', channel: 'C-watch' }),
        cardLink: async (id) => (await service.store.view(id))?.cardLink ?? null,
        redactor: createRedactor([SECRET]),
        name: o.name,
        now: o.now,
      });
      watchers.push(w);
      return w;
    },
    async triages() {
      const out: TriageRecord[] = [];
      for (const id of triageIds) {
        const r = await service.get(id);
        if (r) out.push(r);
      }
      return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    },
    startWorkers() {
      const w = startWorkerSet({
        redisUrl,
        signingKey: SIGNING_KEY,
        ports: { slack: port },
        client,
        createSession: createTriageSession,
        prefix,
        registry,
        logger: silent,
        cardDebounceMs: 50,
        sweepEveryMs: 0,
        limits: { slack: { post: { points: 50, durationSec: 1 }, update: { points: 50, durationSec: 1 } } },
        lockDurationMs: 5000,
        stalledIntervalMs: 1000,
        noCardDelayMs: 50,
      });
      workers.push(w);
      return w;
    },
    async metric(metric) {
      const m = registry.getSingleMetric(metric);
      if (!m) return 0;
      return (await m.get()).values.reduce((n, v) => n + v.value, 0);
    },
    async close() {
      await Promise.all(watchers.map((w) => w.stop()));
      await Promise.all(workers.map((w) => w.close(5000)));
      connections.forEach((c) => c.disconnect());
      await service.close();
      await deleteByPrefix(redis, prefix).catch(() => undefined);
      redis.disconnect();
      await client.close();
      await sim.close();
    },
  };
}

export { waitFor };
