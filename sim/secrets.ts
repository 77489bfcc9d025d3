/**
 * Secret values the simulator plants where a real Caracal could leak them (audit metadata,
 * provider config, error descriptions, diagnostics messages). Redaction tests and the demo
 * grep every output for these strings: none may survive. They are fake, made for this file.
 */

/** A Caracal admin token: `cat_` + 43 base64url characters. */
export const SEEDED_ADMIN_TOKEN = 'cat_ZDS-YzKTxXzVyeKqFi3PCJcfR8LFNihlNnwi0vAWCYw';
/** A notification-sink secret. */
export const SEEDED_SINK_SECRET = 'nsk_cjaEEqSb6cztpasZ3laPxTNvrq_dl_FScOhL_l5QnXY';
/** A mandate (ES256 JWT). */
export const SEEDED_JWT =
  'eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6InNpbS0xIn0.eyJpc3MiOiJodHRwczovL3N0cy5zaW0ubG9jYWwiLCJzdWIiOiJhcHAtYW50b24iLCJhdWQiOiJyZXNvdXJjZTovL3BheW1lbnRzIiwic2NvcGUiOiJwYXltZW50czpyZWFkIiwiZXhwIjoxNzk1ODAwMDAwfQ.q1sr6UvLdAhUg3x8OerwVqQLcsh62vVtr24GsJiS9VZCj2lgEdt2PYe-ITUKFpZXxX6nCqRoI6gztprTehgX8A';
/** An opaque upstream bearer value (only recognisable by the `Bearer ` before it). */
export const SEEDED_BEARER_VALUE = 'OK8m2xdyzpd_0BXKMjFsjkvJJnQQN0Dc';
/** A provider OAuth client secret (only recognisable by its key). */
export const SEEDED_CLIENT_SECRET = 'Wl8FOHEDtE59__wnmAGrHAVv';
/** A password inside a JSON string embedded in metadata (only recognisable by its key). */
export const SEEDED_PASSWORD = 'hunter2-Correct-Horse-77';
/** An API key sent as an `x-api-key` header value (only recognisable by its key). */
export const SEEDED_API_KEY = '33CtCxlN_XUU1pu0szZZ_9ADlnM';
/** A Slack bot token pasted into a provider description. */
export const SEEDED_SLACK_TOKEN = 'xoxb-603755147032-645043836187-k8COJy7Uej0VT9ZfpE7XW4zv';

/** Every seeded secret; no output of the bot may contain any of them. */
export const SEEDED_SECRETS: readonly string[] = [
  SEEDED_ADMIN_TOKEN,
  SEEDED_SINK_SECRET,
  SEEDED_JWT,
  SEEDED_BEARER_VALUE,
  SEEDED_CLIENT_SECRET,
  SEEDED_PASSWORD,
  SEEDED_API_KEY,
  SEEDED_SLACK_TOKEN,
];
