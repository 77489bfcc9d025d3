/**
 * The edge every ingress shares: how a request is authenticated before its body is trusted.
 * Each platform or source splits its check in two:
 *
 *   precheck(headers, now)  headers only: a missing or malformed header, or a timestamp
 *                           outside the window, is refused before a byte of the body is read
 *   body.update(chunk)…     the raw body bytes as they arrive (nothing is buffered here)
 *   body.finish()           the verdict over the whole body
 *
 * The web host runs the precheck, caps the body, streams it into the body check and hands the
 * route the verified raw bytes (src/server/guarded-body.ts). Results are values, never throws:
 * `{ ok: true }` or a refusal with the HTTP status to answer, a stable reason code and a
 * sentence for the log (it never contains a secret). Comparisons are constant-time
 * (`crypto.timingSafeEqual` over equal-length digests).
 */
import { createHash, timingSafeEqual, type Hmac } from 'node:crypto';

/** Node's `IncomingHttpHeaders` (lower-case names) or any plain object of headers. */
export type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>>;

export type AuthReason =
  | 'missing_credentials'
  | 'malformed_credentials'
  | 'wrong_credentials'
  | 'missing_signature'
  | 'malformed_signature'
  | 'bad_signature'
  | 'missing_timestamp'
  | 'malformed_timestamp'
  | 'stale_timestamp'
  | 'future_timestamp'
  | 'forbidden_origin';

export interface AuthFailure {
  ok: false;
  status: 401 | 403;
  reason: AuthReason;
  /** One sentence for the log and the response body; names headers, never values. */
  message: string;
}

export type AuthResult = { ok: true } | AuthFailure;

/** Consumes the raw body as it streams in; `finish` gives the verdict. */
export interface BodyCheck {
  update(chunk: Uint8Array): void;
  finish(): AuthResult;
}

export type Precheck = { ok: true; body: BodyCheck } | AuthFailure;

export function refuse(reason: AuthReason, message: string, status: 401 | 403 = 401): AuthFailure {
  return { ok: false, status, reason, message };
}

/** The value of a header, case-insensitively; repeated headers are joined with ", " as Node does. */
export function headerValue(headers: HeaderBag, name: string): string | undefined {
  const lower = name.toLowerCase();
  let v = headers[lower];
  if (v === undefined) {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === lower);
    v = key === undefined ? undefined : headers[key];
  }
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : v.join(', ');
}

/** Constant-time equality of two strings of any length (compared as SHA-256 digests). */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** Constant-time equality of two digests; different lengths are simply unequal. */
export function sameDigest(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A BodyCheck for sources whose headers already decided (a bearer token): the body changes nothing. */
export const BODY_NOT_SIGNED: BodyCheck = {
  update() {},
  finish: () => ({ ok: true }),
};

/**
 * The body check of an HMAC-signed source: feeds each chunk to one HMAC per secret (already
 * primed with any prefix), and at the end accepts when any given signature equals any
 * digest. The verdict is computed once; later `finish` calls return it again.
 */
export function signedBodyCheck(macs: Hmac[], given: readonly Buffer[], failure: AuthFailure): BodyCheck {
  let verdict: AuthResult | null = null;
  return {
    update(chunk) {
      if (verdict) throw new Error('body check already finished');
      for (const m of macs) m.update(chunk);
    },
    finish() {
      if (verdict) return verdict;
      let match = false;
      for (const m of macs) {
        const expected = m.digest();
        for (const g of given) match = sameDigest(g, expected) || match;
      }
      verdict = match ? { ok: true } : failure;
      return verdict;
    },
  };
}

/** Runs a precheck and its body check over a body already in memory. */
export function runChecks(pre: Precheck, rawBody: Uint8Array): AuthResult {
  if (!pre.ok) return pre;
  pre.body.update(rawBody);
  return pre.body.finish();
}

/** How far a signer's clock may be from ours, either way (seconds): Slack's and our hooks' rule. */
export const SIGNATURE_WINDOW_SECONDS = 300;

const UNIX_SECONDS = /^\d{1,12}$/;

/**
 * A signed request's timestamp header: present, unix seconds, and within ±`windowSeconds` of
 * now in either direction (a clock far ahead is as suspect as a replay from the past).
 * Returns null when it is fine.
 */
export function timestampProblem(value: string | undefined, header: string, now: Date, windowSeconds = SIGNATURE_WINDOW_SECONDS): AuthFailure | null {
  const ts = value?.trim();
  if (!ts) return refuse('missing_timestamp', `${header} header is missing`);
  if (!UNIX_SECONDS.test(ts)) {
    const hint = /^\d{13,}$/.test(ts) ? ' (it looks like milliseconds)' : '';
    return refuse('malformed_timestamp', `${header} is not unix seconds${hint}`);
  }
  const skew = Number(ts) - Math.floor(now.getTime() / 1000);
  if (skew < -windowSeconds) return refuse('stale_timestamp', `${header} is more than ${windowSeconds} s old`);
  if (skew > windowSeconds) return refuse('future_timestamp', `${header} is more than ${windowSeconds} s in the future`);
  return null;
}
