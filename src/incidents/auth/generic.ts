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
import { SIGNATURE_WINDOW_SECONDS, headerValue, refuse, runChecks, signedBodyCheck, timestampProblem, type AuthResult, type HeaderBag, type Precheck } from '../../ingress/edge';
import { secretList, v1Signatures, type Secrets } from './common';

export const SIGNATURE_HEADER = 'x-signature';
export const SIGNATURE_TIMESTAMP_HEADER = 'x-signature-timestamp';
export { SIGNATURE_WINDOW_SECONDS };

export function precheckGenericHook(headers: HeaderBag, now: Date, secret: Secrets): Precheck {
  const secrets = secretList(secret, 'INCIDENT_WEBHOOK_SECRET');
  const ts = headerValue(headers, SIGNATURE_TIMESTAMP_HEADER)?.trim() ?? '';
  const badTime = timestampProblem(ts, 'X-Signature-Timestamp', now);
  if (badTime) return badTime;
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
