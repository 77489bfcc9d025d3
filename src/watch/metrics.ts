/**
 * Prometheus metrics of the deny watcher and of the Caracal call budget, in the process's
 * registry (created once per registry, like src/queue/metrics.ts).
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { BudgetWaitReason } from '../caracal/budget';

export interface WatchMetrics {
  /** caracal_triage_watch_denials_total{zone,reason}: denied requests read (each once) */
  denials: Counter<'zone' | 'reason'>;
  /** caracal_triage_watch_late_rows_total{zone}: rows ingested more than WATCH_OVERLAP_S after they occurred */
  lateRows: Counter<'zone'>;
  /** caracal_triage_watch_patterns_open: patterns with an open triage */
  patternsOpen: Gauge<string>;
  /** caracal_triage_watch_lag_seconds: now minus the newest denial the watcher has read */
  lag: Gauge<string>;
  /** caracal_triage_watch_poll_errors_total{zone}: zones a poll could not read */
  pollErrors: Counter<'zone'>;
  /** caracal_triage_watch_polls_total: polls this process ran as leader */
  polls: Counter<string>;
  /** caracal_triage_watch_leader_changes_total: times this process became the leader */
  leaderChanges: Counter<string>;
  /** caracal_triage_watch_notices_total{kind,outcome}: notices handed to the incident desk */
  notices: Counter<'kind' | 'outcome'>;
}

export interface BudgetMetrics {
  /** caracal_triage_caracal_budget_waits_total{deployment,reason}: Admin API calls that waited (budget full, or after a 429) */
  waits: Counter<'deployment' | 'reason'>;
  /** caracal_triage_caracal_budget_wait_seconds_total{deployment,reason} */
  waitSeconds: Counter<'deployment' | 'reason'>;
  /** caracal_triage_caracal_rate_limited_total{deployment}: 429s Caracal answered anyway */
  rateLimited: Counter<'deployment'>;
  /** What one deployment's budget reports (each deployment has its own, src/store/caracal-budget.ts). */
  of(deployment: string): { onWait(reason: BudgetWaitReason, ms: number): void; onRateLimited(): void };
}

const watchByRegistry = new WeakMap<Registry, WatchMetrics>();
const budgetByRegistry = new WeakMap<Registry, BudgetMetrics>();

export function watchMetrics(registry: Registry = new Registry()): WatchMetrics {
  const existing = watchByRegistry.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const m: WatchMetrics = {
    denials: new Counter({ name: 'caracal_triage_watch_denials_total', help: 'Denied requests the deny watcher read, each once, by zone and reason', labelNames: ['zone', 'reason'], registers }),
    lateRows: new Counter({ name: 'caracal_triage_watch_late_rows_total', help: 'Audit rows ingested more than WATCH_OVERLAP_S after they occurred (rows later still are missed)', labelNames: ['zone'], registers }),
    patternsOpen: new Gauge({ name: 'caracal_triage_watch_patterns_open', help: 'Denial patterns with an open triage', registers }),
    lag: new Gauge({ name: 'caracal_triage_watch_lag_seconds', help: 'Now minus the occurred_at of the newest denial the watcher has read', registers }),
    pollErrors: new Counter({ name: 'caracal_triage_watch_poll_errors_total', help: 'Zones a poll could not read (Caracal unreachable, a refused read), by zone (`*`: the zone list)', labelNames: ['zone'], registers }),
    polls: new Counter({ name: 'caracal_triage_watch_polls_total', help: 'Polls this process ran as the watcher leader', registers }),
    leaderChanges: new Counter({ name: 'caracal_triage_watch_leader_changes_total', help: 'Times this process became the watcher leader', registers }),
    notices: new Counter({ name: 'caracal_triage_watch_notices_total', help: 'Pattern notices handed to the incident desk, by kind (open, update, close) and outcome', labelNames: ['kind', 'outcome'], registers }),
  };
  watchByRegistry.set(registry, m);
  return m;
}

export function budgetMetrics(registry: Registry = new Registry()): BudgetMetrics {
  const existing = budgetByRegistry.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const waits = new Counter({ name: 'caracal_triage_caracal_budget_waits_total', help: "Admin API calls that waited for their deployment's shared budget (reason budget) or for the pause after a 429 (rate_limited)", labelNames: ['deployment', 'reason'], registers });
  const waitSeconds = new Counter({ name: 'caracal_triage_caracal_budget_wait_seconds_total', help: "Time Admin API calls spent waiting for their deployment's budget", labelNames: ['deployment', 'reason'], registers });
  const rateLimited = new Counter({ name: 'caracal_triage_caracal_rate_limited_total', help: 'Admin API calls Caracal answered 429 despite the budget (another client on the same IP or actor)', labelNames: ['deployment'], registers });
  const m: BudgetMetrics = {
    waits,
    waitSeconds,
    rateLimited,
    of: (deployment) => ({
      onWait(reason, ms) {
        waits.inc({ deployment, reason });
        waitSeconds.inc({ deployment, reason }, ms / 1000);
      },
      onRateLimited: () => rateLimited.inc({ deployment }),
    }),
  };
  budgetByRegistry.set(registry, m);
  return m;
}
