/**
 * The web host's settings: how long a client may take to send its headers and its whole
 * request, how long an idle keep-alive connection stays open, and how many connections are
 * served at once. Node's own defaults (60 s for headers, 300 s for a request, no cap) let a
 * slow or idle client hold a connection for minutes.
 */
import { type Env, int, parseEnvGroup } from '../config/fields';
import type { Parsed } from '../config/problems';

export interface HttpConfig {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
}

const ms = (dflt: number, min: number, max: number) => int({ min, max, default: dflt, what: 'a whole number of milliseconds', example: dflt });

const shape = {
  HTTP_HEADERS_TIMEOUT_MS: ms(10_000, 1000, 120_000),
  HTTP_REQUEST_TIMEOUT_MS: ms(15_000, 1000, 300_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: ms(5000, 100, 120_000),
  HTTP_MAX_CONNECTIONS: int({ min: 1, max: 100_000, default: 1024, what: 'a number of connections', example: 1024 }),
};

export const HTTP_DEFAULTS: HttpConfig = { headersTimeoutMs: 10_000, requestTimeoutMs: 15_000, keepAliveTimeoutMs: 5000, maxConnections: 1024 };

export function parseHttpConfig(env: Env): Parsed<HttpConfig> {
  const r = parseEnvGroup(shape, env);
  if (!r.ok) return r;
  const v = r.value;
  if (v.HTTP_HEADERS_TIMEOUT_MS! > v.HTTP_REQUEST_TIMEOUT_MS!) {
    return { ok: false, problems: [{ variable: 'HTTP_HEADERS_TIMEOUT_MS', message: `must not be longer than HTTP_REQUEST_TIMEOUT_MS (${v.HTTP_REQUEST_TIMEOUT_MS} ms), which covers the headers too` }] };
  }
  return { ok: true, value: { headersTimeoutMs: v.HTTP_HEADERS_TIMEOUT_MS!, requestTimeoutMs: v.HTTP_REQUEST_TIMEOUT_MS!, keepAliveTimeoutMs: v.HTTP_KEEP_ALIVE_TIMEOUT_MS!, maxConnections: v.HTTP_MAX_CONNECTIONS! } };
}
