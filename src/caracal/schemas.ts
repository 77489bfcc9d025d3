/**
 * zod schemas for every Caracal response the bot reads (FACTS §2). They are deliberately
 * tolerant where Caracal itself varies: the captured fixtures use nulls, rows written by the
 * real Go STS use empty strings (FACTS §11); diagnostics come as `{code,message}` or
 * `{reason}`; explain turns null arrays into `[]` but audit rows keep them null. Unknown keys
 * pass through (`z.looseObject`) so evidence keeps everything Caracal sent. What the bot relies
 * on (ids, decisions, scopes, statuses) is required, so a wrong shape fails loudly.
 */
import { z } from 'zod';

/** string | null | undefined: Caracal omits, nulls or blanks optional fields depending on the writer. */
const nstr = z.string().nullish();
const nnum = z.number().nullish();
/** `null` arrays (audit rows) read as `[]`. */
const list = <T extends z.ZodType>(item: T) =>
  z
    .array(item)
    .nullish()
    .transform((v) => v ?? []);
const record = z.record(z.string(), z.unknown());

/** One diagnostic: fixtures and OPA results use `{code, message}`, real STS rows `{reason}`. */
export const Diagnostic = z.looseObject({ code: nstr, message: nstr, reason: nstr });
export type Diagnostic = z.infer<typeof Diagnostic>;

/** The machine-readable part of a diagnostic, whichever shape it came in. */
export function diagnosticCode(d: Diagnostic): string | undefined {
  return d.code || d.reason || undefined;
}

/** The shared error envelope (FACTS §4); most API route errors are just `{error}`. */
export const ErrorEnvelope = z.looseObject({
  error: z.string().min(1),
  error_description: nstr,
  message: nstr,
  requestId: nstr,
  request_id: nstr,
  details: z.unknown().optional(),
});
export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>;

/** `/ready` / `/health` bodies of every service (FACTS §2.3); all fields optional. */
export const ReadyBody = z.looseObject({ ok: z.boolean().optional(), ready: z.boolean().optional(), reason: nstr, error: nstr, dependency: nstr });
export type ReadyBody = z.infer<typeof ReadyBody>;

export const Page = <T extends z.ZodType>(item: T) => z.looseObject({ items: z.array(item), next_cursor: nstr });

export const Zone = z.looseObject({
  id: z.string(),
  name: nstr,
  slug: nstr,
  created_at: nstr,
  updated_at: nstr,
});
export type Zone = z.infer<typeof Zone>;

export const ZoneOverview = z.looseObject({
  zone_id: z.string(),
  generated_at: nstr,
  applications: z.looseObject({ total: z.number(), expired: nnum, expiring_soon: nnum }).optional(),
  resources: z.looseObject({ total: z.number(), unenforced: nnum }).optional(),
  providers: z.looseObject({ total: z.number() }).optional(),
  policy_sets: z.looseObject({ total: z.number(), enforcing: nnum, active_name: nstr }).optional(),
  sessions: z.looseObject({ active: z.number() }).optional(),
  decisions_24h: z.looseObject({ allowed: z.number(), denied: z.number() }).optional(),
  recent_events: list(
    z.looseObject({ id: z.string(), event_type: z.string(), request_id: nstr, decision: nstr, metadata_json: record.nullish(), occurred_at: nstr }),
  ),
});
export type ZoneOverview = z.infer<typeof ZoneOverview>;

export const AuditRow = z.looseObject({
  id: z.string(),
  zone_id: z.string(),
  event_type: z.string(),
  request_id: nstr,
  decision: nstr,
  policy_set_id: nstr,
  policy_set_version_id: nstr,
  manifest_sha: nstr,
  evaluation_status: nstr,
  determining_policies_json: z.array(z.unknown()).nullish(),
  diagnostics_json: z.array(Diagnostic).nullish(),
  metadata_json: record.nullish(),
  occurred_at: z.string(),
  ingested_at: nstr,
});
export type AuditRow = z.infer<typeof AuditRow>;

/** The OPA input explain rebuilds for a denied row (FACTS §2.1). Empty for `exchange_denied`. */
export const PolicyInput = z.looseObject({
  schema_version: nstr,
  principal: z.looseObject({ type: nstr, id: nstr, zone_id: nstr, agent_session_id: nstr }).nullish(),
  resource: z.looseObject({ type: nstr, identifier: nstr, scopes: list(z.string()) }).nullish(),
  action: z.looseObject({ id: nstr }).nullish(),
  context: z
    .looseObject({
      requested_scopes: list(z.string()),
      challenge_resolved: z.boolean().nullish(),
      session_id: nstr,
      agent_session_id: nstr,
      delegation_edge_id: nstr,
    })
    .nullish(),
  session: z.looseObject({ id: nstr }).nullish(),
  delegation_edge: z.looseObject({ id: nstr }).nullish(),
});
export type PolicyInput = z.infer<typeof PolicyInput>;

export const DeniedEntry = z.looseObject({
  event_id: z.string(),
  event_type: z.string(),
  evaluation_status: nstr,
  determining_policies: list(z.unknown()),
  diagnostics: list(Diagnostic),
  metadata: record.nullish().transform((v) => v ?? {}),
  policy_input: PolicyInput.nullish(),
});
export type DeniedEntry = z.infer<typeof DeniedEntry>;

export const DecisionTrace = z.looseObject({
  request_id: z.string(),
  zone_id: z.string(),
  final_decision: z.string(),
  denied: list(DeniedEntry),
  events: list(AuditRow),
});
export type DecisionTrace = z.infer<typeof DecisionTrace>;

export const ResourceOperation = z.looseObject({ method: nstr, path: nstr, scope: nstr });
export type ResourceOperation = z.infer<typeof ResourceOperation>;

export const Resource = z.looseObject({
  id: z.string(),
  zone_id: z.string(),
  name: nstr,
  identifier: z.string(),
  upstream_url: nstr,
  scopes: list(z.string()),
  credential_provider_id: nstr,
  operations: list(ResourceOperation),
  operation_enforcement: nstr,
  archived_at: nstr,
});
export type Resource = z.infer<typeof Resource>;

export const Provider = z.looseObject({
  id: z.string(),
  zone_id: z.string(),
  name: nstr,
  identifier: nstr,
  kind: nstr,
  config_json: record.nullish(),
  secret_config_keys: list(z.string()),
  connectivity_failed_at: nstr,
});
export type Provider = z.infer<typeof Provider>;

export const Application = z.looseObject({
  id: z.string(),
  zone_id: z.string(),
  name: nstr,
  registration_method: nstr,
  traits: z.unknown().optional(),
  expires_at: nstr,
});
export type Application = z.infer<typeof Application>;

export const Grant = z.looseObject({
  id: z.string(),
  zone_id: z.string(),
  application_id: nstr,
  user_id: nstr,
  resource_id: nstr,
  provider_id: nstr,
  application_name: nstr,
  resource_name: nstr,
  scopes: list(z.string()),
  status: z.string(),
  created_at: nstr,
});
export type Grant = z.infer<typeof Grant>;

export const PolicySet = z.looseObject({
  id: z.string(),
  zone_id: z.string(),
  name: nstr,
  description: nstr,
  /** Non-null on the zone's one active set (FACTS §2.6). */
  active_version_id: nstr,
});
export type PolicySet = z.infer<typeof PolicySet>;

export const PROPAGATION_STATUSES = ['loaded', 'waiting_for_activation', 'waiting_for_outbox', 'waiting_for_sts', 'failed'] as const;

export const ActivationStatus = z.looseObject({
  zone_id: z.string(),
  policy_set_id: z.string(),
  version_id: nstr,
  active: z.boolean().nullish(),
  active_version_id: nstr,
  manifest_sha256: nstr,
  /** One of PROPAGATION_STATUSES; kept open so a new Caracal state is shown, not rejected. */
  propagation_status: z.string(),
  outbox: z.looseObject({ id: nstr, state: nstr, attempts: nnum, last_error: nstr, dispatched_at: nstr }).nullish(),
  sts: z
    .looseObject({
      state: nstr,
      loaded: z.boolean().nullish(),
      policy_set_version_id: nstr,
      manifest_sha256: nstr,
      loaded_at: nstr,
      age_seconds: nnum,
      detail: nstr,
    })
    .nullish(),
});
export type ActivationStatus = z.infer<typeof ActivationStatus>;

export const SessionRow = z.looseObject({
  session_id: z.string(),
  application_id: nstr,
  parent_session_id: nstr,
  status: z.string(),
  lifecycle: nstr,
  labels: list(z.string()),
  subject_authority_record_id: nstr,
  subject_id: nstr,
  started_at: nstr,
  last_active_at: nstr,
  terminated_at: nstr,
  termination_reason: nstr,
});
export type SessionRow = z.infer<typeof SessionRow>;

export const AuthorityRecord = z.looseObject({
  authority_record_id: z.string(),
  zone_id: nstr,
  authority_record_type: nstr,
  subject_id: nstr,
  status: z.string(),
  expires_at: nstr,
  created_at: nstr,
  revoked_at: nstr,
  revoked_reason: nstr,
});
export type AuthorityRecord = z.infer<typeof AuthorityRecord>;

const counts = z.record(z.string(), z.number());

/** Coordinator `/stats` (verified shape, FACTS §2.4). */
export const CoordinatorStats = z.looseObject({
  invocations: counts.optional(),
  outbox: counts.optional(),
  idempotency: z.looseObject({ rows: nnum, oldestSeconds: nnum, outcomes: counts.optional() }).optional(),
  ttl_sweeper: record.optional(),
  service_lease_sweeper: record.optional(),
  retention_cleaner: record.optional(),
  log: record.optional(),
});
export type CoordinatorStats = z.infer<typeof CoordinatorStats>;

/** `/metrics.json` of STS, Gateway or Audit: an object; the doctor rules read individual keys. */
export const MetricsJson = record;
/** `POST …/simulate` answer: shown as evidence, not interpreted. */
export const SimulateResult = record;
