/**
 * Requests signed the way Slack signs them: `v0=` + hex HMAC-SHA256 of
 * `v0:<timestamp>:<raw body>` keyed with the signing secret, in x-slack-signature, with the
 * timestamp in x-slack-request-timestamp. Used by the HTTP tests and the ack benchmark.
 */
import { createHmac } from 'node:crypto';

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';

export interface SendOptions {
  secret?: string;
  /** Unix seconds; default now. */
  timestamp?: number;
  /** Send this signature instead of the right one. */
  signature?: string;
  /** X-Slack-Retry-Num / Reason headers. */
  retryNum?: number;
  retryReason?: string;
}

export interface SlackReply {
  status: number;
  text: string;
  json: Record<string, unknown> | null;
  ms: number;
}

export function slackSignature(rawBody: string, timestamp: number, secret = SIGNING_SECRET): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

export async function sendSigned(url: string, rawBody: string, contentType: string, opts: SendOptions = {}): Promise<SlackReply> {
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': contentType,
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': opts.signature ?? slackSignature(rawBody, timestamp, opts.secret),
  };
  if (opts.retryNum !== undefined) {
    headers['x-slack-retry-num'] = String(opts.retryNum);
    headers['x-slack-retry-reason'] = opts.retryReason ?? 'http_timeout';
  }
  const started = performance.now();
  const res = await fetch(url, { method: 'POST', headers, body: rawBody });
  const text = await res.text();
  const ms = performance.now() - started;
  let json: Record<string, unknown> | null = null;
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : null;
  } catch {
    json = null;
  }
  return { status: res.status, text, json, ms };
}

let trigger = 0;

export function commandBody(fields: Record<string, string> = {}): string {
  trigger += 1;
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: 'T0TEST01',
    team_domain: 'test',
    channel_id: 'C0INC001',
    channel_name: 'inc-payments',
    user_id: 'U0ONCALL',
    user_name: 'oncall',
    command: '/caracal',
    text: '',
    api_app_id: 'A0APP001',
    is_enterprise_install: 'false',
    response_url: 'http://127.0.0.1:9/response/none',
    trigger_id: `${Date.now()}.${trigger}.abcdef`,
    ...fields,
  }).toString();
}

export function sendCommand(url: string, fields: Record<string, string> = {}, opts: SendOptions = {}): Promise<SlackReply> {
  return sendSigned(url, commandBody(fields), 'application/x-www-form-urlencoded', opts);
}

export interface ButtonClick {
  actionId: string;
  value: string;
  userId?: string;
  channelId?: string;
  responseUrl: string;
  messageTs?: string;
}

export function blockActionBody(click: ButtonClick): string {
  const payload = {
    type: 'block_actions',
    user: { id: click.userId ?? 'U0ONCALL', username: 'oncall', name: 'oncall', team_id: 'T0TEST01' },
    api_app_id: 'A0APP001',
    token: 'deprecated-verification-token',
    container: { type: 'message', message_ts: click.messageTs ?? '1700000000.000001', channel_id: click.channelId ?? 'C0INC001', is_ephemeral: false },
    trigger_id: `${Date.now()}.click`,
    team: { id: 'T0TEST01', domain: 'test' },
    channel: { id: click.channelId ?? 'C0INC001', name: 'inc-payments' },
    message: { type: 'message', ts: click.messageTs ?? '1700000000.000001', text: 'card' },
    response_url: click.responseUrl,
    actions: [
      {
        type: 'button',
        action_id: click.actionId,
        block_id: 'triage:actions',
        text: { type: 'plain_text', text: 'x' },
        value: click.value,
        action_ts: `${Date.now() / 1000}`,
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export function sendClick(url: string, click: ButtonClick, opts: SendOptions = {}): Promise<SlackReply> {
  return sendSigned(url, blockActionBody(click), 'application/x-www-form-urlencoded', opts);
}

let eventSeq = 0;

export function eventBody(event: Record<string, unknown>, eventId?: string): string {
  eventSeq += 1;
  return JSON.stringify({
    token: 'deprecated-verification-token',
    team_id: 'T0TEST01',
    api_app_id: 'A0APP001',
    event: { event_ts: `${Date.now() / 1000}`, ...event },
    type: 'event_callback',
    event_id: eventId ?? `Ev${Date.now()}${eventSeq}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: 'T0TEST01', user_id: 'UBOT0001', is_bot: true, is_enterprise_install: false }],
  });
}

export function sendEvent(url: string, event: Record<string, unknown>, opts: SendOptions & { eventId?: string } = {}): Promise<SlackReply> {
  return sendSigned(url, eventBody(event, opts.eventId), 'application/json', opts);
}
