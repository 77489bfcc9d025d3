/**
 * zod schemas for every Caracal response the bot reads. The rule: a field is
 * required only when a judge reads it and its absence would mislead (an item's id, a resource's
 * identifier, a grant's or session's status). Every other field the engine reads goes through
 * a lenient reader (lenient.ts), so nulls, `''`, numbers-as-strings and unexpected shapes read
 * as "absent" instead of turning a real body into `bad_body`; fields the engine does not read
 * are not declared at all and pass through untouched (`z.looseObject`), so evidence still keeps
 * everything Caracal sent.
 */
import { z } from 'zod';
import { anyList, anyListOrNull, bool, id, itemsOf, num, optionalObject, record, strings, text } from './lenient';

/** One diagnostic: fixtures and OPA results use `{code, message}`, real STS rows `{reason}`. */
export const Diagnostic = z.looseObject({ code: text, message: text, reason: text });
export type Diagnostic = z.infer<typeof Diagnostic>;

/** The machine-readable part of a diagnostic, whichever shape it came in. */
export function diagnosticCode(d: Diagnostic): string | undefined {
  return d.code || d.reason || undefined;
}

/**
 * The shared error envelope; most API route errors are just `{error}`. The Control
 * API nests the code (`{ok:false, error:{code, reason}}`), so an object `error` yields its code.
 */
export const ErrorEnvelope = z.looseObject({
  error: z.union([z.string().min(1), z.looseObject({ code: z.string().min(1) }).transform((e) => e.code)]),
  error_description: text,
  message: text,
  requestId: text,
  request_id: text,
  details: z.unknown().optional(),
});
export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>;

/** `/ready` / `/health` bodies of every service; every field optional. */
export const ReadyBody = z.looseObject({ ok: bool, ready: bool, reason: text, error: text, dependency: text, draining: bool });
export type ReadyBody = z.infer<typeof ReadyBody>;

const pageSchema = <T extends z.ZodType>(item: T) => z.looseObject({ items: z.array(item), next_cursor: text });
/** Built once per item schema: zod builds (and on its first parse, compiles) each object schema anew. */
const pages = new WeakMap<z.ZodType, ReturnType<typeof pageSchema>>();

/** A list page `{items, next_cursor}`: the items must be a list; the cursor is opaque text. */
export function Page<T extends z.ZodType>(item: T): ReturnType<typeof pageSchema<T>> {
  let page = pages.get(item);
  if (!page) pages.set(item, (page = pageSchema(item)));
  return page as ReturnType<typeof pageSchema<T>>;
}

export const Zone = z.looseObject({ id, name: text, slug: text });
export type Zone = z.infer<typeof Zone>;

/** `GET …/overview` (verified): counters only, each optional; shown as evidence, never judged. */
const counters = optionalObject(z.record(z.string(), z.unknown()));
export const ZoneOverview = z.looseObject({
  zone_id: text,
  generated_at: text,
  /** Counted by the API with its own clock: `expired` is `expires_at < now()` among unarchived applications. */
  applications: optionalObject(z.looseObject({ total: num, expired: num, expiring_soon: num })),
  resources: counters,
  providers: counters,
  policy_sets: counters,
  sessions: counters,
  decisions_24h: counters,
  recent_events: itemsOf(z.looseObject({ id: text, event_type: text, request_id: text, decision: text, metadata_json: record, occurred_at: text })),
});
export type ZoneOverview = z.infer<typeof ZoneOverview>;

/** An audit row; real STS rows carry `''` and null arrays where the fixtures carry null. */
export const AuditRow = z.looseObject({
  id,
  zone_id: text,
  event_type: z.string(),
  request_id: text,
  decision: text,
  policy_set_id: text,
  policy_set_version_id: text,
  manifest_sha: text,
  evaluation_status: text,
  determining_policies_json: anyListOrNull,
  diagnostics_json: anyListOrNull,
  metadata_json: record,
  occurred_at: text,
  ingested_at: text,
});
export type AuditRow = z.infer<typeof AuditRow>;

/**
 * An admin-audit row (FACTS §2.2): who did what to which entity. Caracal records every
 * successful mutation and every failed (>= 400) request, reads included. `payload_json` holds
 * `{change_kind, changed_fields, secret_rotated?, operator?, rls_mode, rls_zone_guc}`: field
 * names, never values; `chain_seq` is a string. A row without a time or a status is kept and
 * judged by the reader (src/triage/changes/normalize.ts).
 */
export const AdminAuditRow = z.looseObject({
  id,
  request_id: text,
  actor_id: text,
  actor_name: text,
  actor_scope: text,
  action: text,
  method: text,
  path: text,
  entity_type: text,
  entity_id: text,
  status_code: num,
  payload_json: record,
  occurred_at: text,
  chain_seq: text,
  signed: bool,
});
export type AdminAuditRow = z.infer<typeof AdminAuditRow>;

/**
 * explain's denied entry. `policy_input` is the OPA input explain rebuilds (partial on
 * `exchange_denied` rows); it is read field by field where needed and passed to simulate as is.
 */
export const DeniedEntry = z.looseObject({
  event_id: text,
  event_type: text,
  evaluation_status: text,
  determining_policies: anyList,
  diagnostics: anyList,
  metadata: record.transform((v) => v ?? {}),
  policy_input: record,
});
export type DeniedEntry = z.infer<typeof DeniedEntry>;

/** explain's `DecisionTrace`; `final_decision` is rebuilt from the events when missing. */
export const DecisionTrace = z.looseObject({
  request_id: z.string(),
  zone_id: z.string(),
  final_decision: text,
  denied: itemsOf(DeniedEntry),
  events: itemsOf(AuditRow),
});
export type DecisionTrace = z.infer<typeof DecisionTrace>;

export const ResourceOperation = z.looseObject({ method: text, path: text, scope: text });
export type ResourceOperation = z.infer<typeof ResourceOperation>;

/** A resource; `operations: []` is normal (transport_uniform or none declared). */
export const Resource = z.looseObject({
  id,
  identifier: z.string(),
  name: text,
  upstream_url: text,
  scopes: strings,
  credential_provider_id: text,
  operations: itemsOf(ResourceOperation),
  operation_enforcement: text,
  archived_at: text,
});
export type Resource = z.infer<typeof Resource>;

export const Provider = z.looseObject({
  id,
  name: text,
  identifier: text,
  kind: text,
  config_json: record,
  connectivity_failed_at: text,
});
export type Provider = z.infer<typeof Provider>;

/** An application; `traits` and `registration_method` are not read, `expires_at` null means never. */
export const Application = z.looseObject({ id, name: text, expires_at: text });
export type Application = z.infer<typeof Application>;

/** A grant; `user_id`/`provider_id` are null on application grants. `status` decides whether it counts. */
export const Grant = z.looseObject({
  id,
  application_id: text,
  resource_id: text,
  provider_id: text,
  application_name: text,
  resource_name: text,
  scopes: strings,
  status: z.string(),
});
export type Grant = z.infer<typeof Grant>;

export const PolicySet = z.looseObject({
  id,
  name: text,
  /** Non-null on the zone's one active set. */
  active_version_id: text,
});
export type PolicySet = z.infer<typeof PolicySet>;

/** `GET …/policy-sets/{id}/versions` items: `version` increases per set. */
export const PolicyVersion = z.looseObject({ id, version: num, manifest_sha256: text, created_at: text });
export type PolicyVersion = z.infer<typeof PolicyVersion>;

export const PROPAGATION_STATUSES = ['loaded', 'waiting_for_activation', 'waiting_for_outbox', 'waiting_for_sts', 'failed'] as const;

/**
 * activation-status (verified). `sts` may be missing, or carry only `{state, detail}` when the
 * API cannot ask STS (`not_configured`). `propagation_status` is kept open, so a new Caracal
 * state is shown (and judged "cannot tell"), not rejected; a missing one reads as `unknown`.
 */
export const ActivationStatus = z.looseObject({
  policy_set_id: text,
  version_id: text,
  active: bool,
  active_version_id: text,
  manifest_sha256: text,
  propagation_status: text.transform((v) => v || 'unknown'),
  outbox: optionalObject(z.looseObject({ id: text, state: text, attempts: num, last_error: text, dispatched_at: text })),
  sts: optionalObject(
    z.looseObject({ state: text, loaded: bool, policy_set_version_id: text, manifest_sha256: text, loaded_at: text, age_seconds: num, detail: text }),
  ),
});
export type ActivationStatus = z.infer<typeof ActivationStatus>;

export const SessionRow = z.looseObject({
  session_id: id,
  application_id: text,
  status: z.string(),
  terminated_at: text,
  termination_reason: text,
});
export type SessionRow = z.infer<typeof SessionRow>;

export const AuthorityRecord = z.looseObject({
  authority_record_id: id,
  status: z.string(),
  revoked_at: text,
  revoked_reason: text,
});
export type AuthorityRecord = z.infer<typeof AuthorityRecord>;

/** Coordinator `/stats` (verified shape); the Doctor rule reads `outbox.dead`/`pending` leniently. */
export const CoordinatorStats = z.looseObject({ outbox: record, invocations: record, idempotency: record });
export type CoordinatorStats = z.infer<typeof CoordinatorStats>;

/** `/metrics.json` of STS, Gateway or Audit: an object; the doctor rules read individual keys. */
export const MetricsJson = z.record(z.string(), z.unknown());
/** `POST …/simulate` answer: shown as evidence, not interpreted. */
export const SimulateResult = z.record(z.string(), z.unknown());
