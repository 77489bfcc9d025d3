/**
 * zod schemas of the Admin API answers the bot's acts read (FACTS §2.6, §2.9, platform-notes
 * §11.7): one approval hold, the answer to approve/reject, and the answer to activating a
 * policy-set version. Same rule as schemas.ts: only what the bot reads is required; the rest
 * passes through.
 */
import { z } from 'zod';
import { isRecord, text } from './lenient';

/** `metadata_json` is an object on some rows and JSON text on others: both read as an object (or null). */
const metadata = z
  .unknown()
  .optional()
  .transform((v): Record<string, unknown> | null => {
    if (isRecord(v)) return v;
    if (typeof v !== 'string') return null;
    try {
      const parsed: unknown = JSON.parse(v);
      return isRecord(parsed) ? parsed : null;
    } catch {
      return null;
    }
  });

/** The derived states Caracal lists approvals by (decided rows are swept after about a day). */
export const APPROVAL_STATES = ['pending', 'approved', 'rejected', 'expired', 'consumed'] as const;
export type ApprovalState = (typeof APPROVAL_STATES)[number];

/**
 * `GET /v1/zones/{z}/approvals/{id}`: the hold. `state` is derived by Caracal; when it is
 * absent the timestamps say it (consumed, rejected, satisfied, else pending until expiry).
 */
export const Approval = z.looseObject({
  id: z.string().min(1),
  state: text,
  session_id: text,
  principal_id: text,
  application_id: text,
  approval_type: text,
  tier: text,
  approver_class: text,
  privacy_mode: text,
  metadata_json: metadata,
  decision_reason: text,
  created_at: text,
  expires_at: text,
  satisfied_at: text,
  rejected_at: text,
  consumed_at: text,
  approver_subject_id: text,
});
export type Approval = z.infer<typeof Approval>;

/** The hold's state, from Caracal's `state` or, without it, from its timestamps and `now`. */
export function approvalState(a: Approval, now: Date): ApprovalState {
  const s = a.state as ApprovalState | undefined;
  if (s && (APPROVAL_STATES as readonly string[]).includes(s)) return s === 'pending' && expired(a.expires_at, now) ? 'expired' : s;
  if (a.consumed_at) return 'consumed';
  if (a.rejected_at) return 'rejected';
  if (a.satisfied_at) return 'approved';
  return expired(a.expires_at, now) ? 'expired' : 'pending';
}

function expired(at: string | null | undefined, now: Date): boolean {
  const t = at ? Date.parse(at) : NaN;
  return Number.isFinite(t) && t <= now.getTime();
}

/** `POST …/approvals/{id}/approve|reject` → `{id, state, satisfied_at, rejected_at, approver_subject_id}`. */
export const DecideResult = z.looseObject({ id: text, state: text, satisfied_at: text, rejected_at: text, approver_subject_id: text });
export type DecideResult = z.infer<typeof DecideResult>;

/** `POST …/policy-sets/{id}/activate` → 202 `{activated, version_id, outbox_id, status_url}`. */
export const ActivateResult = z.looseObject({ activated: z.unknown().optional(), version_id: text, outbox_id: text, status_url: text });
export type ActivateResult = z.infer<typeof ActivateResult>;
