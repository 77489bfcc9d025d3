/**
 * `POST /api/messages`, framework-free: the web host hands in the request (headers and the raw
 * body) and writes back the answer this returns. In order, each step refusing before the next
 * runs, so an unauthenticated client costs no body parsing and learns nothing about the shape
 * the bot expects:
 *   1. auth on and no `Authorization: Bearer …` header → 401, from the headers alone;
 *   2. the JWT does not check out (adapter.ts: signature, issuer, audience, expiry, the key's
 *      endorsement) → 401, before the body is parsed;
 *   3. the body is not a Teams activity we can read → 400 with the reason (parseActivity);
 *   4. the activity is not the one the token was issued for (its serviceUrl is not the token's
 *      `serviceurl`) → 401; it comes from a tenant the bot does not serve → 403;
 *   5. an activity we do not act on → 200 and nothing runs;
 *   6. the event goes to the handler with a turn to answer on; for an `adaptiveCard/action`
 *      invoke, what the handler returns is the invoke response (the updated card, or a
 *      message shown to the person who clicked).
 * Teams expects the answer within about 15 s, so the handler answers at once ("triage
 * started") and leaves the rest to the worker.
 */
import type { Activity, TurnContext } from 'botbuilder';
import { type AuthenticateRequestResult, AuthenticationError } from 'botframework-connector';
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
  /** The raw body (parsed only once the token checks out), or an already parsed one. */
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

/** The body as JSON, from raw bytes or text; an object given already parsed is taken as it is. */
function bodyOf(body: unknown): { ok: true; value: unknown } | { ok: false } {
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) return { ok: true, value: body };
  try {
    return { ok: true, value: JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

/** The tenants an activity names (Teams sends it in both places); empty when it names none. */
function tenantsOf(activity: Activity): string[] {
  const fromChannelData = (activity.channelData as { tenant?: { id?: unknown } } | undefined)?.tenant?.id;
  return [activity.conversation?.tenantId, fromChannelData].filter((t): t is string => typeof t === 'string' && t !== '').map((t) => t.toLowerCase());
}

/** Why an activity's tenant is not served (SingleTenant: the app's; MultiTenant: TEAMS_ALLOWED_TENANTS), or null. */
export function tenantRefusal(activity: Activity, config: Pick<TeamsConfig, 'allowedTenants'>): string | null {
  const allowed = config.allowedTenants;
  if (allowed === null || allowed === '*') return null;
  const tenants = tenantsOf(activity);
  if (tenants.length === 0) return 'the activity names no tenant';
  const foreign = tenants.find((t) => !allowed.includes(t));
  return foreign ? 'the activity comes from a tenant this bot does not serve' : null;
}

export function createTeamsIngress(opts: TeamsIngressOptions) {
  const log = (opts.logger ?? pino({ level: 'silent' })).child({ component: 'teams-ingress' });
  const unauthorized: TeamsAnswer = { status: 401, body: { error: 'unauthorized' } };

  return async function handleTeamsRequest(req: TeamsRequest, onEvent: TeamsEventHandler): Promise<TeamsAnswer> {
    if (req.method && req.method !== 'POST') return { status: 405 };
    const refused = refuseWithoutToken(req.headers, opts.config);
    if (refused) return refused;
    const authHeader = header(req, 'authorization');

    // The token first, from the header alone: nothing of the body is looked at before it checks out.
    let auth: AuthenticateRequestResult | null = null;
    let tokenServiceUrl: string | null = null;
    if (opts.config.authEnabled) {
      try {
        ({ auth, serviceUrl: tokenServiceUrl } = await opts.adapter.authenticateToken(authHeader));
      } catch (e) {
        if (e instanceof AuthenticationError) {
          log.debug({ reason: e.message }, 'Teams activity not authenticated');
          return unauthorized;
        }
        throw e;
      }
    }
    const body = bodyOf(req.body);
    if (!body.ok) return { status: 400, body: { error: 'the body is not JSON' } };
    const parsed = parseActivity(body.value);
    if (!parsed.ok) {
      log.debug({ reason: parsed.message }, 'Teams activity refused');
      return { status: 400, body: { error: parsed.message } };
    }
    // parseActivity checked the fields botbuilder reads; the rest is passed as Teams sent it.
    const activity = body.value as Activity;
    if (auth === null) {
      // Authentication off (local testing): botbuilder makes the anonymous identity.
      auth = await opts.adapter.authenticate(activity, authHeader);
    } else if (activity.serviceUrl !== tokenServiceUrl) {
      log.debug({}, 'Teams activity not authenticated: its serviceUrl is not the one its token was issued for');
      return unauthorized;
    }
    const foreign = tenantRefusal(activity, opts.config);
    if (foreign) {
      log.warn({ reason: foreign }, 'refused a Teams activity from another tenant');
      return { status: 403, body: { error: 'forbidden', message: foreign } };
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
