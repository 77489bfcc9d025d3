/**
 * One call to a Caracal service, as every client of the bot makes it: the URL built under its
 * base (path guard), the credential for that service, the transport's deadline and retries
 * (reads only), then the answer turned into validated data or a typed `CaracalError`: a
 * redirect is never followed, an error envelope becomes `CaracalApiError` with Caracal's code,
 * a body that is not JSON or not the expected shape becomes `CaracalBadResponseError`.
 *
 * Shared by the read client (client.ts, the admin read token) and the act client
 * (act-client.ts, the approve and fix tokens), so both read Caracal's answers the same way.
 */
import type { z } from 'zod';
import type { CallBudget } from './budget';
import type { ServiceName } from './client-api';
import { CaracalApiError, CaracalBadResponseError, CaracalTransportError } from './errors';
import { ErrorEnvelope } from './schemas';
import { checkedUrl } from './path';
import { retryAfterMs, type HttpResult, type Transport } from './transport';

/** Statuses worth another try on a read (425/429 retry, 5xx gateway-ish failures). */
const RETRY_READ_STATUSES = [429, 502, 503, 504];
/** With a budget, a 429 is not retried at once: it pauses the budget until Caracal's next minute. */
const RETRY_BUDGETED_STATUSES = [502, 503, 504];
/** A call answered 429 this many times in a row (minutes apart) fails with that 429. */
const MAX_RATE_LIMITED_ROUNDS = 5;
const ERROR_CODE = /^[a-z][a-z0-9_.:-]{0,80}$/;

export type Query = Record<string, string | number | undefined>;

export function header(h: HttpResult['headers'], name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

export function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** HTML rather than JSON: a proxy's error or login page, or the Console's address instead of the API's. */
export function looksLikeHtml(res: HttpResult): boolean {
  return /\bhtml\b/i.test(header(res.headers, 'content-type') ?? '') || /^\s*</.test(res.text);
}

/** Where a redirect points, without query, fragment or credentials (they may carry secrets). */
export function redirectTarget(res: HttpResult, from: URL): string {
  const location = header(res.headers, 'location');
  if (!location) return 'no Location given';
  try {
    const to = new URL(location, from);
    return `to ${to.origin}${to.pathname}`;
  } catch {
    return 'to an unparseable Location';
  }
}

export const isRedirect = (status: number): boolean => status >= 300 && status < 400;

function describeIssues(err: z.ZodError): string {
  return err.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : '(body)'}: ${i.message}`)
    .join('; ');
}

export function apiError(call: string, res: HttpResult): CaracalApiError {
  const parsed = parseJson(res.text);
  const env = parsed.ok ? ErrorEnvelope.safeParse(parsed.value) : undefined;
  const body = env?.success ? env.data : undefined;
  const code = body && ERROR_CODE.test(body.error) ? body.error : `http_${res.status}`;
  const description = body?.error_description ?? body?.message ?? undefined;
  const requestId = body?.requestId ?? body?.request_id ?? header(res.headers, 'x-request-id') ?? undefined;
  const ra = retryAfterMs(res.headers['retry-after']);
  return new CaracalApiError(call, res.status, code, description, requestId, body?.details, ra === undefined ? undefined : Math.ceil(ra / 1000));
}

export interface ApiCallerOptions {
  transport: Transport;
  bases: Partial<Record<ServiceName, string>>;
  timeoutMs: number;
  /** The `Authorization` header value for a credential kind, or undefined for none. */
  authorization(auth: string): string | undefined;
  /** The Caracal call budget (budget.ts) and which calls count against it; none: no budget. */
  budget?: { calls: CallBudget; covers(service: ServiceName, auth: string): boolean };
}

export interface CallOptions {
  /** Which credential: a kind `authorization` knows (`admin`, `metrics`, …) or `none`. */
  auth: string;
  query?: Query;
  body?: unknown;
  /** The path as logged, when it differs from the one called. */
  label?: string;
}

export interface ApiCaller {
  url(service: ServiceName, path: string, query?: Query): URL;
  /** Reads are retried (transport failures, 429 and gateway 5xx); writes are sent once. */
  call<S extends z.ZodType>(service: ServiceName, method: 'GET' | 'POST', path: string, schema: S, o: CallOptions): Promise<z.infer<S>>;
}

export function apiCaller(opts: ApiCallerOptions): ApiCaller {
  function url(service: ServiceName, path: string, query?: Query): URL {
    const base = opts.bases[service]!.replace(/\/+$/, '');
    const u = checkedUrl(base, path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') u.searchParams.set(k, String(v));
    return u;
  }

  async function call<S extends z.ZodType>(service: ServiceName, method: 'GET' | 'POST', path: string, schema: S, o: CallOptions): Promise<z.infer<S>> {
    const label = `${method} ${o.label ?? path}`;
    if (!opts.bases[service]) throw new CaracalTransportError(label, 'unreachable', `no URL configured for ${service}`);
    const authorization = o.auth === 'none' ? undefined : opts.authorization(o.auth);
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'caracal-triage', ...(authorization ? { authorization } : {}) };
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    const target = url(service, path, o.query);
    const budgeted = opts.budget?.covers(service, o.auth) ? opts.budget.calls : undefined;
    const send = () =>
      opts.transport.send(label, target, {
        method,
        headers,
        body: o.body === undefined ? undefined : JSON.stringify(o.body),
        timeoutMs: opts.timeoutMs,
        retryTransport: method === 'GET',
        retryStatuses: method === 'GET' ? (budgeted ? RETRY_BUDGETED_STATUSES : RETRY_READ_STATUSES) : [],
        beforeRetry: budgeted && (() => budgeted.tryTake()),
      });
    let res: HttpResult;
    for (let round = 1; ; round++) {
      await budgeted?.take();
      res = await send();
      if (!budgeted || res.status !== 429 || round >= MAX_RATE_LIMITED_ROUNDS) break;
      await budgeted.rateLimited();
    }
    if (isRedirect(res.status)) throw new CaracalBadResponseError(label, res.status, 'redirected', redirectTarget(res, target));
    if (res.status < 200 || res.status >= 300) throw apiError(label, res);
    const parsed = parseJson(res.text);
    if (!parsed.ok) throw new CaracalBadResponseError(label, res.status, looksLikeHtml(res) ? 'html' : 'not_json', '');
    const checked = schema.safeParse(parsed.value);
    if (!checked.success) throw new CaracalBadResponseError(label, res.status, 'unexpected_shape', describeIssues(checked.error));
    return checked.data;
  }

  return { url, call };
}
