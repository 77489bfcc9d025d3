/**
 * What service probes and operator metrics mean, shared by the readiness,
 * gateway, audit and request-trace judges and by the bundle's Doctor checks. Hand-written
 * because Caracal's answers need interpreting: API and Coordinator `/ready` answer 500 (not
 * 503) when Redis is down, a timeout says nothing about readiness, and the Doctor's metric
 * thresholds live in the engine, not behind an endpoint.
 */
import type { ProbeResult, ServiceName } from '../caracal/client-api';
import { describeUnreadable, UNREADABLE_REASONS, type UnreadableReason } from '../caracal/errors';
import { isRecord } from '../caracal/lenient';
import type { Failure, Fetched } from './evidence-model';

export type ReadinessState = 'ready' | 'not_ready' | 'unknown' | 'not_configured';

export interface ReadinessFinding {
  service: ServiceName;
  state: ReadinessState;
  /** Machine-readable cause when not ready (e.g. `redis_unreachable`), or why it is unknown. */
  cause?: string;
  /** True when the cause is inferred (API/Coordinator 500 → Redis), not reported by the service. */
  probable?: boolean;
  /** For an unreachable service: how the connection failed (`ECONNREFUSED: connection refused`). */
  connection?: string;
  detail: string;
}

function bodyReason(body: unknown): string | undefined {
  if (!isRecord(body)) return undefined;
  for (const k of ['reason', 'error']) if (typeof body[k] === 'string' && body[k]) return body[k] as string;
  if (body.draining === true) return 'draining';
  return undefined;
}

const isUnreadableReason = (v: unknown): v is UnreadableReason => (UNREADABLE_REASONS as readonly unknown[]).includes(v);

export function readinessOf(p: ProbeResult): ReadinessFinding {
  const { service } = p;
  if (!p.configured) return { service, state: 'not_configured', detail: `${service}: no URL configured, not probed` };
  if (p.ok) return { service, state: 'ready', detail: `${service}: ready (${p.status ?? 200}, ${p.ms} ms)` };
  const reason = p.reason ?? bodyReason(p.body);
  if (reason === 'timeout') return { service, state: 'unknown', cause: 'timeout', detail: `${service}: /ready timed out after ${p.ms} ms; readiness unknown` };
  if (reason === 'bad_body') {
    const what = isUnreadableReason(p.unreadable) ? describeUnreadable(p.unreadable) : 'a body Caracal does not send';
    const where = p.unreadable === 'redirected' && p.detail ? ` ${p.detail}` : '';
    return { service, state: 'unknown', cause: 'bad_body', detail: `${service}: /ready answered${p.status ? ` ${p.status}` : ''} with ${what}${where}` };
  }
  if (p.status === 429) return { service, state: 'unknown', cause: 'rate_limited', detail: `${service}: /ready is rate-limited (429); try again` };
  if (reason === 'unreachable' || p.status === undefined) {
    return {
      service,
      state: 'not_ready',
      cause: `${service}_unreachable`,
      ...(p.detail ? { connection: p.detail } : {}),
      detail: `${service}: unreachable at ${p.url ?? 'its URL'}${p.detail ? ` (${p.detail})` : ''}`,
    };
  }
  // Verified: with Redis down, API and Coordinator /ready throw before their dependency checks and answer 500.
  if (p.status === 500 && (service === 'api' || service === 'coordinator')) {
    return { service, state: 'not_ready', cause: 'redis_unreachable', probable: true, detail: `${service}: /ready answered 500 ${reason ?? ''}; this usually means Redis is down`.trim() };
  }
  const cause = reason ?? `${service}_not_ready`;
  return { service, state: 'not_ready', cause, detail: `${service}: not ready (${p.status} ${cause})` };
}

/**
 * Whether the Admin API can be read at all: every other step reads through it, so an API whose
 * answers cannot be read is a finding (nothing else could be checked), not an "unknown".
 * Unreadable: the basic read (`GET /v1/zones`) timed out, was refused, or answered something
 * that is not Caracal's (HTML, not JSON, too large, a redirect, another shape) or a 5xx; any
 * other API answer (200, 401, 403, 404, 429) shows the API is there and readable.
 */
export interface ApiAccessFinding {
  cause: 'api_unreachable' | 'api_timeout' | 'api_unreadable';
  /** `timeout`, `unreachable`, `http_<status>`, or the unreadable reason (`html`, `not_json`, `too_large`, `redirected`, `unexpected_shape`). */
  reason: string;
  detail: string;
}

export function apiAccessOf(read: Fetched<unknown>): ApiAccessFinding | null {
  if (read.ok) return null;
  const e: Failure = read.error;
  if (e.kind === 'transport') {
    return e.code === 'timeout'
      ? { cause: 'api_timeout', reason: 'timeout', detail: e.message }
      : { cause: 'api_unreachable', reason: 'unreachable', detail: e.message };
  }
  if (e.kind === 'bad_response') return { cause: 'api_unreadable', reason: e.reason ?? 'unexpected_shape', detail: e.message };
  if (e.kind === 'api' && (e.status ?? 0) >= 500) return { cause: 'api_unreadable', reason: `http_${e.status}`, detail: e.message };
  return null;
}

/** Readiness reasons that belong to the audit pipeline or to revocation, not to shared infrastructure. */
export const AUDIT_READINESS_REASONS = [
  'consumer_unhealthy',
  'audit_dlq_threshold',
  'audit_lag_threshold',
  'audit_pel_oldest_threshold',
  'audit_evidence_lost',
  'audit_replay_unavailable',
] as const;
export const REVOCATION_READINESS_REASONS = ['revocation_snapshot_stale'] as const;

export function isAuditReason(cause: string): boolean {
  return (AUDIT_READINESS_REASONS as readonly string[]).includes(cause);
}
export function isRevocationReason(cause: string): boolean {
  return (REVOCATION_READINESS_REASONS as readonly string[]).includes(cause) || cause.startsWith('revocation_');
}

/**
 * A cause that is a shared dependency (Redis, Postgres), or a service that is itself down (the
 * Gateway's `sts_unreachable` while the STS probe fails too): it belongs to the readiness step
 * even when a later step sees the same reason, because no single surface owns it. `notReady`
 * lists the services the readiness probes found not ready.
 */
export function isSharedDependencyCause(cause: string, notReady: readonly string[] = []): boolean {
  if (/^(redis|postgres)_/.test(cause)) return true;
  const down = /^(api|sts|gateway|audit|coordinator)_(unreachable|unavailable|timeout|unreadable)$/.exec(cause);
  return !!down && notReady.includes(down[1]!);
}

/** Shared dependencies first: a Redis or Postgres outage explains every service's failure. */
export function rootReadinessFailure(findings: ReadinessFinding[]): ReadinessFinding | null {
  const failing = findings.filter((f) => f.state === 'not_ready');
  if (failing.length === 0) return null;
  const rank = (f: ReadinessFinding): number => {
    const c = f.cause ?? '';
    if (/^(redis|postgres)_(unreachable|unavailable)$/.test(c) && !f.probable) return 0;
    if (/^(redis|postgres)_/.test(c)) return 1;
    if (f.service === 'api') return 2;
    return 3;
  };
  return [...failing].sort((a, b) => rank(a) - rank(b))[0]!;
}

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface MetricFinding {
  status: CheckStatus;
  /** Machine-readable, e.g. `audit_consumer_lag`. */
  code: string;
  detail: string;
}

const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const get = (obj: Record<string, unknown>, path: string): unknown =>
  path.split('.').reduce<unknown>((acc, k) => (isRecord(acc) ? acc[k] : undefined), obj);

/** The Doctor's STS rule: compile errors fail, evaluation errors warn. */
export function stsMetricFindings(m: Record<string, unknown>): MetricFinding[] {
  const out: MetricFinding[] = [];
  const compile = n(get(m, 'opa.compile_errors'));
  const evalErrors = n(get(m, 'opa.eval_errors'));
  if (compile > 0) out.push({ status: 'fail', code: 'opa_compile_errors', detail: `opa.compile_errors=${compile}: the active policy bundle does not compile` });
  if (evalErrors > 0) out.push({ status: 'warn', code: 'opa_eval_errors', detail: `opa.eval_errors=${evalErrors}` });
  if (n(get(m, 'audit_dropped')) > 0) out.push({ status: 'warn', code: 'sts_audit_dropped', detail: `audit_dropped=${n(get(m, 'audit_dropped'))}: STS lost audit events` });
  return out;
}

/** The Doctor's Audit rule: tamper evidence fails; HMAC failures, a DLQ and lag over 1000 warn. */
export function auditMetricFindings(m: Record<string, unknown>): MetricFinding[] {
  const out: MetricFinding[] = [];
  const mismatch = n(m.tamper_mismatch_total);
  const breaks = n(m.tamper_chain_breaks);
  if (mismatch > 0 || breaks > 0) {
    out.push({ status: 'fail', code: 'audit_tamper_detected', detail: `tamper_mismatch_total=${mismatch}, tamper_chain_breaks=${breaks}` });
  }
  if (n(m.consumer_lag) > 1000) out.push({ status: 'warn', code: 'audit_consumer_lag', detail: `consumer_lag=${n(m.consumer_lag)} (over 1000)` });
  if (n(m.dlq_size) > 0) out.push({ status: 'warn', code: 'audit_dlq_nonempty', detail: `dlq_size=${n(m.dlq_size)}` });
  if (n(m.hmac_failures_total) > 0) out.push({ status: 'warn', code: 'audit_hmac_failures', detail: `hmac_failures_total=${n(m.hmac_failures_total)}` });
  return out;
}

/** The Doctor's Coordinator rule: dead outbox messages or a pending backlog over 500 warn. */
export function coordinatorStatsFindings(stats: Record<string, unknown>): MetricFinding[] {
  const out: MetricFinding[] = [];
  const outbox = isRecord(stats.outbox) ? stats.outbox : {};
  if (n(outbox.dead) > 0) out.push({ status: 'warn', code: 'coordinator_outbox_dead', detail: `outbox.dead=${n(outbox.dead)}` });
  if (n(outbox.pending) > 500) out.push({ status: 'warn', code: 'coordinator_outbox_pending', detail: `outbox.pending=${n(outbox.pending)} (over 500)` });
  return out;
}

/** Gateway denial counters (`denials_*`) above zero, largest first. */
export function gatewayDenials(m: Record<string, unknown>): Array<{ kind: string; count: number }> {
  return Object.entries(m)
    .filter(([k, v]) => k.startsWith('denials_') && n(v) > 0)
    .map(([k, v]) => ({ kind: k.slice('denials_'.length), count: n(v) }))
    .sort((a, b) => b.count - a.count);
}

/** Gateway revocation health: a stale snapshot or reload errors mean revocations may not apply. */
export function gatewayRevocationFindings(m: Record<string, unknown>): MetricFinding[] {
  const out: MetricFinding[] = [];
  if ('revocation_snapshot_fresh' in m && n(m.revocation_snapshot_fresh) === 0) {
    out.push({ status: 'fail', code: 'revocation_snapshot_stale', detail: `revocation_snapshot_fresh=0, snapshot age ${n(m.revocation_snapshot_age_seconds)} s` });
  }
  if (n(m.revocation_reload_errors) > 0) out.push({ status: 'fail', code: 'revocation_reload_errors', detail: `revocation_reload_errors=${n(m.revocation_reload_errors)}` });
  if (n(m.revocation_propagation_seconds) > 30) {
    out.push({ status: 'warn', code: 'revocation_propagation_lag', detail: `revocation_propagation_seconds=${n(m.revocation_propagation_seconds)} (over 30)` });
  }
  return out;
}
