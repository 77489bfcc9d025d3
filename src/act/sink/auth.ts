/**
 * Caracal's notification-sink signature (FACTS §6.1), checked as Caracal signs:
 *
 *   X-Caracal-Timestamp: <unix seconds>
 *   X-Caracal-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>
 *
 * The same scheme as the generic incident hook (src/incidents/auth/generic.ts): the timestamp
 * within ±5 minutes either way, refused (401) from the headers alone before the body is read; the
 * signature then checked over the raw bytes as they stream in. Several secrets are accepted
 * while the sink's secret rotates (`POST …/notification-sinks/{id}/rotate-secret`).
 */
import { createHmac, type Hmac } from 'node:crypto';
import { headerValue, refuse, runChecks, signedBodyCheck, timestampProblem, type AuthResult, type HeaderBag, type Precheck } from '../../ingress/edge';
import { secretList, v1Signatures, type Secrets } from '../../incidents/auth/common';

export const SINK_SIGNATURE_HEADER = 'x-caracal-signature';
export const SINK_TIMESTAMP_HEADER = 'x-caracal-timestamp';

export function precheckCaracalSink(headers: HeaderBag, now: Date, secret: Secrets): Precheck {
  const secrets = secretList(secret, 'CARACAL_SINK_SECRET');
  const ts = headerValue(headers, SINK_TIMESTAMP_HEADER)?.trim() ?? '';
  const badTime = timestampProblem(ts, 'X-Caracal-Timestamp', now);
  if (badTime) return badTime;
  const value = headerValue(headers, SINK_SIGNATURE_HEADER);
  if (value === undefined || value.trim() === '') return refuse('missing_signature', 'X-Caracal-Signature header is missing');
  const given = v1Signatures(value);
  if (!given) return refuse('malformed_signature', 'X-Caracal-Signature header has no "v1=<64 hex digits>" signature');
  const macs: Hmac[] = secrets.map((s) => createHmac('sha256', s).update(`${ts}.`, 'utf8'));
  return { ok: true, body: signedBodyCheck(macs, given, refuse('bad_signature', 'X-Caracal-Signature matches no signature of "<timestamp>.<body>" with CARACAL_SINK_SECRET')) };
}

export function verifyCaracalSink(rawBody: Uint8Array, headers: HeaderBag, now: Date, secret: Secrets): AuthResult {
  return runChecks(precheckCaracalSink(headers, now, secret), rawBody);
}
