/**
 * HTTP to Caracal: one undici `Pool` per origin (keep-alive), per-call header/body timeouts
 * under one overall deadline (an AbortSignal), and undici's retry interceptor for idempotent
 * GETs. Returns the raw status, headers and text; turning them into typed results or
 * `CaracalError`s is the client's job. Undici errors never escape: they become
 * `CaracalTransportError` with a code and a secret-free detail (a body over the size limit is a
 * `CaracalBadResponseError`: the service answered, just not readably).
 */
import { randomBytes } from 'node:crypto';
import type { Dispatcher, Pool as UndiciPool, RetryHandler } from 'undici';
import { CaracalBadResponseError, CaracalTransportError } from './errors';
import { Pool, request, retryInterceptor } from './undici-parts';

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The X-Request-Id this call sent. */
  sentRequestId: string;
}

export interface SendOptions {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** Retry transport failures (GETs only). */
  retryTransport: boolean;
  /** Also retry these statuses (GETs only); e.g. 429/502/503/504 for `/v1` reads, none for probes. */
  retryStatuses: number[];
  /** Asked before each retry (the call budget, src/caracal/budget.ts): false gives up and surfaces the last answer. */
  beforeRetry?: () => Promise<boolean>;
}

export interface TransportOptions {
  /** Retries after the first attempt (default 2). */
  maxRetries?: number;
  /** First backoff in ms, doubled per retry (default 100). */
  minBackoffMs?: number;
  /**
   * Connections per origin (default 32). A triage opens one request per zone and a few reads per
   * zone at once; with too few connections the request lookups queue behind the zone checks and
   * the whole bundle waits a round trip longer.
   */
  connections?: number;
  /** Largest accepted body (default 16 MiB); a bigger one fails the call (bad response `too_large`). */
  maxResponseBytes?: number;
}

/** Transport-level failures worth another try on an idempotent GET (undici's own list plus socket errors). */
const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ENOTFOUND',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EHOSTUNREACH',
  'EPIPE',
  'UND_ERR_SOCKET',
]);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);

/**
 * Per-process random part of request IDs: 16 characters of A-Z a-z 0-9 (~95 bits) drawn once,
 * so IDs from different processes and restarts do not collide.
 */
const REQUEST_ID_PREFIX = `caracal-triage-${randomBytes(16).toString('base64url').replace(/[^A-Za-z0-9]/g, '').slice(0, 16).padEnd(16, '0')}-`;
let requestCounter = 0;

/**
 * `caracal-triage-<process random>-<counter>`: matches the API's `[A-Za-z0-9_.\-:]{1,128}`, so
 * the API keeps it, and is unique per call. A triage makes dozens of calls, and drawing random
 * bytes for each one showed up as the largest single cost in the worker's profile; a counter
 * behind a random per-process prefix is as unique and costs nothing.
 */
export function newRequestId(): string {
  requestCounter = requestCounter >= Number.MAX_SAFE_INTEGER ? 1 : requestCounter + 1;
  return REQUEST_ID_PREFIX + requestCounter.toString(36);
}

/** Seconds or HTTP-date → milliseconds from now (undefined when absent or unparseable). */
export function retryAfterMs(value: string | string[] | undefined): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/**
 * The decision callback handed to undici's retry interceptor. Undici's default callback would
 * wait `min(Retry-After, maxTimeout)` and so either retry sooner than the server asked or sleep
 * past our deadline; this one gives up (surfacing the last answer) when the wait would not fit
 * in the call's remaining time. The retry loop itself stays undici's.
 */
function retryDecision(deadline: number, o: Required<Pick<TransportOptions, 'maxRetries' | 'minBackoffMs'>>, send: SendOptions): RetryHandler.RetryCallback {
  return (err, { state }, cb) => {
    const e = err as Error & { statusCode?: number; code?: string; headers?: Record<string, string | string[] | undefined> };
    const eligible =
      send.method === 'GET' &&
      (e.statusCode != null ? send.retryStatuses.includes(e.statusCode) : send.retryTransport && !!e.code && RETRYABLE_CODES.has(e.code));
    if (!eligible || state.counter > o.maxRetries) return cb(err);
    const wait = retryAfterMs(e.headers?.['retry-after']) ?? o.minBackoffMs * 2 ** (state.counter - 1);
    // Leave room for the retried call itself (at least 50 ms) inside the deadline.
    if (Date.now() + wait + 50 >= deadline) return cb(err);
    // Not unref()'d: between a refused connection and its retry this timer is the only thing
    // the call waits on, and an unref'd one lets the event loop empty, so a CLI process would
    // exit (code 0) with the triage unsettled.
    setTimeout(() => {
      if (!send.beforeRetry) return cb(null);
      send.beforeRetry().then(
        (go) => (go ? cb(null) : cb(err)),
        () => cb(err),
      );
    }, wait);
  };
}

export class Transport {
  private readonly pools = new Map<string, UndiciPool>();
  private readonly o: Required<TransportOptions>;

  constructor(opts: TransportOptions = {}) {
    this.o = { maxRetries: 2, minBackoffMs: 100, connections: 32, maxResponseBytes: 16 * 1024 * 1024, ...opts };
  }

  private pool(origin: string, timeoutMs: number): UndiciPool {
    let p = this.pools.get(origin);
    if (!p) {
      p = new Pool(origin, {
        connections: this.o.connections,
        keepAliveTimeout: 10_000,
        connect: { timeout: timeoutMs },
        maxResponseSize: this.o.maxResponseBytes,
      });
      this.pools.set(origin, p);
    }
    return p;
  }

  /** `call` names the request in errors (`GET /v1/zones`); it must never hold a token. */
  async send(call: string, url: URL, send: SendOptions): Promise<HttpResult> {
    const deadline = Date.now() + send.timeoutMs;
    const sentRequestId = newRequestId();
    const dispatcher: Dispatcher = this.pool(url.origin, send.timeoutMs).compose(
      retryInterceptor({
        maxRetries: this.o.maxRetries,
        methods: ['GET'],
        // Hand every failure to retryDecision; with throwOnError false the final answer
        // (e.g. a 503 body) reaches us instead of a bodiless RequestRetryError.
        statusCodes: [...send.retryStatuses],
        errorCodes: [...RETRYABLE_CODES],
        throwOnError: false,
        retry: retryDecision(deadline, this.o, send),
      }),
    );
    // The call's own timer, cleared once it settles: AbortSignal.timeout's runs out for every
    // call, long done or not, and builds its TimeoutError (with a stack) each time.
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new DOMException(`no answer within ${send.timeoutMs} ms`, 'TimeoutError')), send.timeoutMs);
    const { signal } = abort;
    try {
      const res = await request(dispatcher, {
        path: url.pathname + url.search,
        method: send.method,
        headers: { ...send.headers, 'x-request-id': sentRequestId },
        body: send.body,
        signal,
        headersTimeout: send.timeoutMs,
        bodyTimeout: send.timeoutMs,
      });
      const text = await res.body.text();
      return { status: res.statusCode, headers: res.headers, text, sentRequestId };
    } catch (e) {
      throw toTransportError(call, e, signal.aborted || Date.now() >= deadline, send.timeoutMs, this.o.maxResponseBytes);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.close().catch(() => p.destroy())));
  }
}

const CONNECTION_WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_SOCKET: 'connection closed without an answer',
};

function toTransportError(call: string, e: unknown, pastDeadline: boolean, timeoutMs: number, maxBytes: number): CaracalTransportError | CaracalBadResponseError {
  const err = e as { code?: unknown; name?: string };
  // An abort's DOMException carries a numeric legacy code (23); its name says more.
  const code = typeof err?.code === 'string' ? err.code : (err?.name ?? 'error');
  if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') {
    return new CaracalBadResponseError(call, undefined, 'too_large', `over ${Math.round(maxBytes / (1024 * 1024))} MiB`);
  }
  if (pastDeadline || TIMEOUT_CODES.has(code) || err?.name === 'TimeoutError') {
    return new CaracalTransportError(call, 'timeout', `no answer within ${timeoutMs} ms (${code})`);
  }
  return new CaracalTransportError(call, 'unreachable', CONNECTION_WORDS[code] ? `${code}: ${CONNECTION_WORDS[code]}` : code);
}
