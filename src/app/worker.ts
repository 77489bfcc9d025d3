/**
 * `caracal-triage worker` (and the worker half of `start`): reads the environment, checks that
 * Redis answers, then runs the collect and post workers until SIGTERM/SIGINT, when it stops
 * taking jobs and waits for running ones for a bounded time.
 *
 * Errors before the workers run are `ConfigError`s (one line naming the variable: a bad
 * environment or an unreachable Redis): the CLI prints `err.message` on stderr and exits 2.
 */
import pino, { type Logger } from 'pino';
import { Registry } from 'prom-client';
import { createRedactor } from '../bundle/redact';
import { createCaracalClient } from '../caracal/client';
import { createSharedReadCache } from '../caracal/shared-cache';
import { knownSecrets, loadCacheTtlMs, loadCaracalConfig, loadRuntimeConfig } from '../config/env';
import { triageMetrics, type TriageMetrics } from '../queue/metrics';
import type { ChatPorts } from '../queue/ports';
import { startTriageWorkers, type TriageWorkerOptions, type TriageWorkers } from '../queue/workers';
import { checkRedis, createWorkerConnection } from '../store/redis';
import { createTriageSession } from '../triage/session';
import type { CreateTriageSession } from '../triage/session-api';

type Env = Record<string, string | undefined>;

export interface RunWorkerOptions {
  /** Chat ports by platform; adapters plug theirs in here. */
  ports: ChatPorts;
  /** Shared with the web process in `start`, so /metrics shows the worker's counters too. */
  registry?: Registry;
  logger?: Logger;
  /** Stop on SIGTERM/SIGINT and exit the process (default true; `start` may handle signals itself). */
  handleSignals?: boolean;
  /** How long shutdown waits for running jobs (default 10 s). */
  shutdownTimeoutMs?: number;
  createSession?: CreateTriageSession;
  /** Fine-tuning (concurrency, locks, limits, key prefix…). */
  tuning?: Partial<Omit<TriageWorkerOptions, 'connection' | 'signingKey' | 'ports' | 'client' | 'freshClient' | 'createSession' | 'metrics' | 'logger'>>;
}

export interface RunningWorker {
  workers: TriageWorkers;
  metrics: TriageMetrics;
  close(): Promise<void>;
}

export async function runWorker(env: Env, opts: RunWorkerOptions): Promise<RunningWorker> {
  const runtime = loadRuntimeConfig(env);
  const caracal = loadCaracalConfig(env);
  const cacheTtlMs = loadCacheTtlMs(env);
  const unreachable = await checkRedis(runtime.redisUrl);
  if (unreachable) throw unreachable;

  const logger = opts.logger ?? pino({ name: 'caracal-triage-worker' });
  if (!opts.ports.slack && !opts.ports.teams) logger.warn('no chat platform configured: post jobs will fail until a worker with one runs');
  const connection = createWorkerConnection(runtime.redisUrl);
  connection.on('error', (e: Error) => logger.error({ err: e.message }, 'redis connection error'));
  const client = createCaracalClient(caracal);
  // Triages running in this process share deployment-level reads for a moment (readiness,
  // zones, grants…): fewer calls against Caracal's per-IP rate limit during an incident.
  // Re-checks read past it.
  const cache = createSharedReadCache(client, { ttlMs: cacheTtlMs });
  const redactor = createRedactor(knownSecrets(env));
  const metrics = triageMetrics(opts.registry ?? new Registry());
  const workers = startTriageWorkers({
    ...opts.tuning,
    connection,
    signingKey: runtime.signingKey,
    ports: opts.ports,
    client: cache,
    freshClient: cache.fresh,
    createSession: opts.createSession ?? ((c, input) => createTriageSession(c, input, { redactor })),
    metrics,
    logger,
  });
  logger.info({ platforms: Object.keys(opts.ports) }, 'worker started');

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      await workers.close(opts.shutdownTimeoutMs ?? 10_000);
      // Closing the Caracal pools waits for in-flight calls; a forced shutdown must not.
      await bounded(client.close(), 1000);
      await bounded(connection.quit(), 1000).catch(() => undefined);
      connection.disconnect();
      logger.info('worker stopped');
    })());
  const onSignal = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, 'shutting down: finishing running jobs');
    void close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  if (opts.handleSignals ?? true) {
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
  return { workers, metrics, close };
}

/** Resolves when `p` settles or after `ms`, whichever comes first. */
async function bounded(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p.catch(() => undefined), new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}
