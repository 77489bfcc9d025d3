/**
 * One entry of the bot's audit log and how its HMAC is computed:
 * hmac = HMAC-SHA256(TRIAGE_SIGNING_KEY, prevHmac + canonicalJson(entry without hmac)).
 * The first entry's prevHmac is GENESIS. The key never leaves the process.
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { TRIAGE_STATES } from '../triage/record';
import { canonicalJson } from './canonical';

export const GENESIS = '0'.repeat(64);

export const AuditEntrySchema = z.strictObject({
  seq: z.number().int().positive(),
  at: z.string(),
  actor: z.strictObject({ kind: z.enum(['user', 'webhook', 'system']), id: z.string(), name: z.string().optional() }),
  action: z.string(),
  source: z.string(),
  triageId: z.string().nullable(),
  requestId: z.string().nullable(),
  from: z.enum(TRIAGE_STATES).nullable(),
  to: z.enum(TRIAGE_STATES).nullable(),
  step: z.string().optional(),
  /** What an act is about, when it is not a triage alone: `approval:<zone>/<id>`, `fix:<proposal id>`. */
  subject: z.string().max(300).optional(),
  /** What came of it, in a line: Caracal's answer (`202`, `409 approval_not_decidable`), the reason given. */
  detail: z.string().max(1000).optional(),
  prevHmac: z.string().regex(/^[0-9a-f]{64}$/),
  hmac: z.string().regex(/^[0-9a-f]{64}$/),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

/** What a caller supplies; seq, prevHmac and hmac are filled in when appended. */
export type AuditInput = Omit<AuditEntry, 'seq' | 'prevHmac' | 'hmac' | 'at'> & { at?: string };

export function entryHmac(signingKey: string, entry: Omit<AuditEntry, 'hmac'>): string {
  return createHmac('sha256', signingKey)
    .update(entry.prevHmac + canonicalJson(entry))
    .digest('hex');
}
