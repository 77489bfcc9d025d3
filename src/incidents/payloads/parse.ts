/**
 * Turning a webhook's raw body into a validated value: strict UTF-8, JSON, then the source's
 * zod schema. Every failure is one 400 with a sentence naming the first few bad fields
 * (`alerts[0].startsAt: …`), never a throw, so the route answers once and starts nothing.
 */
import type { z } from 'zod';

export type Parsed<T> = { ok: true; value: T } | { ok: false; status: 400; message: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeJson(raw: Uint8Array): { ok: true; value: unknown } | { ok: false; message: string } {
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    return { ok: false, message: 'the body is not UTF-8' };
  }
  if (text.trim() === '') return { ok: false, message: 'the body is empty' };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, message: `the body is not JSON (${e instanceof SyntaxError ? e.message : 'unreadable'})` };
  }
}

function pathText(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out || '(body)';
}

/** Zod's message, except that a missing field reads "is required" (zod says "received undefined"). */
export function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && / received undefined$/.test(issue.message)) return 'is required';
  return issue.message;
}

/** `path: message` for the first `max` issues, `; `-separated, plus how many more there were. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], max = 3, prefix: ReadonlyArray<PropertyKey> = []): string {
  const shown = issues.slice(0, max).map((i) => `${pathText([...prefix, ...i.path])}: ${issueMessage(i)}`);
  const more = issues.length > max ? ` (and ${issues.length - max} more)` : '';
  return shown.join('; ') + more;
}

export function bad<T>(what: string, detail: string): Parsed<T> {
  return { ok: false, status: 400, message: `not ${what}: ${detail}` };
}

/** Raw bytes (or an already-decoded JSON value) through `schema`; `what` names the expected shape. */
export function parseBody<S extends z.ZodType>(schema: S, body: Uint8Array | unknown, what: string): Parsed<z.output<S>> {
  let value: unknown = body;
  if (body instanceof Uint8Array) {
    const json = decodeJson(body);
    if (!json.ok) return bad(what, json.message);
    value = json.value;
  }
  const r = schema.safeParse(value);
  if (!r.success) return bad(what, describeIssues(r.error.issues));
  return { ok: true, value: r.data };
}
