/**
 * Typed failures of calls to Caracal. The shared error envelope
 * `{error, error_description?, requestId?, details?}` becomes a `CaracalApiError`;
 * transport failures become `CaracalTransportError`; a body that fails its zod schema becomes
 * `CaracalBadResponseError`. Callers branch on `kind` and `code`, never on messages.
 */
export type HttpClass = 'client' | 'auth' | 'forbidden' | 'not_found' | 'conflict' | 'rate_limited' | 'server';

export function httpClassOf(status: number): HttpClass {
  if (status === 401) return 'auth';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 425 || status === 429) return 'rate_limited';
  if (status >= 500) return 'server';
  return 'client';
}

export abstract class CaracalError extends Error {
  abstract readonly kind: 'api' | 'transport' | 'bad_response' | 'refused';
  /** Machine-readable reason: the envelope `error`, or `timeout` / `unreachable` / `bad_body`. */
  abstract readonly code: string;
  constructor(
    message: string,
    /** Which call failed, e.g. `GET /v1/zones` (path only, never a token). */
    readonly call: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class CaracalApiError extends CaracalError {
  readonly kind = 'api' as const;
  readonly httpClass: HttpClass;
  constructor(
    call: string,
    readonly status: number,
    readonly code: string,
    readonly description?: string,
    /** `requestId` from the body, or the `x-request-id` response header. */
    readonly requestId?: string,
    readonly details?: unknown,
    /** Seconds, from `Retry-After` on 425/429. */
    readonly retryAfter?: number,
  ) {
    super(`${call} answered ${status} ${code}${description ? `: ${description}` : ''}`, call);
    this.httpClass = httpClassOf(status);
  }
}

export class CaracalTransportError extends CaracalError {
  readonly kind = 'transport' as const;
  constructor(
    call: string,
    readonly code: 'timeout' | 'unreachable',
    /** Secret-free: an error code such as `ECONNREFUSED`, or the deadline. */
    readonly detail: string,
  ) {
    super(`${call} ${code === 'timeout' ? 'timed out' : 'is unreachable'}: ${detail}`, call);
  }
}

/**
 * Why an answer could not be read as Caracal's: not JSON at all, an HTML page (a proxy, a
 * login page, the Console instead of the API), larger than the client accepts, a redirect
 * (never followed: a token must not travel to wherever it points), or JSON of another shape.
 */
export const UNREADABLE_REASONS = ['not_json', 'html', 'too_large', 'redirected', 'unexpected_shape'] as const;
export type UnreadableReason = (typeof UNREADABLE_REASONS)[number];

const UNREADABLE_WORDS: Record<UnreadableReason, string> = {
  not_json: 'a body that is not JSON',
  html: 'an HTML page instead of JSON',
  too_large: 'a body larger than the client accepts',
  redirected: 'a redirect, which is not followed',
  unexpected_shape: 'JSON that is not what Caracal sends',
};

/** How an unreadable answer reads in a sentence ("answered 200 with an HTML page instead of JSON"). */
export function describeUnreadable(reason: UnreadableReason): string {
  return UNREADABLE_WORDS[reason];
}

export class CaracalBadResponseError extends CaracalError {
  readonly kind = 'bad_response' as const;
  readonly code = 'bad_body' as const;
  constructor(
    call: string,
    /** The HTTP status, when the answer got that far (a body cut off for size may not say). */
    readonly status: number | undefined,
    readonly reason: UnreadableReason,
    detail: string,
  ) {
    super(`${call} answered${status === undefined ? '' : ` ${status}`} with ${UNREADABLE_WORDS[reason]}${detail ? ` (${detail})` : ''}`, call);
  }
}

/**
 * A call the bot refused to make: an ID that would leave its URL path (`.`, `..`), so nothing
 * was sent to Caracal with the admin token.
 */
export class CaracalRefusedCallError extends CaracalError {
  readonly kind = 'refused' as const;
  readonly code = 'unsafe_path' as const;
  constructor(call: string, detail: string) {
    super(`${call} was not sent: ${detail}`, call);
  }
}

export function isCaracalError(e: unknown): e is CaracalError {
  return e instanceof CaracalError;
}

/** Short, secret-free description for evidence and chat (`reason` says why a body was unreadable). */
export function describeError(e: unknown): { kind: string; code: string; status?: number; reason?: string; message: string } {
  if (e instanceof CaracalApiError) return { kind: e.kind, code: e.code, status: e.status, message: e.message };
  if (e instanceof CaracalBadResponseError) {
    return { kind: e.kind, code: e.code, ...(e.status === undefined ? {} : { status: e.status }), reason: e.reason, message: e.message };
  }
  if (e instanceof CaracalError) return { kind: e.kind, code: e.code, message: e.message };
  return { kind: 'internal', code: 'internal_error', message: e instanceof Error ? e.message : String(e) };
}
