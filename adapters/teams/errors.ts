/**
 * Bot Connector errors → the chat port's error taxonomy (adapters/slack/errors.ts is the
 * model):
 * - 429, 412, 502, 504 (Teams asks to retry these with backoff) → ChatRateLimitedError with
 *   Retry-After when given, else a short jittered backoff; the posting job is delayed
 *   through the shared limiter, never slept here;
 * - "bot is not part of the conversation roster" (app removed from the team or chat) and the
 *   other refusals no retry can fix (401, 403, 404, 400, 413 MessageSizeTooBig, a rejected
 *   app secret at Microsoft's login) → ChatPermanentError, logged once, no retry loop;
 * - anything else (network, 500, 503, timeouts) is rethrown for the job's ordinary retries.
 */
import { ChatPermanentError, ChatRateLimitedError } from '../../src/chat/port';

export const THROTTLING_STATUSES = new Set([429, 412, 502, 504]);

/** Used when Teams gives no Retry-After: 429 waits out the short per-thread windows (1 s, 2 s). */
export const DEFAULT_BACKOFF_MS = { throttled: 2000, transient: 1000 } as const;
const JITTER_MS = 1000;

/** msal-node ServerError codes that mean the app's credentials are wrong, not that login is down. */
const LOGIN_REFUSALS = new Set(['invalid_client', 'unauthorized_client', 'invalid_request', 'invalid_grant', 'invalid_scope']);

interface ConnectorErrorLike {
  statusCode?: number;
  code?: string;
  message?: string;
  details?: unknown;
  response?: { headers?: { get?(name: string): string | undefined }; bodyAsText?: string | null };
}

interface LoginErrorLike {
  name?: string;
  errorCode?: string;
}

export function statusOf(e: unknown): number | null {
  const s = (e as ConnectorErrorLike | null)?.statusCode;
  return typeof s === 'number' ? s : null;
}

/** Retry-After as seconds or an HTTP date, in ms; null when absent or unreadable. */
export function retryAfterMs(e: unknown, now: number = Date.now()): number | null {
  const raw = (e as ConnectorErrorLike | null)?.response?.headers?.get?.('retry-after');
  if (raw === undefined || raw === null || raw.trim() === '') return null;
  const secs = Number(raw);
  if (Number.isFinite(secs) && secs >= 0) return Math.ceil(secs * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** The connector's `{error: {code, message}}` body, when there is one. */
export function connectorErrorCode(e: unknown): { code: string | null; message: string | null } {
  const err = e as ConnectorErrorLike | null;
  const fromDetails = (err?.details as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  let body: { error?: { code?: unknown; message?: unknown } } | undefined;
  try {
    body = err?.response?.bodyAsText ? (JSON.parse(err.response.bodyAsText) as typeof body) : undefined;
  } catch {
    body = undefined;
  }
  const found = fromDetails ?? body?.error;
  return {
    code: typeof found?.code === 'string' ? found.code : typeof err?.code === 'string' ? err.code : null,
    message: typeof found?.message === 'string' ? found.message : null,
  };
}

export function isRosterFailure(e: unknown): boolean {
  const status = statusOf(e);
  if (status !== 403 && status !== 404) return false;
  const { code, message } = connectorErrorCode(e);
  return code === 'BotNotInConversationRoster' || /not part of the conversation roster/i.test(`${message ?? ''} ${(e as Error).message ?? ''}`);
}

const HINTS: Record<number, string> = {
  400: 'the connector rejected the activity as malformed',
  401: 'the connector did not accept the bot token; check MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TENANT_ID',
  403: 'the bot may not post here (a private channel, or a chat that blocked the bot)',
  404: 'the conversation or message no longer exists',
  413: 'the message is larger than Teams accepts (about 28 KB of card JSON); the full evidence is available from the CLI',
};

const PERMANENT_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'conversation_not_found',
  413: 'message_too_big',
};

/** Rethrows `e` in the port's taxonomy. `scope` names what was called, e.g. `teams:postStep:<conversation key>`. */
export function toChatError(e: unknown, scope: string, random: () => number = Math.random): Error {
  if (e instanceof ChatPermanentError || e instanceof ChatRateLimitedError) return e;
  const status = statusOf(e);
  if (status !== null && THROTTLING_STATUSES.has(status)) {
    const base = status === 429 ? DEFAULT_BACKOFF_MS.throttled : DEFAULT_BACKOFF_MS.transient;
    const wait = retryAfterMs(e) ?? base + Math.floor(random() * JITTER_MS);
    return new ChatRateLimitedError(Math.max(1, wait), `${scope} (HTTP ${status})`);
  }
  if (isRosterFailure(e)) {
    return new ChatPermanentError(
      'bot_not_in_conversation',
      `Teams refused ${scope}: the bot is not part of the conversation roster (the app was removed from this team or chat); add the app again, then start a new triage`,
    );
  }
  if (status !== null && PERMANENT_CODES[status]) {
    const { code } = connectorErrorCode(e);
    return new ChatPermanentError(PERMANENT_CODES[status], `Teams refused ${scope}: HTTP ${status}${code ? ` ${code}` : ''} (${HINTS[status]})`);
  }
  const login = e as LoginErrorLike | null;
  if (login?.name === 'ServerError' && login.errorCode && LOGIN_REFUSALS.has(login.errorCode)) {
    return new ChatPermanentError(
      'login_refused',
      `Microsoft's login refused the bot's credentials for ${scope} (${login.errorCode}); check MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TENANT_ID`,
    );
  }
  return e instanceof Error ? e : new Error(String(e));
}
