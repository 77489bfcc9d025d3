/**
 * The web process: one express 5 app for every inbound route (DESIGN.md "HTTP routes").
 *
 *   POST /slack/events   Slack commands, interactivity and events (when Slack is configured, HTTP mode)
 *   POST /api/messages   Teams (mount point: `teams` option, filled by the Teams adapter)
 *   /hooks/*             incident webhooks (mount point: `hooks` option)
 *   GET  /healthz        the process is up
 *   GET  /readyz         Redis answers and Slack knows who the bot is; 503 with the reason otherwise
 *   GET  /metrics        Prometheus
 *
 * No body parser runs before the platform routes: Slack's signature is over the raw body,
 * which Bolt's receiver reads itself.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express, type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import pino, { type Logger } from 'pino';
import { Registry } from 'prom-client';
import { SLACK_EVENTS_PATH, createSlackApp, type SlackApp } from '../../adapters/slack/app';
import type { SlackConfig } from '../../adapters/slack/config';
import type { SlackIdentity } from '../../adapters/slack/identity';
import type { TriageService } from '../triage/service-api';
import { ackMetrics } from './ack-metrics';
import { type IngressMetrics, ingressMetrics } from './metrics';
import { type ReadinessCheck, type ReadinessReport, runReadiness } from './readiness';

export interface WebServerOptions {
  service: TriageService;
  /** TRIAGE_SIGNING_KEY (button payloads). */
  signingKey: string;
  /** Slack settings (adapters/slack/config.ts); absent: no /slack/events. */
  slack?: SlackConfig | null;
  /** Known bot IDs: skips auth.test. */
  slackIdentity?: Partial<SlackIdentity>;
  /** Extra readiness checks, e.g. Redis. */
  readiness?: ReadinessCheck[];
  /** Shared with the worker in `caracal-triage start`, so one /metrics shows both. */
  registry?: Registry;
  logger?: Logger;
  /** Secret values redaction must catch (knownSecrets(env)). */
  knownSecrets?: string[];
  startTimeoutMs?: number;
  // ---- Mount points for later issues -------------------------------------------------
  /** Teams: the Bot Framework handler for POST /api/messages (it gets a JSON-parsed body). */
  teams?: RequestHandler | null;
  /** Incident webhooks (/hooks/alertmanager, /hooks/incident, /hooks/pagerduty): a router mounted at /hooks. */
  hooks?: Router | null;
}

export interface WebServer {
  readonly app: Express;
  readonly slack: SlackApp | null;
  readonly metrics: IngressMetrics;
  readonly registry: Registry;
  readiness(): Promise<ReadinessReport>;
  /** Listen (port 0: any free port); resolves with the port. Starts the Slack app first. */
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

export function createWebServer(opts: WebServerOptions): WebServer {
  const logger = opts.logger ?? pino({ level: 'silent' });
  const registry = opts.registry ?? new Registry();
  const metrics = ingressMetrics(registry);
  const checks: ReadinessCheck[] = [...(opts.readiness ?? [])];
  const readiness = () => runReadiness(checks);

  const slack = opts.slack
    ? createSlackApp({
        config: opts.slack,
        service: opts.service,
        signingKey: opts.signingKey,
        logger,
        metrics,
        readiness,
        identity: opts.slackIdentity,
        knownSecrets: opts.knownSecrets,
        startTimeoutMs: opts.startTimeoutMs,
      })
    : null;
  if (slack) checks.push({ name: 'slack', check: () => slack.ready() });

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

  if (slack?.router) {
    app.use(SLACK_EVENTS_PATH, ackMetrics(metrics, 'slack'));
    app.use(slack.router);
  }

  // ---- Teams mount point (issue: Teams adapter) ----------------------------------------
  if (opts.teams) app.post('/api/messages', express.json({ limit: '1mb' }), opts.teams);

  // ---- Incident webhook mount point (issue: incident webhooks) --------------------------
  if (opts.hooks) app.use('/hooks', opts.hooks);

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
    slack,
    metrics,
    registry,
    readiness,
    async listen(port: number, host?: string) {
      if (slack) await slack.start();
      server = await new Promise<Server>((resolve, reject) => {
        const s = host ? app.listen(port, host) : app.listen(port);
        s.once('listening', () => resolve(s));
        s.once('error', reject);
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
      if (slack) await slack.stop();
    },
  };
}
