/**
 * `caracal-triage serve` (web), `worker`, and `start` (both in one process). Each runs until
 * SIGTERM/SIGINT, then stops taking work, waits a bounded time for what is running, and exits.
 * Configuration problems (bad environment, unreachable Redis) are ConfigErrors: main() prints
 * the one line and exits 2.
 */
import { Registry } from 'prom-client';
import { slackPortFromEnv } from '../../../adapters/slack/port-from-env';
import { runWorker, type RunningWorker } from '../../app/worker';
import { loadCaracalConfig, loadRuntimeConfig } from '../../config/env';
import { openTriageService } from '../../queue/triage-service';
import { startWeb } from '../../server/start-web';
import { checkRedis, safeRedisUrl } from '../../store/redis';
import { createLogger } from '../../log';
import { ConfigError } from '../../config/env';
import type { CommandIo } from './triage';

const forever = (): Promise<number> => new Promise<number>(() => undefined);

export async function runWorkerCommand(io: CommandIo): Promise<number> {
  const logger = createLogger('caracal-triage-worker', io.env);
  await runWorker(io.env, { ports: { slack: slackPortFromEnv(io.env, logger) ?? undefined }, logger });
  return forever();
}

export async function runServe(io: CommandIo, opts: { worker: boolean }): Promise<number> {
  const runtime = loadRuntimeConfig(io.env);
  if (opts.worker) loadCaracalConfig(io.env); // `start` collects evidence too: fail before listening
  const unreachable = await checkRedis(runtime.redisUrl);
  if (unreachable) throw unreachable;
  const logger = createLogger('caracal-triage', io.env);
  const registry = new Registry();
  let service;
  try {
    service = await openTriageService({ redisUrl: runtime.redisUrl, signingKey: runtime.signingKey, metrics: registry, logger });
  } catch (e) {
    throw new ConfigError('REDIS_URL', `cannot reach Redis at ${safeRedisUrl(runtime.redisUrl)} (${e instanceof Error ? e.message : String(e)})`);
  }
  let worker: RunningWorker | null = null;
  const web = await startWeb(io.env, { service, registry, logger });
  if (opts.worker) {
    worker = await runWorker(io.env, {
      ports: { slack: slackPortFromEnv(io.env, logger) ?? undefined },
      registry,
      logger,
      handleSignals: false,
    });
  }
  logger.info({ port: web.port, worker: opts.worker }, opts.worker ? 'web and worker running' : 'web running');

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // Stop accepting requests first, then let the worker finish what it holds (bounded inside).
    void (async () => {
      await web.close().catch((e: Error) => logger.error({ err: e.message }, 'web close failed'));
      if (worker) await worker.close().catch((e: Error) => logger.error({ err: e.message }, 'worker close failed'));
      await service.close().catch(() => undefined);
      process.exit(0);
    })();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  return forever();
}
