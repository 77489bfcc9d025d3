/**
 * Settings of the bot's own processes (`serve`, `worker`, `start`, `audit verify`): Redis, the
 * signing key, the HTTP port, how long a starting process waits for Redis and the worker's
 * shared Caracal read TTL.
 */
import { z } from 'zod';
import { bool, type Env, int, parseEnvGroup, text } from '../config/fields';
import type { Parsed } from '../config/problems';
import { parseRedisTarget } from '../store/redis-url';

/** Variables whose values are secrets (redacted wherever they show up). */
export const RUNTIME_SECRET_VARIABLES = ['TRIAGE_SIGNING_KEY'] as const;

export interface RuntimeConfig {
  redisUrl: string;
  /** Signs button payloads and chains the bot's audit log. */
  signingKey: string;
  port: number;
  /** PORT was set (a worker-only process then serves /healthz, /readyz and /metrics on it). */
  portGiven: boolean;
  /** How long workers share deployment-level Caracal reads (ms); 0 turns it off. */
  cacheTtlMs: number;
  /** How long a starting process waits for Redis, retrying with backoff, before it gives up (exit 2). */
  redisStartupTimeoutMs: number;
  /** Start over a Redis whose maxmemory-policy evicts keys (refused otherwise). */
  redisAllowEviction: boolean;
}

/** One Redis (redis://, rediss://) or a Sentinel group (redis+sentinel://, rediss+sentinel://): src/store/redis-target.ts. */
const redisUrl = z.string().optional().transform((raw, ctx): string => {
  const v = raw?.trim();
  if (!v) {
    ctx.addIssue({ code: 'custom', message: 'is required but not set (e.g. redis://127.0.0.1:6379)' });
    return z.NEVER;
  }
  const parsed = parseRedisTarget(v);
  if (!parsed.ok) {
    ctx.addIssue({ code: 'custom', message: parsed.message });
    return z.NEVER;
  }
  return v;
});

const shape = {
  REDIS_URL: redisUrl,
  TRIAGE_SIGNING_KEY: text({ minLength: 32, hint: 'must be at least 32 characters (e.g. `openssl rand -hex 32`)' }),
  PORT: int({ min: 0, max: 65_535, default: 3000, what: 'a TCP port', example: 3000 }),
  CARACAL_CACHE_TTL_MS: int({ min: 0, max: 60_000, default: 2000, what: 'a whole number of milliseconds', note: '0 turns sharing off; a minute-old readiness is no evidence', example: 2000 }),
  REDIS_STARTUP_TIMEOUT_MS: int({ min: 0, max: 600_000, default: 30_000, what: 'a whole number of milliseconds', note: '0 tries once', example: 30_000 }),
  REDIS_ALLOW_EVICTION: bool({ default: false }),
};

export function parseRuntimeConfig(env: Env): Parsed<RuntimeConfig> {
  const r = parseEnvGroup(shape, env);
  if (!r.ok) return r;
  const portGiven = !!env.PORT?.trim();
  return { ok: true, value: { redisUrl: r.value.REDIS_URL!, signingKey: r.value.TRIAGE_SIGNING_KEY!, port: r.value.PORT!, portGiven, cacheTtlMs: r.value.CARACAL_CACHE_TTL_MS!, redisStartupTimeoutMs: r.value.REDIS_STARTUP_TIMEOUT_MS!, redisAllowEviction: r.value.REDIS_ALLOW_EVICTION } };
}

/** What the terminal's `list` and `show` read: Redis, and the signing key when there is one (page links, the audit chain's check). */
export interface StoreReaderConfig {
  redisUrl: string;
  signingKey: string | null;
}

const readerShape = {
  REDIS_URL: shape.REDIS_URL,
  TRIAGE_SIGNING_KEY: text({ optional: true, minLength: 32, hint: 'must be at least 32 characters (e.g. `openssl rand -hex 32`)' }),
};

export function parseStoreReaderConfig(env: Env): Parsed<StoreReaderConfig> {
  const r = parseEnvGroup(readerShape, env);
  if (!r.ok) return r;
  return { ok: true, value: { redisUrl: r.value.REDIS_URL!, signingKey: r.value.TRIAGE_SIGNING_KEY ?? null } };
}
