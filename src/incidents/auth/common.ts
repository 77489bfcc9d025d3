/**
 * What every incident source's authentication shares. Each source splits its check in two:
 *
 *   precheck(headers, now)  headers only: a missing or malformed header, or a timestamp
 *                           outside the window, is refused before a byte of the body is read
 *   body.update(chunk)…     the raw body bytes as they arrive (nothing is buffered here)
 *   body.finish()           the verdict over the whole body
 *
 * and `verify…(rawBody, headers, now, secret)` runs both for callers that hold the body.
 * Results are values, never throws: `{ ok: true }` or a refusal with the HTTP status to
 * answer, a stable reason code and a sentence for the log (it never contains a secret).
 * Comparisons are constant-time (`crypto.timingSafeEqual` over equal-length digests).
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
  | 'future_timestamp';

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

/** One secret or several (rotation on our side: any of them is accepted). Empty secrets are a wiring bug. */
export type Secrets = string | readonly string[];

export function secretList(secrets: Secrets, what: string): string[] {
  const list = (typeof secrets === 'string' ? [secrets] : [...secrets]).filter((s) => s.length > 0);
  if (list.length === 0) throw new Error(`${what}: no secret configured; do not mount this source without one`);
  return list;
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

const V1_SIGNATURE = /^v1=([0-9a-fA-F]{64})$/;

/**
 * `v1=<64 hex>` entries of a signature header, comma-separated (PagerDuty sends one per
 * signing secret while secrets rotate). Entries of other versions are skipped; null when the
 * header holds no well-formed v1 entry at all.
 */
export function v1Signatures(value: string): Buffer[] | null {
  const sigs: Buffer[] = [];
  for (const part of value.split(',')) {
    const m = V1_SIGNATURE.exec(part.trim());
    if (m) sigs.push(Buffer.from(m[1], 'hex'));
  }
  return sigs.length > 0 ? sigs : null;
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
