/**
 * `POST /api/messages`, framework-free: the web host hands in the request (headers and the
 * JSON-parsed body) and writes back the answer this returns. In order, each step refusing
 * before the next runs:
 *   1. auth on and no `Authorization: Bearer …` header → 401, from the headers alone;
 *   2. the body is not a Teams activity we can read → 400 with the reason (parseActivity);
 *   3. the JWT does not check out (adapter.ts) → 401;
 *   4. an activity we do not act on → 200 and nothing runs;
 *   5. the event goes to the handler with a turn to answer on; for an `adaptiveCard/action`
 *      invoke, what the handler returns is the invoke response (the updated card, or a
 *      message shown to the person who clicked).
 * Teams expects the answer within about 15 s, so the handler answers at once ("triage
 * started") and leaves the rest to the worker.
 */
import type { Activity, TurnContext } from 'botbuilder';
import { AuthenticationError } from 'botframework-connector';
import pino, { type Logger } from 'pino';
import { headerValue, type HeaderBag } from '../../src/ingress/edge';
import type { TeamsCloudAdapter } from './adapter';
import type { TeamsConfig } from './config';
import { toChatError } from './errors';
import { type TeamsIngressEvent, parseActivity } from './activity';
import { type AdaptiveCard, CARD_CONTENT_TYPE } from './render';

export interface TeamsRequest {
  method?: string;
  headers: HeaderBag;
  body: unknown;
}

export interface TeamsAnswer {
  status: number;
  body?: unknown;
}

export type TeamsEvent = Exclude<TeamsIngressEvent, { kind: 'ignored' }>;

/** What an action handler answers with: the card as it is now, or a message to the clicker. */
export type InvokeReply = { card: AdaptiveCard } | { message: string };

export interface TeamsTurn {
  /** A text reply in the conversation (into the thread, for a channel post); its activity id. */
  replyText(text: string): Promise<string | null>;
  /** A card reply in the conversation; its activity id. */
  replyCard(card: AdaptiveCard): Promise<string | null>;
  /** Replace a message the bot posted in this conversation (an Action.Submit's card). */
  updateCard(activityId: string, card: AdaptiveCard): Promise<void>;
}

export type TeamsEventHandler = (event: TeamsEvent, turn: TeamsTurn) => Promise<InvokeReply | void>;

export const ADAPTIVE_CARD_INVOKE = 'application/vnd.microsoft.card.adaptive';
export const MESSAGE_INVOKE = 'application/vnd.microsoft.activity.message';

function header(req: Pick<TeamsRequest, 'headers'>, name: string): string {
  return headerValue(req.headers, name) ?? '';
}

function cardActivity(card: AdaptiveCard): Partial<Activity> {
  return { type: 'message', summary: card.fallbackText, attachments: [{ contentType: CARD_CONTENT_TYPE, content: card }] };
}

async function reported<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw toChatError(e, `teams:${what}`);
  }
}

/** Turn replies fail in the port's taxonomy (a 429 is a ChatRateLimitedError, not retried in the call). */
function turnOn(ctx: TurnContext): TeamsTurn {
  return {
    replyText: (text) => reported('reply', async () => (await ctx.sendActivity({ type: 'message', text, textFormat: 'markdown' }))?.id ?? null),
    replyCard: (card) => reported('reply', async () => (await ctx.sendActivity(cardActivity(card)))?.id ?? null),
    updateCard: (activityId, card) => reported('update', async () => void (await ctx.updateActivity({ ...cardActivity(card), id: activityId }))),
  };
}

function invokeBody(reply: InvokeReply): unknown {
  return 'card' in reply
    ? { statusCode: 200, type: ADAPTIVE_CARD_INVOKE, value: reply.card }
    : { statusCode: 200, type: MESSAGE_INVOKE, value: reply.message };
}

export interface TeamsIngressOptions {
  adapter: TeamsCloudAdapter;
  config: TeamsConfig;
  logger?: Logger;
}

/**
 * The header check alone, for the web host to run before it reads the body (so unauthenticated
 * traffic costs no body parsing): a 401 answer, or null to go on.
 */
export function refuseWithoutToken(headers: HeaderBag, config: TeamsConfig): TeamsAnswer | null {
  return config.authEnabled && !/^Bearer \S+$/.test(header({ headers }, 'authorization')) ? { status: 401, body: { error: 'unauthorized' } } : null;
}

export function createTeamsIngress(opts: TeamsIngressOptions) {
  const log = (opts.logger ?? pino({ level: 'silent' })).child({ component: 'teams-ingress' });

  return async function handleTeamsRequest(req: TeamsRequest, onEvent: TeamsEventHandler): Promise<TeamsAnswer> {
    if (req.method && req.method !== 'POST') return { status: 405 };
    const refused = refuseWithoutToken(req.headers, opts.config);
    if (refused) return refused;
    const authHeader = header(req, 'authorization');

    const parsed = parseActivity(req.body);
    if (!parsed.ok) {
      log.debug({ reason: parsed.message }, 'Teams activity refused');
      return { status: 400, body: { error: parsed.message } };
    }
    // parseActivity checked the fields botbuilder reads; the rest is passed as Teams sent it.
    const activity = req.body as Activity;
    let auth;
    try {
      auth = await opts.adapter.authenticate(activity, authHeader);
    } catch (e) {
      if (e instanceof AuthenticationError) {
        log.debug({ reason: e.message }, 'Teams activity not authenticated');
        return { status: 401, body: { error: 'unauthorized' } };
      }
      throw e;
    }
    const event = parsed.event;
    if (event.kind === 'ignored') {
      log.debug({ reason: event.reason }, 'Teams activity ignored');
      return { status: 200 };
    }
    let failed: unknown = null;
    const invoke = await opts.adapter.runTurn(auth, activity, async (ctx) => {
      try {
        const reply = await onEvent(event, turnOn(ctx));
        if (activity.type === 'invoke') {
          await ctx.sendActivity({ type: 'invokeResponse', value: { status: 200, body: invokeBody(reply ?? { message: 'Done.' }) } });
        } else if (reply && (event.kind === 'action' || event.kind === 'act')) {
          if ('card' in reply && event.replyToId) await turnOn(ctx).updateCard(event.replyToId, reply.card);
          else if ('message' in reply) await turnOn(ctx).replyText(reply.message);
        }
      } catch (e) {
        failed = e;
      }
    });
    if (failed) {
      log.error({ err: failed, kind: event.kind }, 'Teams turn failed');
      return { status: 500, body: { error: 'the bot could not handle this activity' } };
    }
    return invoke ? { status: invoke.status, body: invoke.body } : { status: 200 };
  };
}
