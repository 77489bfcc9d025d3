/**
 * Signed, expiring links to a triage's page on `serve`:
 *
 *   <TRIAGE_PUBLIC_URL>/triage/<triage id>?exp=<unix seconds>&sig=<base64url HMAC-SHA256>
 *   <TRIAGE_PUBLIC_URL>/triage/<triage id>.md?…   the same triage as one Markdown document
 *   <TRIAGE_PUBLIC_URL>/triage/<triage id>.png?…  the chart of a deny pattern's last hour (the
 *                                                  watch card's image on Slack), signed apart:
 *                                                  its link opens the image and nothing else
 *
 * The signature covers the triage ID and the expiry, keyed with a key derived from
 * TRIAGE_SIGNING_KEY for this one use (so a page signature is never a valid button or audit
 * HMAC, nor the other way round). Holding the link is the page's authentication: anyone with it
 * reads what the triage's channel already saw, until it expires (TRIAGE_PAGE_TTL, default 7 days).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const PAGE_PATH = '/triage';

/** What the page's signatures are keyed with: HMAC(TRIAGE_SIGNING_KEY, purpose). */
function pageKey(signingKey: string): Buffer {
  return createHmac('sha256', signingKey).update('caracal-triage/page-link/v1').digest();
}

export type PageFormat = 'html' | 'md' | 'png';

/** The page and its export share a signature; the chart's covers its format too (its URL, in a Slack image block, must not open the page). */
function signature(signingKey: string, triageId: string, exp: number, format: PageFormat = 'html'): string {
  return createHmac('sha256', pageKey(signingKey)).update(`${format === 'png' ? 'chart\n' : ''}${triageId}\n${exp}`).digest('base64url');
}

export interface PageLinkOptions {
  /** TRIAGE_PUBLIC_URL: where people reach `serve` (scheme, host and any path prefix). */
  publicUrl: string;
  signingKey: string;
  /** How long a link works (ms). */
  ttlMs: number;
}

/** The page's link for a triage, valid for `ttlMs` from `now`. */
export function pageLink(o: PageLinkOptions, triageId: string, now: Date, format: PageFormat = 'html'): string {
  const exp = Math.floor((now.getTime() + o.ttlMs) / 1000);
  const id = encodeURIComponent(triageId);
  return `${o.publicUrl.replace(/\/+$/, '')}${PAGE_PATH}/${id}${format === 'html' ? '' : `.${format}`}?exp=${exp}&sig=${signature(o.signingKey, triageId, exp, format)}`;
}

export type PageLinkCheck =
  | { ok: true; triageId: string; format: PageFormat; expiresAt: Date }
  /** 401: the link carries no signature at all; 403: a signature that does not match, or one that has expired. */
  | { ok: false; status: 401 | 403; reason: 'missing_signature' | 'malformed_link' | 'bad_signature' | 'expired' };

const TRIAGE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * A request target (`/triage/<id>[.md]?exp=…&sig=…`) checked: the signature over the ID and the
 * expiry, in constant time, then the expiry against `now`.
 */
export function checkPageLink(target: string, signingKey: string, now: Date): PageLinkCheck {
  let url: URL;
  try {
    url = new URL(target, 'http://page.invalid');
  } catch {
    return { ok: false, status: 401, reason: 'malformed_link' };
  }
  const sig = url.searchParams.get('sig');
  const expText = url.searchParams.get('exp');
  if (!sig || !expText) return { ok: false, status: 401, reason: 'missing_signature' };
  const m = new RegExp(`^${PAGE_PATH}/([^/]+?)(?:\\.(md|png))?$`).exec(url.pathname);
  const format: PageFormat = (m?.[2] as PageFormat | undefined) ?? 'html';
  let triageId: string;
  try {
    triageId = m ? decodeURIComponent(m[1]!) : '';
  } catch {
    triageId = '';
  }
  if (!TRIAGE_ID.test(triageId) || !/^\d{1,12}$/.test(expText) || !/^[A-Za-z0-9_-]{43}$/.test(sig)) return { ok: false, status: 403, reason: 'malformed_link' };
  const exp = Number(expText);
  const expected = Buffer.from(signature(signingKey, triageId, exp, format));
  const given = Buffer.from(sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, status: 403, reason: 'bad_signature' };
  if (exp * 1000 <= now.getTime()) return { ok: false, status: 403, reason: 'expired' };
  return { ok: true, triageId, format, expiresAt: new Date(exp * 1000) };
}
