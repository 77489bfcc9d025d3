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
 * The caracal-triage chart adds alerts Caracal does not ship (metrics.prometheusRule.gatewayRefusals):
 * one per Gateway refusal counter (`caracal_gateway_denials_<kind>_total`), for the calls the
 * Gateway refuses before any STS exchange, which leave no audit row. Their surfaces follow the
 * triage's own reading of a Gateway refusal (src/triage/diagnosis.ts): a missing, unreadable,
 * expiring or badly signed bearer is `authentication`; a revoked session or a stale revocation
 * snapshot is `revocation`; a replayed mandate, a bad route or an unsafe path is the Gateway's
 * route-and-verifier layer, `resource_verifier` (the triage puts a `replay_detected` row there
 * too). Their runbooks are in the README of caracal-triage, wherever an install serves it (the
 * chart's runbookBaseUrl): the alert carries that link; the catalogue knows none.
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
type ChartEntry = Entry & { component: 'gateway' };

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

/** The caracal-triage chart's Gateway refusal alerts (deploy/helm/caracal-triage/templates/_gateway-refusals.tpl). */
const GATEWAY_REFUSAL_ENTRIES = {
  CaracalGatewayMissingAuthRefusals: {
    component: 'gateway', severity: 'warning', surface: 'authentication',
    summary: "Caracal's Gateway refused calls that carry no bearer token",
    firstAction: "Find the caller in the Gateway logs and make it exchange for a mandate before each call: a call without a bearer never reached STS, so this is the caller's authentication, not policy.",
    steps: ['gateway_verifier', 'readiness', 'configuration'], bundleItems: ['readiness', 'config_summary'],
  },
  CaracalGatewayBadBearerRefusals: {
    component: 'gateway', severity: 'warning', surface: 'authentication',
    summary: "Caracal's Gateway refused malformed bearer tokens",
    firstAction: 'Find the caller in the Gateway logs and check what it sends as its bearer: a token the Gateway cannot read (another kind, cut short, no zone or client) fails authentication before STS.',
    steps: ['gateway_verifier', 'readiness'], bundleItems: ['readiness', 'config_summary'],
  },
  CaracalGatewayExpiringTokenRefusals: {
    component: 'gateway', severity: 'warning', surface: 'authentication',
    summary: "Caracal's Gateway refused mandates about to expire",
    firstAction: 'Make callers use a mandate soon after minting it and check clock skew between agents and the Gateway: a mandate inside the expiry window fails authentication at the Gateway, before STS.',
    steps: ['gateway_verifier', 'readiness'], bundleItems: ['readiness', 'config_summary'],
  },
  CaracalGatewaySignatureRefusals: {
    component: 'gateway', severity: 'warning', surface: 'authentication',
    summary: "Caracal's Gateway refused tokens with an invalid signature",
    firstAction: "Compare the refused tokens' zone and issuer with the zone's JWKS (/.well-known/jwks.json?zone_id=): a signature the zone's keys do not verify fails authentication (another zone, a key rotation, a forgery).",
    steps: ['gateway_verifier', 'configuration', 'readiness'], bundleItems: ['readiness', 'zones'],
  },
  CaracalGatewayJtiReplayRefusals: {
    component: 'gateway', severity: 'critical', surface: 'resource_verifier',
    summary: "Caracal's Gateway refused replayed mandates",
    firstAction: "Treat this as a possible stolen token: find the application re-sending a used mandate (a cache or retry layer, or a copy elsewhere); a replay is the Gateway verifier's finding, as in a request triage.",
    steps: ['gateway_verifier', 'readiness'], bundleItems: ['readiness'],
  },
  CaracalGatewayRevokedRefusals: {
    component: 'gateway', severity: 'warning', surface: 'revocation',
    summary: "Caracal's Gateway refused calls made with revoked authority",
    firstAction: "Stop the agents still calling with revoked authority, or confirm the revocation was meant: the Gateway is enforcing revocation as it should, so the fix is on the caller's side.",
    steps: ['gateway_verifier', 'readiness'], bundleItems: ['readiness'],
  },
  CaracalGatewayRevocationStaleRefusals: {
    component: 'gateway', severity: 'critical', surface: 'revocation',
    summary: "Caracal's Gateway refused calls because its revocation snapshot is stale",
    firstAction: `${ACCESS_SAFETY} restore the Gateway's revocation snapshot reloads from Postgres and Redis; until it is fresh the Gateway fails closed and refuses calls.`,
    steps: ['readiness', 'gateway_verifier'], bundleItems: ['readiness'],
  },
  CaracalGatewayBadRoutingRefusals: {
    component: 'gateway', severity: 'warning', surface: 'resource_verifier',
    summary: "Caracal's Gateway refused calls it could not route",
    firstAction: "Check the callers' routing headers and the Gateway's route for the resource: a call the Gateway cannot route is refused at its route layer (the Gateway route or verifier step), before any exchange.",
    steps: ['gateway_verifier', 'configuration'], bundleItems: ['readiness', 'zones'],
  },
  CaracalGatewayPathTraversalRefusals: {
    component: 'gateway', severity: 'warning', surface: 'resource_verifier',
    summary: "Caracal's Gateway refused unsafe upstream paths",
    firstAction: "Find the caller building paths from untrusted input and treat repeated attempts as probing: the Gateway's route layer refused a path leaving the resource's upstream, before any exchange.",
    steps: ['gateway_verifier', 'readiness'], bundleItems: ['readiness'],
  },
} as const satisfies Record<string, ChartEntry>;

/** Caracal's own 21 rules. */
export type CaracalAlertName = keyof typeof ENTRIES;
export const CARACAL_ALERT_NAMES = Object.keys(ENTRIES) as CaracalAlertName[];

/** The caracal-triage chart's alerts on the Gateway's refusal counters. */
export type GatewayRefusalAlertName = keyof typeof GATEWAY_REFUSAL_ENTRIES;
export const GATEWAY_REFUSAL_ALERT_NAMES = Object.keys(GATEWAY_REFUSAL_ENTRIES) as GatewayRefusalAlertName[];

/** Every alert this catalogue guides: Caracal's rules and the chart's Gateway refusal alerts. */
export type KnownAlertName = CaracalAlertName | GatewayRefusalAlertName;

export const RUNBOOK_BASE = 'https://docs.caracal.run/operations/alerts/';

export function runbookUrlFor(alertname: string): string {
  return `${RUNBOOK_BASE}#${alertname.toLowerCase()}`;
}

const has = (o: object, name: string): boolean => Object.prototype.hasOwnProperty.call(o, name);

/** An alert this catalogue knows (one of Caracal's rules, or one of the chart's Gateway refusal alerts). */
export function isCaracalAlert(name: string): name is KnownAlertName {
  return has(ENTRIES, name) || has(GATEWAY_REFUSAL_ENTRIES, name);
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
  if (has(GATEWAY_REFUSAL_ENTRIES, alertname)) return { alertname, ...GATEWAY_REFUSAL_ENTRIES[alertname as GatewayRefusalAlertName], runbookUrl: null };
  return { alertname, ...ENTRIES[alertname as CaracalAlertName], runbookUrl: runbookUrlFor(alertname) };
}

/** Known alert names written in free text (a PagerDuty title such as "[FIRING:2] CaracalAuditDLQGrowth …"). */
export function caracalAlertsIn(text: string): KnownAlertName[] {
  const found = new Set<KnownAlertName>();
  for (const m of text.matchAll(/\bCaracal[A-Za-z]+\b/g)) if (isCaracalAlert(m[0])) found.add(m[0]);
  return [...found];
}
