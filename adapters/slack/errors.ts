/**
 * Slack Web API errors → the chat port's error taxonomy: rate limits become
 * ChatRateLimitedError (the posting job is delayed by Retry-After), errors that no retry can
 * fix become ChatPermanentError, anything else (network, 5xx) is rethrown for the job's
 * ordinary retries.
 */
import { webApi } from '@slack/bolt';
import { ChatPermanentError, ChatRateLimitedError } from '../../src/chat/port';

/** Refusals that stop every post to the channel (the rest of a thread is not attempted), not just one message. */
export const CONVERSATION_SLACK_ERRORS = new Set([
  'not_in_channel',
  'channel_not_found',
  'is_archived',
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'no_permission',
  'restricted_action',
  'ekm_access_denied',
  'team_access_not_granted',
  'org_login_required',
]);

/** Refusals of one message (or of the app's scopes for it) that no retry can fix. */
const MESSAGE_SLACK_ERRORS = [
  'missing_scope',
  'message_not_found',
  'cant_update_message',
  'edit_window_closed',
  'msg_too_long',
  'msg_blocks_too_long',
  'invalid_blocks',
  'invalid_blocks_format',
  'invalid_arguments',
];

/** Every refusal no retry can fix: the conversation's and the message's. */
export const PERMANENT_SLACK_ERRORS = new Set([...CONVERSATION_SLACK_ERRORS, ...MESSAGE_SLACK_ERRORS]);

/** chat.postMessage refusing the message metadata (not the message): post it again without. */
export const METADATA_SLACK_ERRORS = new Set(['invalid_metadata_format', 'invalid_metadata_schema', 'metadata_too_large', 'metadata_must_be_sent_from_app']);

const HINTS: Record<string, string> = {
  not_in_channel: 'the bot is not in this channel; invite it with /invite @Caracal',
  channel_not_found: 'the channel does not exist or the bot cannot see it (private channel without the bot?)',
  is_archived: 'the channel is archived',
  invalid_auth: 'SLACK_BOT_TOKEN is not valid',
  account_inactive: 'the bot token belongs to a deactivated app or user',
  token_revoked: 'the bot token was revoked; reinstall the app',
  missing_scope: 'the app lacks a scope it needs (channels:history / groups:history since exactly-once posting); reinstall from manifest.yml',
};

export function slackErrorCode(e: unknown): string | null {
  if (e instanceof webApi.WebAPIPlatformError) return e.data.error;
  const err = e as { code?: string; data?: { error?: unknown } };
  return err?.code === webApi.ErrorCode.PlatformError && typeof err.data?.error === 'string' ? err.data.error : null;
}

export function isRateLimited(e: unknown): e is { retryAfter: number } {
  return e instanceof webApi.WebAPIRateLimitedError || (e as { code?: string })?.code === webApi.ErrorCode.RateLimitedError;
}

/** Rethrows `e` in the port's taxonomy. `scope` names what was limited, e.g. `slack:chat.postMessage:C123`. */
export function toChatError(e: unknown, scope: string): Error {
  if (isRateLimited(e)) return new ChatRateLimitedError(Math.max(1, e.retryAfter) * 1000, scope);
  const code = slackErrorCode(e);
  if (code && PERMANENT_SLACK_ERRORS.has(code)) {
    return new ChatPermanentError(code, `Slack refused ${scope}: ${code}${HINTS[code] ? ` (${HINTS[code]})` : ''}`, CONVERSATION_SLACK_ERRORS.has(code) ? 'conversation' : 'message');
  }
  return e instanceof Error ? e : new Error(String(e));
}
