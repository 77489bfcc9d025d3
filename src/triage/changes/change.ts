/**
 * What changed before a denial, as data: the admin-audit rows of the triage's zone in a window
 * before it (`ChangeRow`, one successful management write each), the request they are judged
 * against (`ChangeSubject`: its resource, application, provider, grants, policy sets), and the
 * public shape a report carries (`Change`, the `--json` contract). The `recent_changes` bundle
 * item holds window, subject and rows; ranking and linking (rank.ts, link.ts) read them back
 * through `ChangeEvidence`, since a stored bundle comes back from Redis as plain JSON.
 *
 * Caracal's rows name fields, never values: nothing here can say what a field was or became.
 */
import { z } from 'zod';

/** How close a change is to this denial, most relevant first (the `--json` `relevance`). */
export const RELEVANCES = ['cause', 'same_resource', 'same_application', 'same_policy_set', 'zone'] as const;
export type Relevance = (typeof RELEVANCES)[number];

/** A change as a report shows it (`changes[]` and `diagnosis.change` in `--json`). */
export interface Change {
  /** When Caracal recorded it (`occurred_at`). */
  at: string;
  /** The Console account (`payload_json.operator`) for Console changes, else the admin token's name, else its id. */
  actor: string;
  /** `<METHOD> <path>` as Caracal records it. */
  action: string;
  /** The collection (`resources`, `policy-sets`, `grants`, …); null when Caracal recorded none. */
  entityType: string | null;
  entityId: string | null;
  /** The admin-audit `request_id` of the change. */
  requestId: string | null;
  relevance: Relevance;
  /** One sentence: who did what to which entity, which fields, how long before the denial. */
  summary: string;
}

export const CHANGE_KINDS = ['create', 'update', 'delete', 'action', 'secret_rotation'] as const;

const text = z.string().nullable();

/** One successful management write from the admin audit, normalized (normalize.ts). */
export const ChangeRow = z.object({
  at: z.string(),
  actor: z.string(),
  /** `console`: made in the Console (actor_name console-write), `actor` is the account. */
  via: z.enum(['console', 'token']),
  action: z.string(),
  method: text,
  entityType: text,
  entityId: text,
  requestId: text,
  /** `change_kind` (null on rows written before Caracal classified changes). */
  changeKind: text,
  /** `changed_fields`: dotted field names the write touched. */
  changedFields: z.array(z.string()),
  secretRotated: z.boolean(),
  /** The sub-resource verb of an action route (`activate`, `versions`, `test`, `rotate-secret`), else null. */
  verb: text,
});
export type ChangeRow = z.infer<typeof ChangeRow>;

/** The request the changes are judged against, as the triage read it. */
export const ChangeSubject = z.object({
  resource: z
    .object({ id: z.string(), identifier: z.string(), scopes: z.array(z.string()), archived: z.boolean(), providerId: text })
    .nullable(),
  applicationId: text,
  /** Grants binding the application to the resource, any status. */
  grantIds: z.array(z.string()),
  policySets: z.array(z.object({ id: z.string(), name: text, activeVersionId: text })),
  /** The policy-set version STS decided the request with (policy decisions only). */
  evaluatedVersionId: text,
  /** What the caller asked for, when the trace records it. */
  requestedScopes: z.array(z.string()).nullable(),
});
export type ChangeSubject = z.infer<typeof ChangeSubject>;

/** Where the window ends: the denial, the request's last event (no denial in it), or the time of the triage. */
export const ANCHORS = ['denial', 'request', 'now'] as const;
export type Anchor = (typeof ANCHORS)[number];

export const ChangeWindow = z.object({
  zoneId: z.string(),
  since: z.string(),
  until: z.string(),
  anchor: z.enum(ANCHORS),
  windowMs: z.number(),
});
export type ChangeWindow = z.infer<typeof ChangeWindow>;

/** The `recent_changes` item's evidence (what conclusions read back from a stored bundle). */
export const ChangeEvidence = z.looseObject({
  window: ChangeWindow,
  subject: ChangeSubject,
  /** Newest first. */
  changes: z.array(ChangeRow),
});
export type ChangeEvidence = z.infer<typeof ChangeEvidence>;

/** An entity as admin-audit names it: collection and id. */
export interface EntityRef {
  type: string;
  id: string;
}

export const sameEntity = (row: Pick<ChangeRow, 'entityType' | 'entityId'>, ref: EntityRef): boolean => row.entityType === ref.type && row.entityId === ref.id;
