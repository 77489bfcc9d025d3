/**
 * Prometheus metrics of the deny watcher and of the Caracal call budget, in the process's
 * registry (created once per registry, like src/queue/metrics.ts).
 */
import { Counter, Gauge, Registry, type LabelValues } from 'prom-client';
import type { BudgetWaitReason } from '../caracal/budget';

/** A counter with its `deployment` label bound (each deployment's watcher reports apart). */
export interface BoundCounter<L extends string> {
  inc(labels?: Partial<Record<L, string>>, value?: number): void;
}
export interface BoundGauge {
  set(value: number): void;
}

/** One deployment's watcher's metrics: every series carries `deployment`. */
export interface WatchMetrics {
  /** caracal_triage_watch_denials_total{deployment,zone,reason}: denied requests read (each once) */
  denials: BoundCounter<'zone' | 'reason'>;
  /** caracal_triage_watch_late_rows_total{deployment,zone}: rows ingested more than WATCH_OVERLAP_S after they occurred */
  lateRows: BoundCounter<'zone'>;
  /** caracal_triage_watch_patterns_open{deployment}: patterns with an open triage */
  patternsOpen: BoundGauge;
  /** caracal_triage_watch_lag_seconds{deployment}: now minus the newest denial the watcher has read */
  lag: BoundGauge;
  /** caracal_triage_watch_poll_errors_total{deployment,zone}: zones a poll could not read */
  pollErrors: BoundCounter<'zone'>;
  /** caracal_triage_watch_polls_total{deployment}: polls this process ran as leader */
  polls: BoundCounter<never>;
  /** caracal_triage_watch_leader_changes_total{deployment}: times this process became the leader */
  leaderChanges: BoundCounter<never>;
  /** caracal_triage_watch_notices_total{deployment,kind,outcome}: notices handed to the incident desk */
  notices: BoundCounter<'kind' | 'outcome'>;
}

interface WatchSeries {
  denials: Counter<'deployment' | 'zone' | 'reason'>;
  lateRows: Counter<'deployment' | 'zone'>;
  patternsOpen: Gauge<'deployment'>;
  lag: Gauge<'deployment'>;
  pollErrors: Counter<'deployment' | 'zone'>;
  polls: Counter<'deployment'>;
  leaderChanges: Counter<'deployment'>;
  notices: Counter<'deployment' | 'kind' | 'outcome'>;
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

const watchByRegistry = new WeakMap<Registry, WatchSeries>();
const budgetByRegistry = new WeakMap<Registry, BudgetMetrics>();

function watchSeries(registry: Registry): WatchSeries {
  const existing = watchByRegistry.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const m: WatchSeries = {
    denials: new Counter({ name: 'caracal_triage_watch_denials_total', help: 'Denied requests the deny watcher read, each once, by deployment, zone and reason', labelNames: ['deployment', 'zone', 'reason'], registers }),
    lateRows: new Counter({ name: 'caracal_triage_watch_late_rows_total', help: 'Audit rows ingested more than WATCH_OVERLAP_S after they occurred (rows later still are missed)', labelNames: ['deployment', 'zone'], registers }),
    patternsOpen: new Gauge({ name: 'caracal_triage_watch_patterns_open', help: 'Denial patterns with an open triage', labelNames: ['deployment'], registers }),
    lag: new Gauge({ name: 'caracal_triage_watch_lag_seconds', help: 'Now minus the occurred_at of the newest denial the watcher has read', labelNames: ['deployment'], registers }),
    pollErrors: new Counter({ name: 'caracal_triage_watch_poll_errors_total', help: 'Zones a poll could not read (Caracal unreachable, a refused read), by zone (`*`: the zone list)', labelNames: ['deployment', 'zone'], registers }),
    polls: new Counter({ name: 'caracal_triage_watch_polls_total', help: 'Polls this process ran as the watcher leader', labelNames: ['deployment'], registers }),
    leaderChanges: new Counter({ name: 'caracal_triage_watch_leader_changes_total', help: 'Times this process became the watcher leader', labelNames: ['deployment'], registers }),
    notices: new Counter({ name: 'caracal_triage_watch_notices_total', help: 'Pattern notices handed to the incident desk, by kind (open, update, close) and outcome', labelNames: ['deployment', 'kind', 'outcome'], registers }),
  };
  watchByRegistry.set(registry, m);
  return m;
}

// prom-client's label types do not follow a spread: the cast adds `deployment` to labels the caller typed.
const bind = <L extends string>(c: Counter<L | 'deployment'>, deployment: string): BoundCounter<L> => ({ inc: (labels, value = 1) => c.inc({ ...labels, deployment } as LabelValues<L | 'deployment'>, value) });
const bindGauge = (g: Gauge<'deployment'>, deployment: string): BoundGauge => ({ set: (value) => g.set({ deployment }, value) });

/** One deployment's watcher's metrics (`default` with one deployment), over the series the registry holds once. */
export function watchMetrics(registry: Registry = new Registry(), deployment = 'default'): WatchMetrics {
  const m = watchSeries(registry);
  return {
    denials: bind(m.denials, deployment),
    lateRows: bind(m.lateRows, deployment),
    patternsOpen: bindGauge(m.patternsOpen, deployment),
    lag: bindGauge(m.lag, deployment),
    pollErrors: bind(m.pollErrors, deployment),
    polls: bind(m.polls, deployment),
    leaderChanges: bind(m.leaderChanges, deployment),
    notices: bind(m.notices, deployment),
  };
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
