/**
 * The web host: one express app that mounts the routes of every ingress it is given (chat
 * platforms, incident sources) next to its own:
 *
 *   GET /healthz   the process is up
 *   GET /readyz    every readiness check (the bot's own dependencies and each ingress's); 503 with the reasons
 *   GET /metrics   Prometheus
 *
 * It names no platform. No body parser runs before an ingress route: signatures are over the
 * raw body, which each ingress reads itself. A path an ingress serves answers any other method
 * with 405 and the methods it takes (`Allow`), as HTTP asks (MCP clients probe /mcp with GET). Every ingress route's answer is measured (ack
 * latency by ingress and kind; a 401 counts as a rejected signature).
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import pino, { type Logger } from 'pino';
import { HTTP_DEFAULTS, type HttpConfig } from './config';
import { Registry } from 'prom-client';
import type { Ingress, IngressRoute } from '../ingress/ingress';
import { guardedBody } from './guarded-body';
import { type IngressMetrics, ingressMetrics } from '../ingress/metrics';
import { type ReadinessCheck, type ReadinessReport, runReadiness } from '../ingress/readiness';

export interface WebServerOptions {
  ingresses: readonly Ingress[];
  /** Timeouts and connection cap (default HTTP_DEFAULTS). */
  http?: HttpConfig;
  /** The process's own readiness checks (Redis); each ingress adds its own after these. */
  readiness?: readonly ReadinessCheck[];
  registry?: Registry;
  logger?: Logger;
}

export interface WebServer {
  readonly app: Express;
  readonly metrics: IngressMetrics;
  readonly registry: Registry;
  readiness(): Promise<ReadinessReport>;
  /** Start every ingress, then listen (port 0: any free port); resolves with the port. */
  listen(port: number, host?: string): Promise<number>;
  /** Stop taking requests, then stop every ingress. */
  close(): Promise<void>;
}

function measured(metrics: IngressMetrics, ingress: Ingress, route: IngressRoute) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      if (res.statusCode === 401) {
        metrics.rejectedSignatures.inc({ platform: ingress.name });
        return;
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.ackSeconds.observe({ platform: ingress.name, kind: route.kindOf?.(req) ?? 'request' }, seconds);
    });
    next();
  };
}

export function createWebServer(opts: WebServerOptions): WebServer {
  const logger = opts.logger ?? pino({ level: 'silent' });
  const registry = opts.registry ?? new Registry();
  const metrics = ingressMetrics(registry);
  const checks: ReadinessCheck[] = [...(opts.readiness ?? []), ...opts.ingresses.flatMap((i) => i.readiness)];
  const readiness = () => runReadiness(checks);

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const report = await readiness();
    res.status(report.ready ? 200 : 503).json(report);
  });
  app.get('/metrics', async (_req, res) => {
    res.set('content-type', registry.contentType).send(await registry.metrics());
  });

  const methods = new Map<string, Set<string>>();
  for (const ingress of opts.ingresses) {
    for (const route of ingress.routes) {
      const mount = route.method === 'GET' ? app.get.bind(app) : app.post.bind(app);
      const guard = guardedBody({ maxBodyBytes: route.maxBodyBytes, precheck: route.precheck, onRefused: (status, reason) => logger.debug({ ingress: ingress.name, status, reason }, 'request refused at the edge') });
      mount(route.path, measured(metrics, ingress, route), guard, route.handler);
      methods.set(route.path, (methods.get(route.path) ?? new Set()).add(route.method));
    }
  }
  for (const [path, allowed] of methods) {
    app.all(path, (_req, res) => {
      res.set('allow', [...allowed].join(', ')).status(405).json({ error: 'method_not_allowed' });
    });
  }

  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found' });
  });
  app.use((err: Error, _req: Request, res: Response, _next: NextFunction) => {
    logger.error({ err }, 'request failed');
    if (!res.headersSent) res.status(500).json({ error: 'internal_error' });
  });

  let server: Server | null = null;
  return {
    app,
    metrics,
    registry,
    readiness,
    async listen(port: number, host?: string) {
      for (const ingress of opts.ingresses) await ingress.start();
      const http = opts.http ?? HTTP_DEFAULTS;
      const s = createServer(
        {
          headersTimeout: http.headersTimeoutMs,
          requestTimeout: http.requestTimeoutMs,
          keepAliveTimeout: http.keepAliveTimeoutMs,
          // Node looks for connections past their timeouts this often (default 30 s, which
          // would let a slow client outlive requestTimeout by that much).
          connectionsCheckingInterval: Math.min(1000, http.headersTimeoutMs),
        },
        app,
      );
      s.maxConnections = http.maxConnections;
      server = await new Promise<Server>((resolve, reject) => {
        s.once('listening', () => resolve(s));
        s.once('error', reject);
        if (host) s.listen(port, host);
        else s.listen(port);
      });
      return (server.address() as AddressInfo).port;
    },
    async close() {
      const s = server;
      server = null;
      if (s) {
        await new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeIdleConnections();
        });
      }
      for (const ingress of opts.ingresses) await ingress.stop();
    },
  };
}
