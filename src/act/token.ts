/**
 * Signed data of the act buttons: Approve / Reject on an approval card, *Propose fix* on a
 * triage card, *Apply* on a proposal. Like the triage buttons (src/commands/button-token.ts),
 * HMAC-SHA256 under TRIAGE_SIGNING_KEY over a small JSON claim, so an altered subject or a later
 * expiry breaks the signature; a separate domain and prefix keep the two kinds of token from
 * standing in for each other.
 *
 * Why hand-written: the same 20 lines of HMAC as button-token.ts, for the same reasons (Slack's
 * 2000-character button value, Teams' card data, no JWT dependency).
 *
 * Format: `a1.<base64url(JSON claim)>.<base64url(HMAC)>`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const ACT_KINDS = ['approve', 'reject', 'propose', 'apply'] as const;
export type ActKind = (typeof ACT_KINDS)[number];

export interface ActClaim {
  kind: ActKind;
  /** approve/reject: the approval key (approvals.ts); propose: the triage ID; apply: the proposal ID. */
  subject: string;
  /** Unix seconds after which the click is refused. */
  expiresAt: number;
}

const Wire = z.strictObject({ k: z.enum(ACT_KINDS), s: z.string().min(1).max(200), x: z.number().int().positive() });
const DOMAIN = 'caracal-triage/act/v1\n';

const mac = (key: string, payload: string): Buffer => createHmac('sha256', key).update(DOMAIN).update(payload).digest();

export function signAct(claim: ActClaim, key: string): string {
  const payload = Buffer.from(JSON.stringify({ k: claim.kind, s: claim.subject, x: claim.expiresAt })).toString('base64url');
  return `a1.${payload}.${mac(key, payload).toString('base64url')}`;
}

/** Whether a button value is an act token at all (the platforms route by it). */
export const isActValue = (value: unknown): value is string => typeof value === 'string' && value.startsWith('a1.');

export type ActTokenCheck = { ok: true; claim: ActClaim } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired'; message: string };

const MESSAGES = {
  malformed: 'That button is not one of ours (unreadable data); nothing was done.',
  bad_signature: 'That button failed its signature check (altered or from another installation); nothing was done.',
  expired: 'That button has expired; nothing was done.',
} as const;

export function verifyAct(value: unknown, key: string, now: Date = new Date()): ActTokenCheck {
  const refuse = (reason: keyof typeof MESSAGES): ActTokenCheck => ({ ok: false, reason, message: MESSAGES[reason] });
  if (typeof value !== 'string' || value.length > 2000) return refuse('malformed');
  const parts = value.split('.');
  if (parts.length !== 3 || parts[0] !== 'a1' || !parts[1] || !parts[2]) return refuse('malformed');
  const given = Buffer.from(parts[2], 'base64url');
  const expected = mac(key, parts[1]);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return refuse('bad_signature');
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return refuse('malformed');
  }
  const w = Wire.safeParse(decoded);
  if (!w.success) return refuse('malformed');
  if (w.data.x * 1000 < now.getTime()) return refuse('expired');
  return { ok: true, claim: { kind: w.data.k, subject: w.data.s, expiresAt: w.data.x } };
}
