/**
 * PagerDuty V3 webhooks: `X-PagerDuty-Signature: v1=<hex HMAC-SHA256(raw body)>`, keyed with
 * the subscription's secret. While PagerDuty rotates a secret the header carries one
 * signature per secret, comma-separated; one match is enough. The body must be the exact
 * bytes received (no re-serialised JSON). There is no timestamp to check.
 *
 * A missing or malformed header is 401; a well-formed header that matches no secret is 403
 * (go-pagerduty's advice). PagerDuty retries only 429 and 5xx, so either stops redelivery.
 */
import { createHmac, type Hmac } from 'node:crypto';
import { headerValue, refuse, runChecks, signedBodyCheck, type AuthResult, type HeaderBag, type Precheck } from '../../ingress/edge';
import { secretList, v1Signatures, type Secrets } from './common';

export const PAGERDUTY_SIGNATURE_HEADER = 'x-pagerduty-signature';

export function precheckPagerDuty(headers: HeaderBag, secret: Secrets): Precheck {
  const secrets = secretList(secret, 'PAGERDUTY_WEBHOOK_SECRET');
  const value = headerValue(headers, PAGERDUTY_SIGNATURE_HEADER);
  if (value === undefined || value.trim() === '') return refuse('missing_signature', 'X-PagerDuty-Signature header is missing');
  const given = v1Signatures(value);
  if (!given) return refuse('malformed_signature', 'X-PagerDuty-Signature header has no "v1=<64 hex digits>" signature');
  const macs: Hmac[] = secrets.map((s) => createHmac('sha256', s));
  return { ok: true, body: signedBodyCheck(macs, given, refuse('bad_signature', 'X-PagerDuty-Signature matches no signature of this body with PAGERDUTY_WEBHOOK_SECRET', 403)) };
}

export function verifyPagerDuty(rawBody: Uint8Array, headers: HeaderBag, secret: Secrets): AuthResult {
  return runChecks(precheckPagerDuty(headers, secret), rawBody);
}

/** The header value PagerDuty would send for this body and these secrets (tests, docs). */
export function signPagerDuty(rawBody: Uint8Array | string, secrets: readonly string[]): string {
  return secrets.map((s) => `v1=${createHmac('sha256', s).update(rawBody).digest('hex')}`).join(',');
}
