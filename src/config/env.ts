/**
 * The environment contract (DESIGN.md "Environment"), validated with zod at start-up.
 * A bad or missing value becomes one `ConfigError` line naming the variable; callers print it
 * on stderr and exit 2. Each command asks only for the groups it needs (`triage` needs the
 * Caracal group, `serve` also needs Redis and the signing key), so a terminal user is never
 * asked for Slack variables.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

const emptyToUndefined = (v: unknown): unknown => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalUrl = z.preprocess(emptyToUndefined, z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional());
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());

const zoneIdList = z.preprocess(
  (v) =>
    typeof v === 'string'
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : [],
  z.array(z.string().regex(/^[A-Za-z0-9_.\-:]{1,128}$/, 'zone IDs are 1-128 characters of A-Z a-z 0-9 _ . - :')),
);

export interface CaracalConfig {
  apiUrl: string;
  adminToken: string;
  zoneIds: string[];
  stsUrl?: string;
  gatewayUrl?: string;
  auditUrl?: string;
  coordinatorUrl?: string;
  metricsBearer?: string;
  coordinatorToken?: string;
  /** Per-call timeout for Caracal requests (ms). */
  timeoutMs: number;
}

const caracalSchema = z.object({
  CARACAL_API_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. https://caracal.example.com' }),
  CARACAL_ZONE_IDS: zoneIdList,
  CARACAL_STS_URL: optionalUrl,
  CARACAL_GATEWAY_URL: optionalUrl,
  CARACAL_AUDIT_URL: optionalUrl,
  CARACAL_COORDINATOR_URL: optionalUrl,
  CARACAL_METRICS_BEARER: optionalString,
  CARACAL_COORDINATOR_TOKEN: optionalString,
  CARACAL_TIMEOUT_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(100).max(120_000).default(5000)),
});

type Env = Record<string, string | undefined>;

function firstIssue(err: z.ZodError): ConfigError {
  const issue = err.issues[0];
  const variable = String(issue?.path[0] ?? 'environment');
  const missing = issue?.code === 'invalid_type' && issue.input === undefined;
  return new ConfigError(variable, missing ? 'is required but not set' : (issue?.message ?? 'is invalid'));
}

function readAdminToken(env: Env): string {
  const inline = env.CARACAL_ADMIN_TOKEN?.trim();
  if (inline) return inline;
  const file = env.CARACAL_ADMIN_TOKEN_FILE?.trim();
  if (!file) {
    throw new ConfigError('CARACAL_ADMIN_TOKEN', 'is required (or CARACAL_ADMIN_TOKEN_FILE naming a file that holds it)');
  }
  let token: string;
  try {
    token = readFileSync(file, 'utf8').trim();
  } catch (e) {
    throw new ConfigError('CARACAL_ADMIN_TOKEN_FILE', `cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!token) throw new ConfigError('CARACAL_ADMIN_TOKEN_FILE', 'names an empty file');
  return token;
}

export function loadCaracalConfig(env: Env = process.env): CaracalConfig {
  const parsed = caracalSchema.safeParse(env);
  if (!parsed.success) throw firstIssue(parsed.error);
  const p = parsed.data;
  return {
    apiUrl: p.CARACAL_API_URL.replace(/\/+$/, ''),
    adminToken: readAdminToken(env),
    zoneIds: p.CARACAL_ZONE_IDS,
    stsUrl: p.CARACAL_STS_URL?.replace(/\/+$/, ''),
    gatewayUrl: p.CARACAL_GATEWAY_URL?.replace(/\/+$/, ''),
    auditUrl: p.CARACAL_AUDIT_URL?.replace(/\/+$/, ''),
    coordinatorUrl: p.CARACAL_COORDINATOR_URL?.replace(/\/+$/, ''),
    metricsBearer: p.CARACAL_METRICS_BEARER,
    coordinatorToken: p.CARACAL_COORDINATOR_TOKEN,
    timeoutMs: p.CARACAL_TIMEOUT_MS,
  };
}

export interface RuntimeConfig {
  redisUrl: string;
  /** Signs button payloads and chains the bot's audit log. */
  signingKey: string;
  port: number;
}

const runtimeSchema = z.object({
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379' }),
  TRIAGE_SIGNING_KEY: z.string({ error: 'is required but not set' }).min(32, 'must be at least 32 characters (e.g. `openssl rand -hex 32`)'),
  PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65535).default(3000)),
});

export function loadRuntimeConfig(env: Env = process.env): RuntimeConfig {
  const parsed = runtimeSchema.safeParse(env);
  if (!parsed.success) throw firstIssue(parsed.error);
  return { redisUrl: parsed.data.REDIS_URL, signingKey: parsed.data.TRIAGE_SIGNING_KEY, port: parsed.data.PORT };
}

const cacheSchema = z.object({
  CARACAL_CACHE_TTL_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0, 'must be 0 (off) or more').max(60_000, 'must be at most 60000 (a minute-old readiness is no evidence)').default(2000)),
});

/**
 * How long the worker shares deployment-level Caracal reads between triages
 * (src/caracal/shared-cache.ts); 0 turns the sharing off.
 */
export function loadCacheTtlMs(env: Env = process.env): number {
  const parsed = cacheSchema.safeParse(env);
  if (!parsed.success) throw firstIssue(parsed.error);
  return parsed.data.CARACAL_CACHE_TTL_MS;
}

/** Every secret value in the environment, so redaction can also catch exact values that match no pattern. */
export function knownSecrets(env: Env = process.env): string[] {
  const names = [
    'CARACAL_ADMIN_TOKEN',
    'CARACAL_METRICS_BEARER',
    'CARACAL_COORDINATOR_TOKEN',
    'SLACK_BOT_TOKEN',
    'SLACK_SIGNING_SECRET',
    'SLACK_APP_TOKEN',
    'MICROSOFT_APP_PASSWORD',
    'TRIAGE_SIGNING_KEY',
    'ALERTMANAGER_TOKEN',
    'INCIDENT_WEBHOOK_SECRET',
    'PAGERDUTY_WEBHOOK_SECRET',
  ];
  const values = names.map((n) => env[n]?.trim()).filter((v): v is string => !!v && v.length >= 8);
  try {
    const file = env.CARACAL_ADMIN_TOKEN_FILE?.trim();
    if (file) values.push(readFileSync(file, 'utf8').trim());
  } catch {
    /* unreadable file: loadCaracalConfig reports it */
  }
  return values.filter((v) => v.length >= 8);
}
