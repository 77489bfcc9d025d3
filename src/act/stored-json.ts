/**
 * A field the act stores (approvals.ts, fix/proposals.ts) as JSON in a Redis hash, read back
 * through its schema: null when absent, not JSON, or not of that shape (a field written by an
 * older version reads as absent rather than failing the job).
 */
import type { z } from 'zod';

export function readStored<T>(schema: z.ZodType<T>, raw: string | null | undefined): T | null {
  if (!raw) return null;
  try {
    const r = schema.safeParse(JSON.parse(raw));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}
