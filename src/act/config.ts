/**
 * The settings of acting from chat (README "Acting from chat"), each optional: nothing set, no
 * act. The web process reads the sink secret and the people lists (it verifies deliveries and
 * clicks); the worker reads the tokens (it alone calls Caracal) and the lists (cards say who may
 * click). Tokens may be inline or in a file (a mounted Secret), read here once.
 *
 *   CARACAL_SINK_SECRET          the notification sink's signing secret (`nsk_…`; several,
 *                                comma-separated, while it rotates): serves POST /hooks/caracal
 *   CARACAL_APPROVE_TOKEN[_FILE] admin token of capability `approve`: decides approval holds
 *   CARACAL_FIX_TOKEN[_FILE]     admin token of capability `write`: simulates (dry run) and
 *                                activates a policy-set version; without it, no *Propose fix*
 *   TRIAGE_APPROVERS             who may Approve / Reject (Slack user or user-group IDs, Teams
 *                                Entra object IDs); empty: nobody, and the card says so
 *   TRIAGE_FIXERS                who may Apply a proposed fix (same ID kinds); never the proposer
 *   TRIAGE_FIX_CONFIRM_TIMEOUT   how long Apply waits for STS to load the version (default 2m)
 *   TRIAGE_FIX_PROPOSAL_TTL      how long a proposal can be applied (default 15m)
 */
import { readFileSync } from 'node:fs';
import { duration } from '../config/duration';
import { type Env, list, parseEnvGroup, text } from '../config/fields';
import type { ConfigProblem, Parsed } from '../config/problems';

/** Variables whose values are secrets (redacted wherever they show up). */
export const ACT_SECRET_VARIABLES = ['CARACAL_SINK_SECRET', 'CARACAL_APPROVE_TOKEN', 'CARACAL_FIX_TOKEN'] as const;

export interface ActConfig {
  /** CARACAL_SINK_SECRET values (rotation: any of them is accepted); empty: /hooks/caracal is not served. */
  sinkSecrets: string[];
  approveToken: string | null;
  fixToken: string | null;
  /** Slack user (U…, W…) or user-group (S…) IDs, Teams Entra object IDs or 29: IDs. */
  approvers: string[];
  fixers: string[];
  fixConfirmTimeoutMs: number;
  proposalTtlMs: number;
}

const PERSON = /^[A-Za-z0-9][A-Za-z0-9:._@-]{0,127}$/;

const shape = {
  CARACAL_SINK_SECRET: text({ optional: true, minLength: 16, hint: 'must be at least 16 characters: the `nsk_…` secret Caracal showed when the sink was created' }),
  CARACAL_APPROVE_TOKEN: text({ optional: true }),
  CARACAL_APPROVE_TOKEN_FILE: text({ optional: true }),
  CARACAL_FIX_TOKEN: text({ optional: true }),
  CARACAL_FIX_TOKEN_FILE: text({ optional: true }),
  TRIAGE_APPROVERS: list({ item: PERSON, what: 'Slack user or user-group IDs or Teams object IDs', example: 'U0ONCALL1,S0APPROVERS' }),
  TRIAGE_FIXERS: list({ item: PERSON, what: 'Slack user or user-group IDs or Teams object IDs', example: 'U0ONCALL1,U0ONCALL2' }),
  TRIAGE_FIX_CONFIRM_TIMEOUT: duration({ dflt: '2m', min: 5_000, max: 30 * 60_000, example: '2m' }),
  TRIAGE_FIX_PROPOSAL_TTL: duration({ dflt: '15m', min: 60_000, max: 24 * 3_600_000, example: '15m' }),
};

/** An inline token, or the contents of a file; neither is fine (the act is off). */
export function tokenFrom(variable: string, inline: string | undefined, file: string | undefined): { token: string | null; problem?: ConfigProblem } {
  if (inline) return { token: inline };
  if (!file) return { token: null };
  let token: string;
  try {
    token = readFileSync(file, 'utf8').trim();
  } catch (e) {
    return { token: null, problem: { variable: `${variable}_FILE`, message: `cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'}: ${file})` } };
  }
  if (!token) return { token: null, problem: { variable: `${variable}_FILE`, message: `names an empty file (${file})` } };
  return { token };
}

export function parseActConfig(env: Env): Parsed<ActConfig> {
  const r = parseEnvGroup(shape, env);
  const problems = r.ok ? [] : [...r.problems];
  const approve = tokenFrom('CARACAL_APPROVE_TOKEN', env.CARACAL_APPROVE_TOKEN?.trim() || undefined, env.CARACAL_APPROVE_TOKEN_FILE?.trim() || undefined);
  const fix = tokenFrom('CARACAL_FIX_TOKEN', env.CARACAL_FIX_TOKEN?.trim() || undefined, env.CARACAL_FIX_TOKEN_FILE?.trim() || undefined);
  for (const t of [approve, fix]) if (t.problem) problems.push(t.problem);
  if (!r.ok || problems.length > 0) return { ok: false, problems };
  const v = r.value;
  return {
    ok: true,
    value: {
      sinkSecrets: (v.CARACAL_SINK_SECRET ?? '').split(',').map((s) => s.trim()).filter(Boolean),
      approveToken: approve.token,
      fixToken: fix.token,
      approvers: v.TRIAGE_APPROVERS,
      fixers: v.TRIAGE_FIXERS,
      fixConfirmTimeoutMs: v.TRIAGE_FIX_CONFIRM_TIMEOUT,
      proposalTtlMs: v.TRIAGE_FIX_PROPOSAL_TTL,
    },
  };
}

/** Token values read from files, for redaction (the inline ones are found by variable name). */
export function actFileSecrets(c: ActConfig | null | undefined): string[] {
  return c ? [c.approveToken, c.fixToken].filter((t): t is string => !!t) : [];
}
