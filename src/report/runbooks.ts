/**
 * The runbook (docs/runbooks.md): one section per cause the engine names, each saying what the
 * cause means, what to check and how to fix it. Every card, `show`, the terminal and the triage
 * page link a diagnosis's cause to its section. The ids below are the document's `###` headings
 * (their anchors), in its order; test/report/runbooks.test.ts keeps the two equal and checks that
 * every cause the engine can emit has its own section.
 */

/** The causes docs/runbooks.md has a section for. */
export const RUNBOOK_CAUSES: readonly string[] = [
  'api_unreachable', 'api_timeout', 'api_unreadable', 'sts_unreachable', 'gateway_unreachable',
  'audit_unreachable', 'coordinator_unreachable', 'redis_unreachable', 'revocation_snapshot_stale',
  'consumer_unhealthy', 'audit_dlq_threshold', 'audit_lag_threshold', 'audit_pel_oldest_threshold',
  'audit_evidence_lost', 'audit_replay_unavailable', 'zone_not_found', 'resource_not_found',
  'resource_archived', 'application_expired', 'request_not_found', 'no_active_grant', 'scope_not_granted',
  'policy_denied', 'default_deny', 'resource_not_granted', 'role_scope_mismatch', 'no_rule_matched',
  'rate_limited', 'resource_outside_delegation', 'control_resource_requires_control_key',
  'credential_not_provisioned', 'credential_refresh_failed', 'provider_unavailable',
  'provider_credential_unavailable', 'credential_injection_denied', 'subject_federation_invalid',
  'subject_federation_rejected', 'approval_invalid', 'approval_rejected', 'approval_expired',
  'approval_already_consumed', 'approval_class_conflict', 'approval_policy_changed', 'no_active_policy_set',
  'activation_not_loaded', 'policy_eval_failed', 'propagation_failed', 'outbox_dead', 'sts_load_failed',
  'scope_mismatch', 'operation_scope_not_granted', 'operation_not_permitted', 'replay_detected',
  'upstream_denied', 'invalid_token', 'gateway_denied', 'audit_tamper_detected', 'audit_consumer_lag',
  'audit_dlq_nonempty', 'no_zone', 'no_request_id', 'no_trace', 'not_configured', 'not_relevant', 'timeout',
  'admin_token_rejected', 'admin_token_read_only', 'zone_not_resolved', 'no_sts_decision', 'policy_not_evaluated',
  'resource_unknown', 'mandate_scopes_not_recorded', 'no_audit_expected',
];

/** Where a cause this file does not list is sent. */
export const OTHER_CAUSES_ANCHOR = 'other-causes';

/** The document's path in the repository, named when no TRIAGE_RUNBOOK_URL is set. */
export const RUNBOOK_PATH = 'docs/runbooks.md';

export interface RunbookRef {
  /** The section's anchor (the cause itself, a family's section, or other-causes). */
  anchor: string;
  /** A link to it, when TRIAGE_RUNBOOK_URL says where the document is served. */
  url: string | null;
  /** `docs/runbooks.md#<anchor>`: what to name when there is no link. */
  pointer: string;
}

/** The section a cause is explained in: its own, its family's (`gateway_denied_*`), or other-causes. */
export function runbookAnchor(cause: string): string {
  if (RUNBOOK_CAUSES.includes(cause)) return cause;
  if (cause.startsWith('gateway_denied_')) return 'gateway_denied';
  return OTHER_CAUSES_ANCHOR;
}

export function runbookRef(cause: string, runbookUrl: string | null): RunbookRef {
  const anchor = runbookAnchor(cause);
  return { anchor, url: runbookUrl ? `${runbookUrl.replace(/#.*$/, '')}#${anchor}` : null, pointer: `${RUNBOOK_PATH}#${anchor}` };
}
