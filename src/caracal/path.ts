/**
 * IDs in Caracal URL paths. Every zone, request, resource, application, provider and
 * policy-set ID the bot puts into a path goes through `pathSegment`: `.` and `..` are refused
 * (percent-encoding them does not help: URL parsers treat `%2E%2E` as `..` too), and everything
 * else is percent-encoded, so no ID can climb out of `/v1/zones/<zone>/…` and make the bot call
 * another route with its admin token. `checkedUrl` then verifies the parsed URL kept the path
 * exactly as built: a path the parser rewrote is refused, not sent.
 */
import { CaracalRefusedCallError } from './errors';

/** Thrown before anything is sent; the client's methods reject with it. */
export class UnsafePathError extends CaracalRefusedCallError {
  constructor(detail: string) {
    super('the call', detail);
    this.name = 'UnsafePathError';
  }
}

/** True for IDs that would name the current or parent path segment. */
export function isDotSegment(value: string): boolean {
  return /^(\.|%2e){1,2}$/i.test(value);
}

export function pathSegment(value: string, what = 'ID'): string {
  if (value === '') throw new UnsafePathError(`an empty ${what} cannot go into a URL path`);
  if (isDotSegment(value)) throw new UnsafePathError(`${what} ${JSON.stringify(value)} would name a parent path; IDs cannot be "." or ".."`);
  return encodeURIComponent(value);
}

/** `base` + `path` as a URL whose path is exactly the one built (nothing normalised away). */
export function checkedUrl(base: string, path: string): URL {
  const u = new URL(base + path);
  const expected = new URL(base).pathname.replace(/\/+$/, '') + path;
  if (u.pathname !== expected) throw new UnsafePathError(`the URL for ${path} does not stay under ${new URL(base).pathname}`);
  return u;
}
