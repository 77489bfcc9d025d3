/**
 * The whole Teams path for end-to-end tests: the Caracal simulator, real Redis, the real
 * TriageService and workers posting through the Teams port with its own CloudAdapter, the web
 * host with Teams at /api/messages, a fake Bot Connector as the activities' serviceUrl, OpenID
 * keys served on loopback, and Microsoft's login intercepted (authentication on throughout).
 */
import pino from 'pino';
import { Registry } from 'prom-client';
import { parseTeamsPlatformConfig, teamsPlatform } from '../../../adapters/teams';
import { createWebHost, type WebHost } from '../../../src/app/web';
import { createCaracalClient } from '../../../src/caracal/client';
import { parseIncidentsConfig } from '../../../src/incidents/config';
import { platformsInUse } from '../../../src/app/platforms';
import { orThrow } from '../../../src/config/problems';
import { createIncidentDesk } from '../../../src/service/incident-desk';
import type { RedisTriageService } from '../../../src/service/triage-service';
import type { WorkerHalf } from '../../../src/app/worker';
import { createWorkerConnection } from '../../../src/store/redis';
import { openService, startWorkerSet, type WorkerSetOptions } from '../../support/halves';
import type { EscalationTargets } from '../../../src/triage/record';
import { createTriageSession } from '../../../src/triage/session';
import { simulatorConfig, startSimulator, type Simulator } from '../../../sim';
import { type FakeBotConnector, startFakeBotConnector } from '../../support/fake-bot-connector';
import { type MicrosoftLogin, type OpenIdServer, type SigningKey, interceptMicrosoftLogin, makeSigningKey, signChannelToken, startOpenIdServer } from '../../support/teams-auth';
import { deleteByPrefix } from '../../queue/harness';
import { APP_ID, TENANT_ID } from './fixtures';
import type { ActConfig } from '../../../src/act/config';
import { createRedactor } from '../../../src/redact/redact';
import { NO_ACTS } from '../slack/stack';
import type { LinksConfig } from '../../../src/report/config';

export const TEAMS_SIGNING_KEY = 'teams-stack-signing-key-0123456789abcdef';

export interface TeamsStack {
  sim: Simulator;
  connector: FakeBotConnector;
  login: MicrosoftLogin;
  service: RedisTriageService;
  workers: WorkerHalf | null;
  startWorkers(): WorkerHalf;
  /** The key prefix and what a worker in another process needs to post as this stack's bot. */
  prefix: string;
  env: Record<string, string>;
  web: WebHost;
  /** http://127.0.0.1:<port>/api/messages */
  messages: string;
  /** http://127.0.0.1:<port> */
  base: string;
  /** POST an activity as Teams does, with a valid channel token (or the given Authorization). */
  send(activity: Record<string, unknown>, authorization?: string | null): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

let n = 0;

export interface TeamsStackOptions {
  scenario?: string;
  incidentEnv?: Record<string, string>;
  workers?: boolean;
  sim?: { latencyMs?: Record<string, number> };
  /** TRIAGE_ESCALATE, as the web's service is given it. */
  escalation?: EscalationTargets | null;
  /** Worker options over the stack's defaults (reminders, abandonment, PagerDuty…). */
  worker?: Partial<WorkerSetOptions>;
  /** Acting from chat (src/act), over the defaults of NO_ACTS. */
  acts?: (sim: Simulator) => Partial<ActConfig>;
  /** Where cards' and answers' links point (page, Console, runbook). */
  links?: LinksConfig;
}

export async function startTeamsStack(opts: TeamsStackOptions = {}): Promise<TeamsStack> {
  const redisUrl = process.env.REDIS_URL!;
  const prefix = `ct-teams-${process.pid}-${++n}-${Date.now().toString(36)}:`;
  const silent = pino({ level: 'silent' });
  const registry = new Registry();
  const sim = await startSimulator({ scenario: opts.scenario ?? 'scope_mismatch', ...(opts.sim?.latencyMs ? { latencyMs: opts.sim.latencyMs } : {}) });
  const connector = await startFakeBotConnector();
  const key: SigningKey = makeSigningKey('stack-key');
  const openId: OpenIdServer = await startOpenIdServer([key]);
  const login = interceptMicrosoftLogin(TENANT_ID);
  const config = orThrow(
    parseTeamsPlatformConfig({ MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: 'client-secret-value', MICROSOFT_APP_TENANT_ID: TENANT_ID, MICROSOFT_OPENID_METADATA_URL: openId.metadataUrl, TEAMS_SERVICE_URL: connector.url }),
  )!;
  const platform = teamsPlatform(config);
  const acts: ActConfig | null = opts.acts ? { ...NO_ACTS, ...opts.acts(sim) } : null;
  const act = acts ? { config: acts, caracal: simulatorConfig(sim, { timeoutMs: 5000 }), redactor: createRedactor([]), signingKey: TEAMS_SIGNING_KEY, pollMs: 100 } : undefined;
  const client = createCaracalClient(simulatorConfig(sim, { timeoutMs: 5000 }));
  const service = await openService({ redisUrl, signingKey: TEAMS_SIGNING_KEY, prefix, logger: silent, registry, cardDebounceMs: 50, escalation: opts.escalation ?? null });
  const workerConn = createWorkerConnection(redisUrl);
  workerConn.on('error', () => undefined);
  const started: WorkerHalf[] = [];
  const startWorkers = (): WorkerHalf => {
    const w = startWorkerSet({
      redisUrl,
      signingKey: TEAMS_SIGNING_KEY,
      ports: { teams: platform.port({ signingKey: TEAMS_SIGNING_KEY, logger: silent, links: opts.links, acts: { proposeFix: !!acts?.fixToken } }) },
      ...(act ? { act } : {}),
      client,
      createSession: createTriageSession,
      prefix,
      registry,
      logger: silent,
      cardDebounceMs: 50,
      sweepEveryMs: 0,
      noCardDelayMs: 50,
      limits: { teams: { post: { points: 50, durationSec: 1 }, update: { points: 50, durationSec: 1 } } },
      lockDurationMs: 2000,
      stalledIntervalMs: 1000,
      leaseMs: 2000,
      ...opts.worker,
    });
    started.push(w);
    return w;
  };
  const workers = opts.workers === false ? null : startWorkers();
  const incidentConfig = opts.incidentEnv ? orThrow(parseIncidentsConfig(opts.incidentEnv, platformsInUse(['teams']))) : null;
  const web = createWebHost({
    service,
    platforms: [platform],
    signingKey: TEAMS_SIGNING_KEY,
    registry,
    logger: silent,
    incidents: incidentConfig ? { config: incidentConfig, desk: createIncidentDesk({ service, logger: silent }) } : null,
    acts: acts ? { config: acts, routing: incidentConfig?.routing ?? null } : null,
    links: opts.links,
  });
  const messages = `http://127.0.0.1:${await web.listen(0, '127.0.0.1')}/api/messages`;
  return {
    sim,
    connector,
    login,
    service,
    workers,
    startWorkers,
    prefix,
    env: { MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: 'client-secret-value', MICROSOFT_APP_TENANT_ID: TENANT_ID },
    web,
    messages,
    base: messages.replace(/\/api\/messages$/, ''),
    async send(activity, authorization) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      const auth = authorization === undefined ? `Bearer ${signChannelToken(key, { aud: APP_ID, serviceurl: String(activity.serviceUrl) })}` : authorization;
      if (auth) headers.authorization = auth;
      const res = await fetch(messages, { method: 'POST', headers, body: JSON.stringify(activity) });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    async close() {
      await web.close();
      await Promise.all(started.map((w) => w.close(5000)));
      await service.close();
      await deleteByPrefix(workerConn, prefix).catch(() => undefined);
      await workerConn.quit().catch(() => workerConn.disconnect());
      await client.close();
      await Promise.all([sim.close(), connector.close(), openId.close()]);
      login.done();
    },
  };
}
