/**
 * Field parsers for environment variables, as zod schemas. Each turns the raw string (or its
 * absence) into a typed value with a message that says what is wrong and shows a right value,
 * because zod's own messages ("Invalid input: expected number, received NaN") tell an operator
 * nothing about which setting to fix or how. Empty strings count as unset, as in `.env` files.
 */
import { z } from 'zod';

export type Env = Record<string, string | undefined>;

const blank = (raw: string | undefined): string | undefined => (typeof raw === 'string' && raw.trim() !== '' ? raw.trim() : undefined);

const REQUIRED = 'is required but not set';

type Ctx = z.RefinementCtx;
const fail = (ctx: Ctx, message: string): never => {
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER;
};

/** A string: required unless a default (or `optional`) is given. */
export function text(o: { optional?: boolean; default?: string; minLength?: number; pattern?: RegExp; hint?: string } = {}) {
  return z.string().optional().transform((raw, ctx): string | undefined => {
    const v = blank(raw);
    if (v === undefined) return o.default ?? (o.optional ? undefined : fail(ctx, REQUIRED));
    if (o.minLength !== undefined && v.length < o.minLength) return fail(ctx, o.hint ?? `must be at least ${o.minLength} characters`);
    if (o.pattern && !o.pattern.test(v)) return fail(ctx, o.hint ?? `must match ${o.pattern.source}`);
    return v;
  });
}

/** An absolute URL with one of `protocols`; trailing slashes removed unless `keepSlash`. */
export function url(o: { protocols: string[]; example: string; optional?: boolean; keepSlash?: boolean }) {
  return z.string().optional().transform((raw, ctx): string | undefined => {
    const v = blank(raw);
    const hint = `must be a URL starting with ${o.protocols.map((p) => `${p}://`).join(' or ')}, e.g. ${o.example}`;
    if (v === undefined) return o.optional ? undefined : fail(ctx, `${REQUIRED} (e.g. ${o.example})`);
    let u: URL;
    try {
      u = new URL(v);
    } catch {
      return fail(ctx, hint);
    }
    if (!o.protocols.includes(u.protocol.replace(/:$/, '')) || !u.hostname) return fail(ctx, hint);
    return o.keepSlash ? v : v.replace(/\/+$/, '');
  });
}

/** A whole number in [min, max]; `what` names it ("a whole number of milliseconds", "a TCP port"). */
export function int(o: { min: number; max: number; default?: number; what?: string; note?: string; example: number; optional?: boolean }) {
  return z.string().optional().transform((raw, ctx): number | undefined => {
    const v = blank(raw);
    const what = o.what ?? 'a whole number';
    const note = o.note ? `; ${o.note}` : '';
    if (v === undefined) return o.default ?? (o.optional ? undefined : fail(ctx, REQUIRED));
    if (!/^\d+$/.test(v)) return fail(ctx, `must be ${what} from ${o.min} to ${o.max}, e.g. ${o.example}${note} (got ${JSON.stringify(short(v))})`);
    const n = Number(v);
    if (n < o.min || n > o.max) return fail(ctx, `must be ${what} from ${o.min} to ${o.max}, e.g. ${o.example}${note} (got ${n})`);
    return n;
  });
}

/** One of `values` (case-insensitive). */
export function oneOf<const V extends string>(values: readonly V[], o: { default?: V; optional?: boolean } = {}) {
  return z.string().optional().transform((raw, ctx): V | undefined => {
    const v = blank(raw)?.toLowerCase();
    if (v === undefined) return o.default ?? (o.optional ? undefined : fail(ctx, `${REQUIRED} (one of ${values.join(', ')})`));
    const hit = values.find((x) => x.toLowerCase() === v);
    return hit ?? fail(ctx, `must be one of ${values.join(', ')} (got ${JSON.stringify(short(v))})`);
  });
}

/** true/false (also 1/0, yes/no, on/off). */
export function bool(o: { default: boolean }) {
  return z.string().optional().transform((raw, ctx): boolean => {
    const v = blank(raw)?.toLowerCase();
    if (v === undefined) return o.default;
    if (['true', '1', 'yes', 'on'].includes(v)) return true;
    if (['false', '0', 'no', 'off'].includes(v)) return false;
    return fail(ctx, `must be true or false (got ${JSON.stringify(short(v))})`);
  });
}

/** A comma-separated list whose items each match `item`. */
export function list(o: { item: RegExp; what: string; example: string }) {
  return z.string().optional().transform((raw, ctx): string[] => {
    const v = blank(raw);
    if (v === undefined) return [];
    const items = v.split(',').map((s) => s.trim()).filter(Boolean);
    const bad = items.find((s) => !o.item.test(s));
    if (bad !== undefined) return fail(ctx, `must be a comma-separated list of ${o.what}, e.g. ${o.example} (${JSON.stringify(short(bad))} is not one)`);
    return items;
  });
}

/** A regular expression source. */
export function regex(o: { default: string; example: string }) {
  return z.string().optional().transform((raw, ctx): RegExp => {
    const v = blank(raw) ?? o.default;
    try {
      return new RegExp(v);
    } catch {
      return fail(ctx, `must be a valid regular expression, e.g. ${o.example}`);
    }
  });
}

/** Echo at most 40 characters of a bad value in a message (values may be long or pasted secrets). */
export function short(v: string): string {
  return v.length > 40 ? `${v.slice(0, 39)}…` : v;
}

/**
 * Parse `env` with an object of field schemas: every variable checked, one problem per bad
 * variable (its first issue), in the order the fields are declared.
 */
export function parseEnvGroup<S extends z.ZodRawShape>(shape: S, env: Env): { ok: true; value: z.infer<z.ZodObject<S>> } | { ok: false; problems: Array<{ variable: string; message: string }> } {
  const parsed = z.object(shape).safeParse(env);
  if (parsed.success) return { ok: true, value: parsed.data };
  const seen = new Map<string, string>();
  for (const issue of parsed.error.issues) {
    const variable = String(issue.path[0] ?? 'environment');
    if (!seen.has(variable)) seen.set(variable, issue.message);
  }
  const order = Object.keys(shape);
  return {
    ok: false,
    problems: [...seen].sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0])).map(([variable, message]) => ({ variable, message })),
  };
}
