/**
 * The Bolt app: HTTP mode through an ExpressReceiver whose router the shared web server
 * mounts at POST /slack/events (commands, interactivity and events on one URL), or Socket
 * Mode when SLACK_APP_TOKEN is set. Listeners only parse, authorize, call the TriageService
 * and answer; the worker does the rest.
 */
import { App, ExpressReceiver, LogLevel, type webApi } from '@slack/bolt';
import express, { type Router } from 'express';
import pino, { type Logger } from 'pino';
import { createRedactor } from '../../src/bundle/redact';
import type { IngressMetrics } from '../../src/server/metrics';
import { ingressMetrics } from '../../src/server/metrics';
import type { ReadinessReport } from '../../src/server/readiness';
import type { TriageService } from '../../src/triage/service-api';
import { SlackAuthorizer } from './authz';
import { createSlackWebClient, slackClientOptions } from './client';
import type { SlackConfig } from './config';
import { actionListener } from './handlers/action';
import { commandListener } from './handlers/command';
import type { SlackHandlerDeps } from './handlers/deps';
import { channelCreatedListener, memberJoinedListener } from './handlers/incident-channel';
import { mentionListener } from './handlers/mention';
import { SlackIdentityResolver, type SlackIdentity } from './identity';
import { slackLogger } from './logger';
import { ACTION_PREFIX } from './render/card';

export const SLACK_EVENTS_PATH = '/slack/events';

export interface CreateSlackAppOptions {
  config: SlackConfig;
  service: TriageService;
  /** TRIAGE_SIGNING_KEY. */
  signingKey: string;
  logger?: Logger;
  metrics?: IngressMetrics;
  /** For `/caracal status`. */
  readiness?: () => Promise<ReadinessReport>;
  /** Bot user and bot IDs when known: Bolt then never calls auth.test. */
  identity?: Partial<SlackIdentity>;
  /** Secret values to redact from pasted errors besides the pattern rules (knownSecrets(env)). */
  knownSecrets?: string[];
  /** Longest wait for service.start before acking anyway (default 2000 ms; Slack allows 3 s). */
  startTimeoutMs?: number;
}

export interface SlackApp {
  readonly mode: 'http' | 'socket';
  readonly bolt: App;
  /** Serves POST /slack/events (HTTP mode); null in Socket Mode. */
  readonly router: Router | null;
  readonly identity: SlackIdentityResolver;
  readonly authz: SlackAuthorizer;
  /** The bot's WebClient (auth.test, user groups). */
  readonly client: webApi.WebClient;
  /** Ready when Slack has confirmed who the bot is; the reason otherwise. */
  ready(): Promise<void | string>;
  /** Ask auth.test (best effort), load user groups, connect the socket in Socket Mode. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createSlackApp(opts: CreateSlackAppOptions): SlackApp {
  const { config } = opts;
  const logger = (opts.logger ?? pino({ level: 'silent' })).child({ component: 'slack' });
  const boltLogger = slackLogger(logger, LogLevel.WARN);
  const client = createSlackWebClient(config.botToken, { apiUrl: config.apiUrl, logger });
  const identity = new SlackIdentityResolver(client, opts.identity);
  const authz = new SlackAuthorizer(config, client, logger);
  const metrics = opts.metrics ?? ingressMetrics();

  // Our own authorize (instead of `token`): auth.test once, cached on success only (identity.ts).
  const authorize = async () => {
    const id = await identity.get();
    return { botToken: config.botToken, botId: id.botId, botUserId: id.botUserId, ...(id.teamId ? { teamId: id.teamId } : {}) };
  };
  const common = {
    authorize,
    logger: boltLogger,
    clientOptions: slackClientOptions({ apiUrl: config.apiUrl, logger }),
    convoStore: false as const,
  };

  let router: Router | null = null;
  let bolt: App;
  if (config.appToken) {
    bolt = new App({ ...common, socketMode: true, appToken: config.appToken });
  } else {
    router = express.Router();
    const receiver = new ExpressReceiver({
      signingSecret: config.signingSecret ?? '',
      endpoints: SLACK_EVENTS_PATH,
      router,
      logger: boltLogger,
      // Long-lived server: answer as soon as a listener acks (platform-notes §2.2).
      processBeforeResponse: false,
    });
    bolt = new App({ ...common, receiver });
  }

  const deps: SlackHandlerDeps = {
    service: opts.service,
    signingKey: opts.signingKey,
    authz,
    identity,
    metrics,
    logger,
    incidentChannelPattern: config.incidentChannelPattern,
    readiness: opts.readiness,
    redactor: createRedactor(opts.knownSecrets ?? []),
    startTimeoutMs: opts.startTimeoutMs ?? 2000,
  };
  // Any command name: installs may rename /caracal (e.g. /caracal-staging); the app has only one.
  bolt.command(/.*/, commandListener(deps));
  bolt.action({ type: 'block_actions', action_id: new RegExp(`^${ACTION_PREFIX}`) }, actionListener(deps));
  bolt.event('channel_created', channelCreatedListener(deps));
  bolt.event('member_joined_channel', memberJoinedListener(deps));
  bolt.event('app_mention', mentionListener(deps));
  bolt.error(async (error) => {
    logger.error({ err: error }, 'slack listener failed');
  });

  return {
    mode: config.appToken ? 'socket' : 'http',
    bolt,
    router,
    identity,
    authz,
    client,
    async ready() {
      if (identity.current()) return;
      try {
        await identity.get();
      } catch {
        return `Slack auth.test failed (${identity.lastError ?? 'no answer'})`;
      }
    },
    async start() {
      await identity.get().catch((e: unknown) => logger.warn({ error: identity.lastError ?? (e as Error).message }, 'Slack auth.test failed; will retry on the next request'));
      await authz.start();
      if (config.appToken) await bolt.start();
    },
    async stop() {
      authz.stop();
      if (config.appToken) await bolt.stop();
    },
  };
}
