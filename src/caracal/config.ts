/**
 * The Caracal settings every command that reads Caracal needs (`triage`, `bundle`, `worker`,
 * `start`): where the Admin API and the optional service probes are, the admin token (inline or
 * from a file, read here once), the zones to search, the per-call timeout, how far back a
 * triage looks for admin changes (`TRIAGE_CHANGES_WINDOW`), and the Admin API call budget
 * (`CARACAL_API_BUDGET_PER_MIN`).
 */
import { readFileSync } from 'node:fs';
import { duration } from '../config/duration';
import { type Env, int, list, parseEnvGroup, text, url } from '../config/fields';
import type { ConfigProblem, Parsed } from '../config/problems';

/** Variables whose values are secrets (redacted wherever they show up). */
export const CARACAL_SECRET_VARIABLES = ['CARACAL_ADMIN_TOKEN', 'CARACAL_METRICS_BEARER', 'CARACAL_COORDINATOR_TOKEN'] as const;

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
  /** How far before the denial a triage reads the zone's admin audit (ms; TRIAGE_CHANGES_WINDOW, default 24 h). */
  changesWindowMs?: number;
  /**
   * Most Admin API calls in any 60 s (CARACAL_API_BUDGET_PER_MIN, default 500): shared through
   * Redis by every bot process, counted in the process by a terminal command (budget.ts).
   */
  budgetPerMinute?: number;
}

export const DEFAULT_CHANGES_WINDOW_MS = 24 * 3_600_000;

const probeUrl = (example: string) => url({ protocols: ['http', 'https'], example, optional: true });

const shape = {
  CARACAL_API_URL: url({ protocols: ['http', 'https'], example: 'https://caracal.example.com' }),
  CARACAL_ADMIN_TOKEN: text({ optional: true }),
  CARACAL_ADMIN_TOKEN_FILE: text({ optional: true }),
  CARACAL_ZONE_IDS: list({ item: /^[A-Za-z0-9_.\-:]{1,128}$/, what: 'zone IDs (1-128 characters of A-Z a-z 0-9 _ . - :)', example: '01a21de5-zone,01b9-zone' }),
  CARACAL_STS_URL: probeUrl('http://sts.caracal.svc:8080'),
  CARACAL_GATEWAY_URL: probeUrl('http://gateway.caracal.svc:8081'),
  CARACAL_AUDIT_URL: probeUrl('http://audit.caracal.svc:9090'),
  CARACAL_COORDINATOR_URL: probeUrl('http://coordinator.caracal.svc:4000'),
  CARACAL_METRICS_BEARER: text({ optional: true }),
  CARACAL_COORDINATOR_TOKEN: text({ optional: true }),
};

/** Settings every deployment shares (a deployments file sets none of these per deployment). */
const tuningShape = {
  CARACAL_TIMEOUT_MS: int({ min: 100, max: 120_000, default: 5000, what: 'a whole number of milliseconds', example: 5000 }),
  TRIAGE_CHANGES_WINDOW: duration({ dflt: '24h', min: 60_000, max: 30 * 86_400_000, example: '24h' }),
  CARACAL_API_BUDGET_PER_MIN: int({ min: 1, max: 100_000, default: 500, what: 'a whole number of calls', note: "Caracal allows 600 a minute per client IP and per actor unless its API_V1_RATE_LIMIT_PER_MIN says otherwise", example: 500 }),
};

/** The single-deployment variables: with CARACAL_DEPLOYMENTS_FILE set, each deployment in the file says these instead. */
export const SINGLE_DEPLOYMENT_VARIABLES = [...Object.keys(shape), 'CARACAL_ADMIN_TOKEN_FILE'] as const;

export type CaracalTuning = Pick<CaracalConfig, 'timeoutMs' | 'changesWindowMs' | 'budgetPerMinute'>;

/** What every deployment shares: the per-call timeout, the admin-change window and the call budget's size (each deployment has a budget of its own of that size). */
export function parseCaracalTuning(env: Env): Parsed<CaracalTuning> {
  const t = parseEnvGroup(tuningShape, env);
  return t.ok ? { ok: true, value: { timeoutMs: t.value.CARACAL_TIMEOUT_MS!, changesWindowMs: t.value.TRIAGE_CHANGES_WINDOW, budgetPerMinute: t.value.CARACAL_API_BUDGET_PER_MIN } } : t;
}

function adminToken(inline: string | undefined, file: string | undefined): { token?: string; problem?: ConfigProblem } {
  if (inline) return { token: inline };
  if (!file) return { problem: { variable: 'CARACAL_ADMIN_TOKEN', message: 'is required (or CARACAL_ADMIN_TOKEN_FILE naming a file that holds it); mint a read token with POST /v1/admin-tokens' } };
  let token: string;
  try {
    token = readFileSync(file, 'utf8').trim();
  } catch (e) {
    return { problem: { variable: 'CARACAL_ADMIN_TOKEN_FILE', message: `cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'}: ${file})` } };
  }
  if (!token) return { problem: { variable: 'CARACAL_ADMIN_TOKEN_FILE', message: `names an empty file (${file})` } };
  return { token };
}

export function parseCaracalConfig(env: Env): Parsed<CaracalConfig> {
  const fields = parseEnvGroup({ ...shape, ...tuningShape }, env);
  const problems = fields.ok ? [] : [...fields.problems];
  // The token is checked even when other fields are bad, so every problem shows at once.
  const token = adminToken(typeof env.CARACAL_ADMIN_TOKEN === 'string' ? env.CARACAL_ADMIN_TOKEN.trim() || undefined : undefined, env.CARACAL_ADMIN_TOKEN_FILE?.trim() || undefined);
  if (token.problem) problems.push(token.problem);
  if (!fields.ok || problems.length) return { ok: false, problems };
  const p = fields.value;
  return {
    ok: true,
    value: {
      apiUrl: p.CARACAL_API_URL!,
      adminToken: token.token!,
      zoneIds: p.CARACAL_ZONE_IDS,
      stsUrl: p.CARACAL_STS_URL,
      gatewayUrl: p.CARACAL_GATEWAY_URL,
      auditUrl: p.CARACAL_AUDIT_URL,
      coordinatorUrl: p.CARACAL_COORDINATOR_URL,
      metricsBearer: p.CARACAL_METRICS_BEARER,
      coordinatorToken: p.CARACAL_COORDINATOR_TOKEN,
      timeoutMs: p.CARACAL_TIMEOUT_MS!,
      changesWindowMs: p.TRIAGE_CHANGES_WINDOW,
      budgetPerMinute: p.CARACAL_API_BUDGET_PER_MIN,
    },
  };
}
