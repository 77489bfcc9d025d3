/**
 * The generic incident webhook, signed the way Caracal signs its notification sinks:
 *
 *   X-Signature-Timestamp: <unix seconds>
 *   X-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>", keyed with INCIDENT_WEBHOOK_SECRET>
 *
 * The timestamp must be within ±5 minutes of now, in either direction (a clock far ahead is
 * as suspect as a replay from the past); it is signed exactly as sent. Several
 * comma-separated `v1=` signatures are accepted (a sender rotating its secret), one match is
 * enough. Every refusal is 401.
 */
import { createHmac, type Hmac } from 'node:crypto';
import { headerValue, refuse, runChecks, secretList, signedBodyCheck, v1Signatures, type AuthResult, type HeaderBag, type Precheck, type Secrets } from './common';

export const SIGNATURE_HEADER = 'x-signature';
export const SIGNATURE_TIMESTAMP_HEADER = 'x-signature-timestamp';
/** How far the sender's clock may be from ours, either way (seconds). */
export const SIGNATURE_WINDOW_SECONDS = 300;

const UNIX_SECONDS = /^\d{1,12}$/;

export function precheckGenericHook(headers: HeaderBag, now: Date, secret: Secrets): Precheck {
  const secrets = secretList(secret, 'INCIDENT_WEBHOOK_SECRET');
  const ts = headerValue(headers, SIGNATURE_TIMESTAMP_HEADER)?.trim();
  if (!ts) return refuse('missing_timestamp', 'X-Signature-Timestamp header is missing');
  if (!UNIX_SECONDS.test(ts)) {
    const hint = /^\d{13,}$/.test(ts) ? ' (it looks like milliseconds)' : '';
    return refuse('malformed_timestamp', `X-Signature-Timestamp is not unix seconds${hint}`);
  }
  const skew = Number(ts) - Math.floor(now.getTime() / 1000);
  if (skew < -SIGNATURE_WINDOW_SECONDS) return refuse('stale_timestamp', `X-Signature-Timestamp is more than ${SIGNATURE_WINDOW_SECONDS} s old`);
  if (skew > SIGNATURE_WINDOW_SECONDS) return refuse('future_timestamp', `X-Signature-Timestamp is more than ${SIGNATURE_WINDOW_SECONDS} s in the future`);
  const value = headerValue(headers, SIGNATURE_HEADER);
  if (value === undefined || value.trim() === '') return refuse('missing_signature', 'X-Signature header is missing');
  const given = v1Signatures(value);
  if (!given) return refuse('malformed_signature', 'X-Signature header has no "v1=<64 hex digits>" signature');
  const macs: Hmac[] = secrets.map((s) => createHmac('sha256', s).update(`${ts}.`, 'utf8'));
  return { ok: true, body: signedBodyCheck(macs, given, refuse('bad_signature', 'X-Signature matches no signature of "<timestamp>.<body>" with INCIDENT_WEBHOOK_SECRET')) };
}

export function verifyGenericHook(rawBody: Uint8Array, headers: HeaderBag, now: Date, secret: Secrets): AuthResult {
  return runChecks(precheckGenericHook(headers, now, secret), rawBody);
}

/** The two headers a sender puts on a body (tests, docs, a sender written in Node). */
export function signGenericHook(rawBody: Uint8Array | string, secret: string, timestamp: number): Record<string, string> {
  const mac = createHmac('sha256', secret).update(`${timestamp}.`, 'utf8').update(rawBody).digest('hex');
  return { 'X-Signature-Timestamp': String(timestamp), 'X-Signature': `v1=${mac}` };
}
