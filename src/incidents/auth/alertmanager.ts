/**
 * Alertmanager's webhook receiver authenticates with what its `http_config` puts in the
 * `Authorization` header; nothing is signed, so the headers decide alone:
 *
 *   http_config.authorization: { type: Bearer, credentials: <token> }  → `Bearer <token>`
 *   http_config.basic_auth: { username: <any>, password: <token> }      → `Basic base64(user:token)`
 *
 * Both are checked against ALERTMANAGER_TOKEN (for basic auth the password is the token; the
 * username is not checked). Every refusal is 401. Alertmanager does not retry a 4xx within
 * one notification (it logs the failure), but the group counts as not notified, so it is
 * sent again at each `group_interval` until it gets a 2xx (seen with 0.25).
 */
import { BODY_NOT_SIGNED, headerValue, refuse, runChecks, sameSecret, type AuthResult, type HeaderBag, type Precheck } from '../../ingress/edge';
import { secretList, type Secrets } from './common';

const BEARER = /^Bearer +(\S+)$/i;
const BASIC = /^Basic +([A-Za-z0-9+/]+={0,2})$/i;

function credentialOf(authorization: string): string | null {
  const bearer = BEARER.exec(authorization);
  if (bearer) return bearer[1];
  const basic = BASIC.exec(authorization);
  if (!basic) return null;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : decoded.slice(colon + 1);
}

export function precheckAlertmanager(headers: HeaderBag, token: Secrets): Precheck {
  const tokens = secretList(token, 'ALERTMANAGER_TOKEN');
  const authorization = headerValue(headers, 'authorization')?.trim();
  if (!authorization) {
    return refuse('missing_credentials', 'Authorization header is missing (set http_config.authorization or basic_auth on the webhook receiver)');
  }
  const given = credentialOf(authorization);
  if (given === null) return refuse('malformed_credentials', 'Authorization header is neither "Bearer <token>" nor "Basic <user:token>"');
  // Compare against every configured token so the time taken does not say which one matched.
  let match = false;
  for (const t of tokens) match = sameSecret(given, t) || match;
  if (!match) return refuse('wrong_credentials', 'Authorization header does not carry ALERTMANAGER_TOKEN');
  return { ok: true, body: BODY_NOT_SIGNED };
}

export function verifyAlertmanager(rawBody: Uint8Array, headers: HeaderBag, token: Secrets): AuthResult {
  return runChecks(precheckAlertmanager(headers, token), rawBody);
}
