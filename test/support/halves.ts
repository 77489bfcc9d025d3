/**
 * The bot's two halves as tests run them, each standing for its own process the way
 * src/app/processes.ts composes one: a TriageRedis of its own (src/queue/triage-redis.ts), and
 * over it the web side's TriageService or the worker half. `close()` releases that TriageRedis
 * too, so a test closes each half as it would stop a process.
 */
import type { Logger } from 'pino';
import pino from 'pino';
import type { Registry } from 'prom-client';
import type { WorkerConfig } from '../../src/app/config';
import { startWorkerHalf, workerEngine, type WorkerHalf, type WorkerHalfOptions } from '../../src/app/worker';
import type { ChatPorts } from '../../src/posting/ports';
import { triageMetrics } from '../../src/queue/metrics';
import { openTriageRedis, type RedisRole } from '../../src/queue/triage-redis';
import { createTriageService, type RedisTriageService, type TriageServiceOptions } from '../../src/service/triage-service';
import { CHANNEL_ADDRESSES } from '../../src/app/platforms';
import type { CallBudget } from '../../src/caracal/budget';
import type { DeploymentSettings } from '../../src/caracal/deployments-file';

export interface HalfRedis {
  redisUrl: string;
  signingKey: string;
  prefix: string;
  /** Shared with the other halves a test runs, so /metrics-style assertions see every counter. */
  registry?: Registry;
  logger?: Logger;
}

/**
 * The service as a web process opens it (role `web`: the fail-fast producer connection), or
 * over worker connections that wait out a Redis restart (role `worker`, as `start` shares them).
 */
export async function openService(o: HalfRedis & Omit<TriageServiceOptions, 'redis' | 'logger'> & { role?: RedisRole; incidentRetentionMs?: number }): Promise<RedisTriageService> {
  const logger = o.logger ?? pino({ level: 'silent' });
  const redis = openTriageRedis({ url: o.redisUrl, role: o.role ?? 'web', signingKey: o.signingKey, prefix: o.prefix, metrics: triageMetrics(o.registry), logger, incidentRetentionMs: o.incidentRetentionMs });
  try {
    await redis.whenReady(5000);
  } catch (e) {
    await redis.close();
    throw e;
  }
  const service = createTriageService({ placeOf: CHANNEL_ADDRESSES.place, ...o, redis, logger });
  return { ...service, close: () => redis.close() };
}

export type WorkerSetOptions = HalfRedis & Omit<WorkerHalfOptions, 'redis' | 'logger'>;

/** A worker process's half: its own TriageRedis (role `worker`) and the worker half over it. */
export function startWorkerSet(o: WorkerSetOptions): WorkerHalf {
  const logger = o.logger ?? pino({ level: 'silent' });
  const redis = openTriageRedis({ url: o.redisUrl, role: 'worker', signingKey: o.signingKey, prefix: o.prefix, metrics: triageMetrics(o.registry), logger });
  const half = startWorkerHalf({ ...o, redis, logger });
  return {
    ...half,
    async close(timeoutMs = 10_000) {
      await half.close(timeoutMs);
      await redis.close(Math.max(200, Math.round(timeoutMs * 0.15)));
    },
  };
}

/**
 * The worker half from the configuration, composed as `caracal-triage worker` composes it
 * (src/app/processes.ts), with the ports given (a recording port) and tuning over the defaults.
 */
export function startConfiguredWorker(config: WorkerConfig, o: { ports: ChatPorts; logger: Logger; prefix?: string; budgetFor?: (d: DeploymentSettings) => CallBudget } & Partial<Omit<WorkerHalfOptions, 'redis' | 'logger' | 'ports'>>): WorkerHalf {
  const { redisUrl, signingKey } = config.runtime;
  const redis = openTriageRedis({ url: redisUrl, role: 'worker', signingKey, prefix: o.prefix, logger: o.logger });
  const engine = workerEngine(config, { platforms: [], logger: o.logger, ports: o.ports, ...(o.budgetFor ? { budgetFor: o.budgetFor } : {}) });
  const f = config.followUp;
  const followUp = { redactor: engine.redactor, staleAfterMs: f.abandonAfterMs, remindAfterMs: f.remindAfterMs, pagerduty: f.pagerduty, notes: f.notes };
  const half = startWorkerHalf({ client: engine.client, freshClient: engine.freshClient, createSession: engine.createSession, deployments: engine.deployments, ...followUp, ...o, ports: engine.ports, redis });
  return {
    ...half,
    async close(timeoutMs) {
      await half.close(timeoutMs);
      await engine.close();
      await redis.close();
    },
  };
}
