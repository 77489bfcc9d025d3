/**
 * Field readers for Caracal response schemas that never fail a body over a field the bot can
 * live without. Caracal varies by writer and version: the Go STS writes `''` where
 * the docs say null, explain turns null arrays into `[]` while audit rows keep them null,
 * admin-audit sends `chain_seq` as a string, and newer APIs add fields. Each reader keeps what
 * it can use and reads anything else as absent (`null`), so only the fields a judge relies on
 * can make a body `bad_body`. Hand-written because zod's own coercions either throw or turn
 * `null` into `'null'`.
 */
import { z } from 'zod';

/** A JSON object (not null, not an array). */
export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/*
 * The scalar readers end in `.optional()` so their keys stay optional in the inferred types;
 * a missing key then reads as undefined without running the transform.
 */

/** Optional text: strings as sent, numbers and booleans as their text, anything else (objects, arrays) as null. */
export const text = z
  .unknown()
  .optional()
  .transform((v): string | null | undefined => {
    if (v === undefined) return undefined;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return null;
  })
  .optional();

/** Optional number: numbers, and numeric strings (`"42"`, as for `chain_seq`); anything else null. */
export const num = z
  .unknown()
  .optional()
  .transform((v): number | null | undefined => {
    if (v === undefined) return undefined;
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v.trim())) return Number(v);
    return null;
  })
  .optional();

/** Optional boolean: booleans and `"true"`/`"false"`; anything else null. */
export const bool = z
  .unknown()
  .optional()
  .transform((v): boolean | null | undefined => {
    if (v === undefined) return undefined;
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === 'false') return v === 'true';
    return null;
  })
  .optional();

/** A required identifier: a non-empty string (numbers are taken as their text). */
export const id = z.union([z.string().min(1), z.number().transform(String)]);

/**
 * A list of strings (scopes, labels): a JSON array keeps its string items; a single string is
 * split on spaces and commas (OAuth's scope form); null or anything else reads as `[]`.
 */
export const strings = z
  .unknown()
  .optional()
  .transform((v): string[] => {
    if (Array.isArray(v)) return v.filter((s): s is string => typeof s === 'string' && s !== '');
    if (typeof v === 'string') return v.split(/[\s,]+/).filter(Boolean);
    return [];
  });

/** A JSON array of anything (diagnostics, determining policies): null or a non-array reads as `[]`. */
export const anyList = z
  .unknown()
  .optional()
  .transform((v): unknown[] => (Array.isArray(v) ? v : []));

/** Like `anyList`, but keeps the difference between "absent or null" (null) and an empty list. */
export const anyListOrNull = z
  .unknown()
  .optional()
  .transform((v): unknown[] | null => (Array.isArray(v) ? v : null));

/** A JSON object, or null for anything else (metadata, config, policy input). */
export const record = z
  .unknown()
  .optional()
  .transform((v): Record<string, unknown> | null => (isRecord(v) ? v : null))
  .optional();

/** A list whose items are parsed by `item`; items that do not fit are dropped, a non-array reads as `[]`. */
export function itemsOf<T extends z.ZodType>(item: T) {
  return z
    .unknown()
    .optional()
    .transform((v): Array<z.infer<T>> => {
      if (!Array.isArray(v)) return [];
      const out: Array<z.infer<T>> = [];
      for (const x of v) {
        const r = item.safeParse(x);
        if (r.success) out.push(r.data as z.infer<T>);
      }
      return out;
    });
}

/** An optional sub-object parsed by `schema`; absent, null or unreadable reads as null. */
export function optionalObject<T extends z.ZodType>(schema: T) {
  return z
    .unknown()
    .optional()
    .transform((v): z.infer<T> | null => {
      if (!isRecord(v)) return null;
      const r = schema.safeParse(v);
      return r.success ? (r.data as z.infer<T>) : null;
    });
}
