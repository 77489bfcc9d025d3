/**
 * The whole Slack path for end-to-end tests and the ack benchmark: the Caracal simulator,
 * real Redis, the real TriageService and workers, the Slack ChatPort pointed at the fake
 * Slack Web API, and the web server with Bolt on it. `close()` releases every handle.
 */
import IORedis, { type Redis } from 'ioredis';
import pino from 'pino';
import { Registry } from 'prom-client';
import { loadSlackConfig, slackPlatform } from '../../../adapters/slack';
import { SlackChatPort } from '../../../adapters/slack/port';
import { createWebHost, type WebHost } from '../../../src/app/web';
import { parseIncidentsConfig } from '../../../src/incidents/config';
import { platformsInUse } from '../../../src/app/platforms';
import { orThrow } from '../../../src/config/problems';
import { createIncidentDesk } from '../../../src/service/incident-desk';
import { createCaracalClient, type CaracalClientHandle } from '../../../src/caracal/client';
import type { TriageQueues } from '../../../src/queue/queues';
import type { RedisTriageService } from '../../../src/service/triage-service';
import type { WorkerHalf } from '../../../src/app/worker';
import { openService, startWorkerSet, type WorkerSetOptions } from '../../support/halves';
import { createTriageSession } from '../../../src/triage/session';
import { type Simulator, simulatorConfig, startSimulator } from '../../../sim';
import { type FakeSlackApi, startFakeSlackApi } from '../../support/fake-slack-api';
import { SIGNING_SECRET } from '../../support/slack-signing';
import type { ActConfig } from '../../../src/act/config';
import { createRedactor } from '../../../src/redact/redact';
import type { EscalationTargets } from '../../../src/triage/record';
import type { LinksConfig } from '../../../src/report/config';

export const STACK_SIGNING_KEY = 'stack-triage-signing-key-0123456789abcdef';

export interface SlackStack {
  sim: Simulator;
  /** The act settings in use (null without `acts`). */
  acts: ActConfig | null;
  /** What a worker needs to run the act queue (give it as `act` to startWorkers). */
  act: WorkerSetOptions['act'];
  slack: FakeSlackApi;
  service: RedisTriageService;
  queues: TriageQueues;
  workers: WorkerHalf | null;
  /** Starts (another set of) workers in this process, e.g. after a worker process was killed. */
  startWorkers(over?: Partial<WorkerSetOptions>): WorkerHalf;
  web: WebHost;
  registry: Registry;
  prefix: string;
  /** http://127.0.0.1:<port>/slack/events */
  events: string;
  base: string;
  close(): Promise<void>;
}

export interface StackOptions {
  scenario?: string;
  /** Run the collect and post workers in this process (default true). */
  workers?: boolean;
  redisUrl?: string;
  /** Per-channel post limit for the shared limiter (default generous, for speed). */
  postsPerSecond?: number;
  /** SLACK_FILE_UPLOADS (default true). */
  fileUploads?: boolean;
  /** Worker options over the stack's defaults. */
  worker?: Partial<WorkerSetOptions>;
  /** TriageService card debounce (ms, default 50). */
  cardDebounceMs?: number;
  /** Incident sources' settings (ALERTMANAGER_TOKEN, TRIAGE_DEFAULT_CHANNEL…): mounts /hooks/*. */
  incidentEnv?: Record<string, string>;
  /** Acting from chat (src/act), over the defaults of NO_ACTS: the web takes act clicks (and sink deliveries with a sink secret), the workers run the act queue. */
  acts?: (sim: Simulator) => Partial<ActConfig>;
  /** Members of Slack user groups, set before the web starts (it loads them then). */
  usergroups?: Record<string, string[]>;
  /** TRIAGE_ESCALATE, as the web's service is given it. */
  escalation?: EscalationTargets | null;
  /** Where cards' and answers' links point (page, Console, runbook); with publicUrl the page is served. */
  links?: LinksConfig;
  /** More Slack settings (TRIAGE_ALLOWED_USERS…). */
  slackEnv?: Record<string, string>;
}

/** Act settings with nothing on: no sink, no tokens, nobody listed; TTL and timeout short for tests. */
export const NO_ACTS: ActConfig = { sinkSecrets: [], approveToken: null, fixToken: null, approvers: [], fixers: [], fixConfirmTimeoutMs: 5000, proposalTtlMs: 15 * 60_000 };

let n = 0;

async function deleteByPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (found.length) await redis.del(...found);
  } while (cursor !== '0');
}

export async function startSlackStack(opts: StackOptions = {}): Promise<SlackStack> {
  const redisUrl = opts.redisUrl ?? process.env.REDIS_URL;
  if (!redisUrl) throw new Error('REDIS_URL is not set');
  const prefix = `ct-slack-${process.pid}-${++n}-${Date.now().toString(36)}:`;
  const silent = pino({ level: 'silent' });
  const registry = new Registry();
  const sim = await startSimulator({ scenario: opts.scenario ?? 'scope_mismatch' });
  const slack = await startFakeSlackApi();
  for (const [group, users] of Object.entries(opts.usergroups ?? {})) slack.usergroups.set(group, users);
  const client: CaracalClientHandle = createCaracalClient(simulatorConfig(sim, { timeoutMs: 5000 }));
  const incidentConfig = opts.incidentEnv ? orThrow(parseIncidentsConfig(opts.incidentEnv, platformsInUse(['slack']))) : null;
  // The service exactly as a web process opens it (fail-fast producer connection, own queues).
  const service = await openService({ redisUrl, signingKey: STACK_SIGNING_KEY, prefix, logger: silent, registry, cardDebounceMs: opts.cardDebounceMs ?? 50, escalation: opts.escalation ?? null, incidentRetentionMs: incidentConfig?.retentionMs });
  const queues = service.queues;
  const admin = new IORedis(redisUrl, { maxRetriesPerRequest: null });
  admin.on('error', () => undefined);

  const started: WorkerHalf[] = [];
  const pps = opts.postsPerSecond ?? 50;
  const acts: ActConfig | null = opts.acts ? { ...NO_ACTS, ...opts.acts(sim) } : null;
  const act = acts ? { config: acts, caracal: simulatorConfig(sim, { timeoutMs: 5000 }), redactor: createRedactor([acts.approveToken ?? '', acts.fixToken ?? '', ...acts.sinkSecrets]), signingKey: STACK_SIGNING_KEY, pollMs: 100 } : undefined;
  const startWorkers = (over: Partial<WorkerSetOptions> = {}): WorkerHalf => {
    const w = startWorkerSet({
      redisUrl,
      signingKey: STACK_SIGNING_KEY,
      ports: { slack: new SlackChatPort({ token: 'xoxb-test-token', apiUrl: slack.url, signingKey: STACK_SIGNING_KEY, logger: silent, files: opts.fileUploads ?? true, links: opts.links, proposeFix: !!acts?.fixToken }) },
      ...(act ? { act } : {}),
      client,
      createSession: createTriageSession,
      prefix,
      registry,
      logger: silent,
      cardDebounceMs: opts.cardDebounceMs ?? 50,
      sweepEveryMs: 0,
      noCardDelayMs: 50,
      limits: { slack: { post: { points: pps, durationSec: 1 }, update: { points: pps, durationSec: 1 } } },
      ...opts.worker,
      ...over,
    });
    started.push(w);
    return w;
  };
  const workers: WorkerHalf | null = (opts.workers ?? true) ? startWorkers() : null;

  const web = createWebHost({
    service,
    signingKey: STACK_SIGNING_KEY,
    incidents: incidentConfig ? { config: incidentConfig, desk: createIncidentDesk({ service, logger: silent, retentionMs: incidentConfig.retentionMs }) } : null,
    acts: acts ? { config: acts, routing: incidentConfig?.routing ?? null } : null,
    platforms: [
      slackPlatform(
        loadSlackConfig({ SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.url, SLACK_FILE_UPLOADS: String(opts.fileUploads ?? true), ...opts.slackEnv })!,
      ),
    ],
    registry,
    logger: silent,
    readiness: [{ name: 'redis', check: async () => ((await admin.ping()) === 'PONG' ? undefined : 'no PONG') }],
    links: opts.links,
  });
  const port = await web.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${port}`;

  return {
    sim,
    acts,
    act,
    slack,
    service,
    queues,
    workers,
    startWorkers,
    web,
    registry,
    prefix,
    events: `${base}/slack/events`,
    base,
    async close() {
      await web.close();
      await Promise.all(started.map((w) => w.close(5000)));
      await service.close();
      await deleteByPrefix(admin, prefix).catch(() => undefined);
      await admin.quit().catch(() => admin.disconnect());
      await client.close();
      await Promise.all([sim.close(), slack.close()]);
    },
  };
}
