/**
 * `caracal-triage serve` / `start`: read the environment, build the web server around a
 * TriageService the caller owns, listen on PORT. The CLI creates the service (and, for
 * `start`, the worker) and passes it in, so web and worker can share one Redis connection
 * and one metrics registry.
 */
import type { Redis } from 'ioredis';
import pino, { type Logger } from 'pino';
import type { Registry } from 'prom-client';
import { loadSlackConfig } from '../../adapters/slack/config';
import { knownSecrets, loadRuntimeConfig } from '../config/env';
import { checkRedis, safeRedisUrl } from '../store/redis';
import type { TriageService } from '../triage/service-api';
import { type WebServer, type WebServerOptions, createWebServer } from './web-server';

export interface StartWebDeps {
  service: TriageService;
  /** The service's connection, pinged by /readyz; when absent each check opens a short-lived one. */
  redis?: Redis;
  logger?: Logger;
  registry?: Registry;
  /** Mount points for later issues (Teams, incident webhooks). */
  teams?: WebServerOptions['teams'];
  hooks?: WebServerOptions['hooks'];
  /** Listen address (default all interfaces). */
  host?: string;
}

export interface RunningWeb {
  port: number;
  server: WebServer;
  close(): Promise<void>;
}

/** Throws ConfigError (naming the variable) for a bad environment: the CLI prints it and exits 2. */
export async function startWeb(env: Record<string, string | undefined> = process.env, deps: StartWebDeps): Promise<RunningWeb> {
  const runtime = loadRuntimeConfig(env);
  const slack = loadSlackConfig(env);
  const logger = deps.logger ?? pino({ name: 'caracal-triage-web' });
  const redis = deps.redis;
  const pingRedis = async (): Promise<void | string> => {
    if (!redis) {
      // No connection of our own to babysit: a short-lived one per check (see checkRedis).
      const err = await checkRedis(runtime.redisUrl, 1000);
      return err ? err.message.replace(/^REDIS_URL: /, '') : undefined;
    }
    const pong = await redis.ping().catch((e: NodeJS.ErrnoException) => `cannot reach Redis at ${safeRedisUrl(runtime.redisUrl)} (${e.code ?? e.message})`);
    return pong === 'PONG' ? undefined : pong;
  };

  const server = createWebServer({
    service: deps.service,
    signingKey: runtime.signingKey,
    slack,
    registry: deps.registry,
    logger,
    knownSecrets: knownSecrets(env),
    teams: deps.teams,
    hooks: deps.hooks,
    readiness: [
      { name: 'redis', check: pingRedis },
    ],
  });
  const port = await server.listen(runtime.port, deps.host);
  logger.info({ port, slack: slack ? (slack.appToken ? 'socket' : 'http') : 'off' }, 'web server listening');
  return {
    port,
    server,
    async close() {
      await server.close();
    },
  };
}
