/**
 * Triage IDs: `tri-<10 chars of time><16 chars of randomness>` in Crockford base32, lowercase.
 * Sortable by creation time like a ULID, and safe as part of a BullMQ job ID (no `:`, never
 * all digits). Hand-written because it is ten lines and a ULID package would add a dependency
 * for no gain; uniqueness comes from node:crypto.
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

export const TRIAGE_ID_PATTERN = /^tri-[0-9a-hjkmnp-tv-z]{26}$/;

export function newTriageId(now: number = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(16);
  let rand = '';
  for (const b of bytes) rand += ALPHABET[b % 32];
  return `tri-${time}${rand}`;
}
