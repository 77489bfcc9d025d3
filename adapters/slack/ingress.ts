/**
 * Slack's ingress: a Bolt app on one of two transports (HTTP routes, or a Socket Mode socket),
 * with the listeners that turn commands, mentions, clicks and incident channels into calls of
 * the one command flow. Listeners only parse, authorize, call the flow and answer; the worker
 * does the rest.
 */
import { App, LogLevel, type webApi } from '@slack/bolt';
import type { Ingress, IngressContext, IngressRoute } from '../../src/ingress/ingress';
import { SlackAuthorizer } from './authz';
import { createSlackWebClient, slackClientOptions } from './client';
import type { SlackConfig } from './config';
import { actListener, reasonSubmitListener } from './handlers/act';
import { actionListener } from './handlers/action';
import { commandListener } from './handlers/command';
import type { SlackHandlerDeps } from './handlers/deps';
import { channelCreatedListener, memberJoinedListener } from './handlers/incident-channel';
import { mentionListener } from './handlers/mention';
import { directMessageListener } from './handlers/direct-message';
import { homeListener } from './handlers/home';
import { SlackIdentityResolver, type SlackIdentity } from './identity';
import { slackLogger } from './logger';
import { ACTION_PREFIX } from './render/card';
import { ACT_ACTION_PREFIX, REASON_VIEW } from './render/act-message';
import { httpTransport } from './transport/http';
import { socketTransport } from './transport/socket';

export interface SlackIngressOptions {
  /** Bot user and bot IDs when known: Bolt then never calls auth.test. */
  identity?: Partial<SlackIdentity>;
}

export interface SlackIngress extends Ingress {
  readonly mode: 'http' | 'socket';
  readonly bolt: App;
  readonly identity: SlackIdentityResolver;
  readonly authz: SlackAuthorizer;
  /** The bot's WebClient (auth.test, user groups). */
  readonly client: webApi.WebClient;
}

export function createSlackIngress(config: SlackConfig, ctx: IngressContext, opts: SlackIngressOptions = {}): SlackIngress {
  const logger = ctx.logger.child({ component: 'slack' });
  const boltLogger = slackLogger(ctx.logger, LogLevel.WARN);
  const client = createSlackWebClient(config.botToken, { apiUrl: config.apiUrl, logger: ctx.logger });
  const identity = new SlackIdentityResolver(client, opts.identity);
  const authz = new SlackAuthorizer(config, client, logger, ctx.acts?.listedIds ?? []);
  const clientOptions = slackClientOptions({ apiUrl: config.apiUrl, logger: ctx.logger });

  // Our own authorize (instead of `token`): auth.test once, cached on success only (identity.ts).
  const authorize = async () => {
    const id = await identity.get();
    return { botToken: config.botToken, botId: id.botId, botUserId: id.botUserId, ...(id.teamId ? { teamId: id.teamId } : {}) };
  };
  let routes: IngressRoute[] = [];
  let receiver;
  if (config.appToken) {
    receiver = socketTransport(config.appToken, boltLogger, clientOptions, config.socketPingTimeoutMs);
  } else {
    const http = httpTransport(config.signingSecret ?? '', boltLogger);
    receiver = http.receiver;
    routes = http.routes;
  }
  const bolt = new App({ authorize, logger: boltLogger, clientOptions, convoStore: false, receiver });

  const deps: SlackHandlerDeps = { flow: ctx.flow, authz, identity, metrics: ctx.metrics, logger, incidentChannelPattern: config.incidentChannelPattern, fileUploads: config.fileUploads };
  // Any command name: installs may rename /caracal (e.g. /caracal-staging); the app has only one.
  bolt.command(/.*/, commandListener(deps));
  bolt.action({ type: 'block_actions', action_id: new RegExp(`^${ACTION_PREFIX}`) }, actionListener(deps));
  if (ctx.acts) {
    bolt.action({ type: 'block_actions', action_id: new RegExp(`^${ACT_ACTION_PREFIX}`) }, actListener(deps, ctx.acts));
    bolt.view(REASON_VIEW, reasonSubmitListener(deps, ctx.acts));
  }
  bolt.event('channel_created', channelCreatedListener(deps));
  bolt.event('member_joined_channel', memberJoinedListener(deps));
  bolt.event('app_mention', mentionListener(deps));
  bolt.event('message', directMessageListener(deps));
  bolt.event('app_home_opened', homeListener(deps));
  bolt.error(async (error) => {
    logger.error({ err: error }, 'slack listener failed');
  });

  return {
    name: 'slack',
    mode: config.appToken ? 'socket' : 'http',
    bolt,
    identity,
    authz,
    client,
    routes,
    readiness: [
      {
        name: 'slack',
        async check() {
          if (identity.current()) return;
          try {
            await identity.get();
          } catch {
            return `Slack auth.test failed (${identity.lastError ?? 'no answer'})`;
          }
        },
      },
    ],
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
