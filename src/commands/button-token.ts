/**
 * Signed button payloads. A card button carries which triage, which action, which step, the
 * triage version the card showed and an expiry, signed with HMAC-SHA256 under
 * TRIAGE_SIGNING_KEY. Chat platforms hand the value back verbatim, so anything a user could
 * alter (another triage, an older version, a later expiry) breaks the signature.
 *
 * Why hand-written: the format has to fit Slack's 2000-character button value and Teams'
 * card data alike, and JWT libraries would add a dependency for 20 lines of HMAC.
 *
 * Format: `v1.<base64url(JSON claim)>.<base64url(HMAC-SHA256)>` (about 180 characters).
 * The version check itself is the machine's (`expectedVersion`): a stale or replayed click
 * (the version has moved on) is refused there, atomically with the store's compare-and-set.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { StepId, Symptom } from '../triage/model';
import { BUTTON_ACTIONS, type ButtonAction } from '../chat/render/card-actions';


/** Buttons stay usable this long after the card was last drawn (every update re-signs them). */
export const DEFAULT_BUTTON_TTL_SECONDS = 24 * 3600;

export interface ButtonClaim {
  triageId: string;
  action: ButtonAction;
  step?: StepId;
  symptom?: Symptom;
  /** The triage version the card showed: becomes the event's `expectedVersion`. */
  version: number;
  /** Unix seconds after which the click is refused. */
  expiresAt: number;
}

const WireClaim = z.strictObject({
  i: z.string().min(1).max(128),
  a: z.enum(BUTTON_ACTIONS),
  s: StepId.optional(),
  y: Symptom.optional(),
  v: z.number().int().positive(),
  x: z.number().int().positive(),
});

const DOMAIN = 'caracal-triage/button/v1\n';

function mac(key: string, payload: string): Buffer {
  return createHmac('sha256', key).update(DOMAIN).update(payload).digest();
}

export function signButton(claim: ButtonClaim, key: string): string {
  const wire: z.infer<typeof WireClaim> = { i: claim.triageId, a: claim.action, v: claim.version, x: claim.expiresAt };
  if (claim.step) wire.s = claim.step;
  if (claim.symptom) wire.y = claim.symptom;
  const payload = Buffer.from(JSON.stringify(wire)).toString('base64url');
  return `v1.${payload}.${mac(key, payload).toString('base64url')}`;
}

export type ButtonRejection = 'malformed' | 'bad_signature' | 'expired';

export type VerifyButtonResult = { ok: true; claim: ButtonClaim } | { ok: false; reason: ButtonRejection; message: string };

export const BUTTON_REJECTION_MESSAGES: Record<ButtonRejection, string> = {
  malformed: 'That button is not one of ours (unreadable data); nothing was changed.',
  bad_signature: 'That button failed its signature check (altered or from another installation); nothing was changed.',
  expired: 'That button has expired; nothing was changed. Use the latest card, or start again with `triage <request-id>`.',
};

function reject(reason: ButtonRejection): VerifyButtonResult {
  return { ok: false, reason, message: BUTTON_REJECTION_MESSAGES[reason] };
}

export function verifyButton(value: unknown, key: string, now: Date = new Date()): VerifyButtonResult {
  if (typeof value !== 'string' || value.length > 2000) return reject('malformed');
  const parts = value.split('.');
  if (parts.length !== 3 || parts[0] !== 'v1' || !parts[1] || !parts[2]) return reject('malformed');
  const [, payload, sig] = parts;
  const given = Buffer.from(sig, 'base64url');
  const expected = mac(key, payload);
  // Constant-time compare; a length mismatch is simply a wrong signature.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return reject('bad_signature');
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return reject('malformed');
  }
  const parsed = WireClaim.safeParse(decoded);
  if (!parsed.success) return reject('malformed');
  const w = parsed.data;
  if (w.x * 1000 < now.getTime()) return reject('expired');
  const claim: ButtonClaim = { triageId: w.i, action: w.a, version: w.v, expiresAt: w.x };
  if (w.s) claim.step = w.s;
  if (w.y) claim.symptom = w.y;
  return { ok: true, claim };
}
