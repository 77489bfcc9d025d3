/**
 * Caracal's 21 Prometheus alert rules (infra/helm/caracal/templates/prometheusrule.yaml in
 * Garudex-Labs/caracal; off unless `alertRules.enabled`), each with the triage surface it
 * points at, the first action from its runbook, and the steps and bundle items to collect
 * first. Every rule carries labels `severity` (warning | critical) and `component`
 * (sts | audit | gateway | api | database | platform) and annotations `summary`,
 * `description` and `runbook_url` = https://docs.caracal.run/operations/alerts/#<name in lower case>.
 *
 * First actions follow the rule descriptions and the routes in Caracal's alert guide
 * (docs/src/content/docs/operations/alerts.mdx): audit tamper or evidence loss is a security
 * incident (stop risky traffic, preserve evidence); revocation freshness, reload or lag is an
 * access-safety incident (take the Gateway out of traffic); Gateway STS circuit or exchange:
 * restore the exchange first; audit DLQ, lag, replay or API outbox: freeze changes and restore
 * Redis/Postgres/Audit; policy and provider: restore the last known-good; pool saturation and
 * readiness flapping: platform on-call.
 *
 * An alert not listed here gets a readiness-first guide.
 */
import type { BundleItemId, StepId, Surface } from '../triage/model';

export const CARACAL_COMPONENTS = ['sts', 'audit', 'gateway', 'api', 'database', 'platform'] as const;
export type CaracalComponent = (typeof CARACAL_COMPONENTS)[number];
export type CaracalSeverity = 'warning' | 'critical';

export interface AlertGuide {
  /** The alert name, or null for the readiness-first guide of an unknown alert. */
  alertname: string | null;
  component: CaracalComponent | null;
  severity: CaracalSeverity | null;
  surface: Surface;
  /** The rule's `summary` annotation. */
  summary: string;
  /** One sentence: what on-call does first. */
  firstAction: string;
  /** Steps to collect and show first, most telling first. */
  steps: readonly StepId[];
  /** Bundle items to collect first. */
  bundleItems: readonly BundleItemId[];
  runbookUrl: string | null;
}

type Entry = Omit<AlertGuide, 'alertname' | 'runbookUrl'>;

const SECURITY = 'Treat this as a security incident:';
const ACCESS_SAFETY = 'Treat this as an access-safety incident:';

const ENTRIES = {
  // STS
  CaracalSTSOPACompileErrors: {
    component: 'sts', severity: 'warning', surface: 'sts_policy',
    summary: 'STS OPA policy compilation is failing',
    firstAction: 'Re-activate the last policy-set version that compiled, then read the STS logs for the compile error before activating the new version again (STS fails closed for the loads that failed).',
    steps: ['policy_set_activation', 'readiness', 'grant_policy'], bundleItems: ['readiness', 'zones'],
  },
  CaracalSTSPolicyBundleStale: {
    component: 'sts', severity: 'warning', surface: 'sts_policy',
    summary: 'STS policy bundle age exceeds the configured threshold',
    firstAction: 'Check STS readiness, its Redis policy-invalidation stream and Postgres polling, and that the active policy set reaches `loaded`; until it does STS decides with an older bundle.',
    steps: ['readiness', 'policy_set_activation'], bundleItems: ['readiness', 'zones'],
  },
  CaracalSTSProviderRefreshErrors: {
    component: 'sts', severity: 'warning', surface: 'infrastructure',
    summary: 'STS provider refresh coordination is failing',
    firstAction: 'Restore Redis for STS (provider refresh leases and results live there) and confirm STS readiness; provider-backed grants fail closed until both recover.',
    steps: ['readiness', 'grant_policy'], bundleItems: ['readiness', 'provider_binding'],
  },
  CaracalSTSProviderCircuitOpen: {
    component: 'sts', severity: 'warning', surface: 'configuration',
    summary: 'STS provider refresh circuit is opening',
    firstAction: "Fix the failing credential provider's credential or upstream reachability, or restore its last known-good configuration; provider-backed resources fail closed until the circuit closes.",
    steps: ['configuration', 'grant_policy', 'readiness'], bundleItems: ['provider_binding', 'readiness'],
  },
  CaracalSTSAuditReplayBacklogOld: {
    component: 'sts', severity: 'warning', surface: 'audit_pipeline',
    summary: 'STS audit replay backlog is aging',
    firstAction: "Hold risky rollouts and recover Redis and the Audit service until STS's on-disk audit replay files drain.",
    steps: ['readiness', 'audit_trace'], bundleItems: ['readiness'],
  },
  CaracalSTSAuditEvidenceLost: {
    component: 'sts', severity: 'critical', surface: 'audit_pipeline',
    summary: 'STS audit evidence was irrecoverably lost',
    firstAction: `${SECURITY} stop token issuance through the affected STS pod and preserve its logs and storage; replace it only after recording the incident scope.`,
    steps: ['readiness', 'audit_trace'], bundleItems: ['readiness', 'config_summary'],
  },
  // Audit
  CaracalAuditDLQNonEmpty: {
    component: 'audit', severity: 'warning', surface: 'audit_pipeline',
    summary: 'Audit dead-letter queue is non-empty',
    firstAction: 'Read the Audit logs and the dead-letter queue for the failing ingestion or producer HMAC check, and check the Redis stream health.',
    steps: ['audit_trace', 'readiness'], bundleItems: ['readiness'],
  },
  CaracalAuditDLQGrowth: {
    component: 'audit', severity: 'critical', surface: 'audit_pipeline',
    summary: 'Audit dead-letter queue is growing',
    firstAction: 'Freeze risky rollouts and recover Audit, Redis and Postgres before continuing; evidence of protected actions is being delayed.',
    steps: ['readiness', 'audit_trace'], bundleItems: ['readiness'],
  },
  CaracalAuditConsumerLagHigh: {
    component: 'audit', severity: 'warning', surface: 'audit_pipeline',
    summary: 'Audit consumer lag is high',
    firstAction: 'Scale the Audit service and check Postgres latency and Redis memory; audit ingestion is behind the Redis stream.',
    steps: ['readiness', 'audit_trace'], bundleItems: ['readiness'],
  },
  CaracalAuditTamperDetected: {
    component: 'audit', severity: 'critical', surface: 'audit_pipeline',
    summary: 'Audit tamper evidence detected',
    firstAction: `${SECURITY} stop risky traffic and preserve the audit database and logs as evidence before any repair.`,
    steps: ['audit_trace', 'readiness'], bundleItems: ['readiness', 'zones'],
  },
  // Gateway
  CaracalGatewayAuditReplayBacklogOld: {
    component: 'gateway', severity: 'warning', surface: 'audit_pipeline',
    summary: 'Gateway audit replay backlog is aging',
    firstAction: "Hold risky rollouts and recover Redis and the Audit service until the Gateway's on-disk audit replay files drain.",
    steps: ['readiness', 'audit_trace'], bundleItems: ['readiness'],
  },
  CaracalGatewayAuditEvidenceLost: {
    component: 'gateway', severity: 'critical', surface: 'audit_pipeline',
    summary: 'Gateway audit evidence was irrecoverably lost',
    firstAction: `${SECURITY} stop risky traffic through the affected Gateway pod and preserve its logs and storage; replace it only after recording the incident scope.`,
    steps: ['readiness', 'gateway_verifier', 'audit_trace'], bundleItems: ['readiness'],
  },
  CaracalGatewaySTSExchangeErrors: {
    component: 'gateway', severity: 'warning', surface: 'resource_verifier',
    summary: 'Gateway cannot reliably exchange mandates with STS',
    firstAction: "Restore the Gateway's exchange with STS before protected traffic: check STS readiness, then the Gateway's route bindings and its service-to-service credentials for STS.",
    steps: ['readiness', 'gateway_verifier'], bundleItems: ['readiness', 'zones'],
  },
  CaracalGatewaySTSCircuitOpen: {
    component: 'gateway', severity: 'critical', surface: 'infrastructure',
    summary: 'Gateway STS circuit is open',
    firstAction: 'Restore STS (its readiness and its reachability from the Gateway) before protected traffic; every exchange fails closed while the circuit is open.',
    steps: ['readiness', 'gateway_verifier'], bundleItems: ['readiness'],
  },
  CaracalGatewayRevocationSnapshotStale: {
    component: 'gateway', severity: 'critical', surface: 'revocation',
    summary: 'Gateway revocation snapshot is stale',
    firstAction: `${ACCESS_SAFETY} take the affected Gateway out of traffic and restore its revocation snapshot loading from Postgres and Redis.`,
    steps: ['readiness', 'gateway_verifier'], bundleItems: ['readiness'],
  },
  CaracalGatewayRevocationPropagationLag: {
    component: 'gateway', severity: 'critical', surface: 'revocation',
    summary: 'Gateway revocation propagation is delayed',
    firstAction: `${ACCESS_SAFETY} remove the lagging Gateway from traffic, restore its Redis revocation consumer and confirm pending entries are reclaimed.`,
    steps: ['readiness', 'gateway_verifier'], bundleItems: ['readiness'],
  },
  CaracalGatewayRevocationReloadErrors: {
    component: 'gateway', severity: 'critical', surface: 'revocation',
    summary: 'Gateway revocation snapshot reloads are failing',
    firstAction: `${ACCESS_SAFETY} keep the affected Gateway out of traffic until its revocation reloads from Postgres succeed and the snapshot is fresh again.`,
    steps: ['readiness', 'gateway_verifier'], bundleItems: ['readiness'],
  },
  // API
  CaracalAPIOutboxDeadMessages: {
    component: 'api', severity: 'critical', surface: 'infrastructure',
    summary: 'API transactional outbox has abandoned messages',
    firstAction: 'Freeze changes, recover Redis or its stream consumers, then reconcile the abandoned outbox rows named in the API logs before continuing rollouts.',
    steps: ['readiness', 'policy_set_activation'], bundleItems: ['readiness', 'zones'],
  },
  CaracalAPIOutboxPendingOldest: {
    component: 'api', severity: 'warning', surface: 'infrastructure',
    summary: 'API transactional outbox is not draining promptly',
    firstAction: 'Check Redis health, the API outbox workers and the database pool; control-plane changes such as policy activations are not reaching Redis yet.',
    steps: ['readiness', 'policy_set_activation'], bundleItems: ['readiness'],
  },
  // Database
  CaracalPostgresPoolSaturation: {
    component: 'database', severity: 'warning', surface: 'infrastructure',
    summary: 'Postgres connection pool is near saturation',
    firstAction: 'On the saturated service, look for long-running queries and connection leaks and check statement timeouts before the pool runs out.',
    steps: ['readiness'], bundleItems: ['readiness', 'config_summary'],
  },
  // Platform
  CaracalReadinessFlapping: {
    component: 'platform', severity: 'warning', surface: 'infrastructure',
    summary: 'Caracal pod readiness is flapping',
    firstAction: "Find why the pod keeps toggling Ready: its dependencies (Postgres, Redis), CPU throttling, OOM kills or readiness-probe timeouts, from its events and logs.",
    steps: ['readiness'], bundleItems: ['readiness'],
  },
} as const satisfies Record<string, Entry>;

export type CaracalAlertName = keyof typeof ENTRIES;
export const CARACAL_ALERT_NAMES = Object.keys(ENTRIES) as CaracalAlertName[];

export const RUNBOOK_BASE = 'https://docs.caracal.run/operations/alerts/';

export function runbookUrlFor(alertname: string): string {
  return `${RUNBOOK_BASE}#${alertname.toLowerCase()}`;
}

export function isCaracalAlert(name: string): name is CaracalAlertName {
  return Object.prototype.hasOwnProperty.call(ENTRIES, name);
}

/** The readiness-first guide for an alert this catalogue does not know. */
export function unknownAlertGuide(alertname: string | null): AlertGuide {
  return {
    alertname,
    component: null,
    severity: null,
    surface: 'unknown',
    summary: alertname ? `${alertname} is not one of Caracal's alert rules` : 'No alert name',
    firstAction: "Start from runtime readiness: every Caracal service's /ready and metrics come first, then follow the alert's own runbook.",
    steps: ['readiness'],
    bundleItems: ['readiness', 'config_summary', 'zones'],
    runbookUrl: null,
  };
}

export function guideForAlert(alertname: string | null | undefined): AlertGuide {
  if (!alertname || !isCaracalAlert(alertname)) return unknownAlertGuide(alertname ?? null);
  return { alertname, ...ENTRIES[alertname], runbookUrl: runbookUrlFor(alertname) };
}

/** Caracal alert names written in free text (a PagerDuty title such as "[FIRING:2] CaracalAuditDLQGrowth …"). */
export function caracalAlertsIn(text: string): CaracalAlertName[] {
  const found = new Set<CaracalAlertName>();
  for (const m of text.matchAll(/\bCaracal[A-Za-z]+\b/g)) if (isCaracalAlert(m[0])) found.add(m[0]);
  return [...found];
}
