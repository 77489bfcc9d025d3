/**
 * The worker half of the bot (`caracal-triage worker`, and `start`): the collect and post
 * workers over one Redis connection, posting through the ChatPort of every configured platform,
 * reading Caracal through a shared short-lived read cache. `close()` stops taking jobs and waits
 * for running ones for a bounded time.
 */
import pino, { type Logger } from 'pino';
import { Registry } from 'prom-client';
import { createRedactor } from '../redact/redact';
import { createCaracalClient } from '../caracal/client';
import { createSharedReadCache } from '../caracal/shared-cache';
import type { ChatPlatform } from '../ingress/ingress';
import { triageMetrics, type TriageMetrics } from '../queue/metrics';
import type { ChatPorts } from '../queue/ports';
import { startTriageWorkers, type TriageWorkerOptions, type TriageWorkers } from '../queue/workers';
import { createWorkerConnection, safeRedisUrl } from '../store/redis';
import type { ReadinessCheck } from '../ingress/readiness';
import { createTriageSession, sessionDeadlineMs } from '../triage/session';
import type { CreateTriageSession } from '../triage/session-api';
import { type AppConfig, caracalOf, runtimeOf } from './config';
import { settlesWithin, within } from '../time/race';

export interface StartWorkerOptions {
  /** The platforms to post through (their ports are built here). */
  platforms?: readonly ChatPlatform[];
  /** Ports given directly (tests: a recording port), merged over the platforms'. */
  ports?: ChatPorts;
  /** Shared with the web half in `start`, so /metrics shows the worker's counters too. */
  registry?: Registry;
  logger?: Logger;
  /** The whole of close(), running jobs included (default 7 s, inside the 9 s process bound). */
  shutdownTimeoutMs?: number;
  createSession?: CreateTriageSession;
  /** Fine-tuning (concurrency, locks, limits, key prefix…). */
  tuning?: Partial<Omit<TriageWorkerOptions, 'connection' | 'signingKey' | 'ports' | 'client' | 'freshClient' | 'createSession' | 'metrics' | 'logger'>>;
}

export interface RunningWorker {
  workers: TriageWorkers;
  metrics: TriageMetrics;
  /** The platforms it posts to. */
  platforms: string[];
  /** `redis` for a worker's own /readyz: a PING over its connection. */
  readiness: ReadinessCheck;
  close(): Promise<void>;
}

/** Redis is checked by the caller (once per process, src/app/processes.ts). */
export async function startWorker(config: AppConfig, opts: StartWorkerOptions = {}): Promise<RunningWorker> {
  const runtime = runtimeOf(config);
  const logger = opts.logger ?? pino({ name: 'caracal-triage-worker' });
  const ports: ChatPorts = { ...Object.fromEntries((opts.platforms ?? []).map((p) => [p.platform, p.port({ signingKey: runtime.signingKey, logger })])), ...opts.ports };
  const platforms = Object.keys(ports);
  const connection = createWorkerConnection(runtime.redisUrl);
  connection.on('error', () => undefined); // the Redis watcher reports loss and return once (src/store/redis-watch.ts)
  const client = createCaracalClient(caracalOf(config));
  // Triages running in this process share deployment-level reads for a moment (readiness,
  // zones, grants…): fewer calls against Caracal's per-IP rate limit during an incident.
  // Re-checks read past it.
  const cache = createSharedReadCache(client, { ttlMs: runtime.cacheTtlMs });
  const redactor = createRedactor(config.secrets);
  const metrics = triageMetrics(opts.registry ?? new Registry());
  const workers = startTriageWorkers({
    ...opts.tuning,
    connection,
    signingKey: runtime.signingKey,
    ports,
    client: cache,
    freshClient: cache.fresh,
    // A step may chain calls: give each bundle item and step room for a call and its retry at
    // the configured per-call timeout (as the terminal does).
    createSession:
      opts.createSession ??
      ((c, input) => createTriageSession(c, input, { redactor, timeoutMs: sessionDeadlineMs(caracalOf(config).timeoutMs), changesWindowMs: caracalOf(config).changesWindowMs })),
    metrics,
    logger,
  });
  if (platforms.length === 0) logger.warn('worker started with no chat platform configured: it collects evidence, but its posting jobs fail');
  else logger.info({ platforms }, 'worker started');

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await workers.close(opts.shutdownTimeoutMs ?? 7000);
      // Closing the Caracal pools waits for in-flight calls; a forced shutdown must not.
      await settlesWithin(client.close(), 500);
      await settlesWithin(connection.quit(), 500);
      connection.disconnect();
      logger.info('worker stopped');
    })());
  const readiness: ReadinessCheck = {
    name: 'redis',
    check: async () => {
      const pong = await within(connection.ping(), 1000).catch((e: NodeJS.ErrnoException) => `cannot reach Redis at ${safeRedisUrl(runtime.redisUrl)} (${e.code ?? e.message})`);
      return pong === 'PONG' ? undefined : (pong ?? `no answer from Redis at ${safeRedisUrl(runtime.redisUrl)} within 1000 ms`);
    },
  };
  return { workers, metrics, platforms, readiness, close };
}
