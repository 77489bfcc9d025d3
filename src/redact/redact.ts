/**
 * Redaction of everything the bot stores or posts (bundle, step evidence, chat).
 *
 * Hand-written on purpose: the rules are Caracal's own (the Admin API's redacted-key list, `cat_`/`nsk_`
 * token formats) plus JWT, bearer and Slack token shapes, and they must also reach into JSON
 * that Caracal stores as *strings* (metadata, provider responses), which generic redaction
 * libraries (fast-redact, pino's redact) do not do: those take fixed paths, not "any depth".
 *
 * - `redact(value)` returns a redacted deep copy (the input is never mutated) and how many
 *   values were replaced. Values already reading "[redacted]" are left and not counted.
 * - `redactText(s)` applies the text rules to one string.
 */

export const REDACTED = '[redacted]';
const CIRCULAR = '[circular]';
const TOO_DEEP = '[too deep]';
const MAX_DEPTH = 64;
/** Strings longer than this are not parsed as embedded JSON (text rules still apply). */
const MAX_EMBEDDED_JSON = 1_000_000;

/** Keys whose values Caracal's API redacts; matched case-insensitively, `-`/`_` alike, optional `x-` prefix. */
export const SECRET_KEYS = [
  'password',
  'passwd',
  'secret',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'api_key',
  'apikey',
  'authorization',
  'cookie',
  'set_cookie',
  'client_secret',
  'private_key',
  'session',
  'session_id',
  'assertion',
] as const;
const SECRET_KEY_SET = new Set<string>(SECRET_KEYS);

export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase().replace(/-/g, '_');
  return SECRET_KEY_SET.has(k) || (k.startsWith('x_') && SECRET_KEY_SET.has(k.slice(2)));
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Text rules: each pattern's whole match (or, with `keep`, the part after it) becomes "[redacted]". */
interface TextRule {
  name: string;
  re: RegExp;
  replace: (m: string, ...groups: Array<string | undefined>) => string | null;
}

const plain = (name: string, re: RegExp): TextRule => ({ name, re, replace: () => REDACTED });

const keyAlternation = [...SECRET_KEYS]
  .sort((a, b) => b.length - a.length)
  .map((k) => k.replace(/_/g, '[-_]'))
  .join('|');

const TEXT_RULES: TextRule[] = [
  {
    // `Bearer <value>` / `Basic <value>`: keep the scheme. Skips auth-params (`Bearer realm="…"`)
    // and lowercase words ("Bearer authentication"), which are prose, not credentials.
    name: 'auth_scheme',
    re: /\b(Bearer|Basic)(\s+)(?![A-Za-z_]+=")([A-Za-z0-9._~+/=-]{8,})/gi,
    replace: (_m, scheme, space, value) => (/^[a-z]+$/.test(value!) ? null : `${scheme}${space}${REDACTED}`),
  },
  plain('jwt', /\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g),
  plain('caracal_admin_token', /(?<![A-Za-z0-9_-])cat_[A-Za-z0-9_-]{43,}/g),
  plain('sink_secret', /(?<![A-Za-z0-9_-])nsk_[A-Za-z0-9_-]{16,}/g),
  // Chat bot and app tokens (xoxb-…, xapp-…), wherever they are pasted, configured or not.
  plain('chat_token', /\b(?:xox[abpr]|xapp)-[A-Za-z0-9-]{10,}/g),
  {
    // `password=…`, `"client_secret": "…"`, `X-Api-Key: …` inside free text.
    name: 'key_value',
    re: new RegExp(
      `(?<![A-Za-z0-9_])((?:x[-_])?(?:${keyAlternation}))(["']?)(\\s*[:=]\\s*)(?:"((?:[^"\\\\]|\\\\.)*)"|'([^']*)'|(?!Bearer\\b|Basic\\b|\\[redacted\\])([^\\s"'&,;}\\]]+))`,
      'gi',
    ),
    replace: (_m, key, q, sep, dq, sq, bare) => {
      const value = dq ?? sq ?? bare ?? '';
      if (value === '' || value === REDACTED || /^(null|true|false|undefined)$/i.test(value)) return null;
      if (dq !== undefined) return `${key}${q}${sep}"${REDACTED}"`;
      if (sq !== undefined) return `${key}${q}${sep}'${REDACTED}'`;
      return `${key}${q}${sep}${REDACTED}`;
    },
  },
];

export interface Redactor {
  redact<T>(value: T): { value: T; count: number };
  redactText(s: string): { text: string; count: number };
}

export function createRedactor(knownSecrets: string[] = []): Redactor {
  const known = [...new Set(knownSecrets.map((s) => s.trim()).filter((s) => s.length >= 4 && s !== REDACTED))].sort((a, b) => b.length - a.length);
  const knownRe = known.length ? new RegExp(known.map(escapeRe).join('|'), 'g') : null;

  function redactText(s: string): { text: string; count: number } {
    let count = 0;
    let text = s;
    if (knownRe) {
      text = text.replace(knownRe, () => {
        count++;
        return REDACTED;
      });
    }
    for (const rule of TEXT_RULES) {
      rule.re.lastIndex = 0;
      text = text.replace(rule.re, (m: string, ...args: unknown[]) => {
        const groups = args.slice(0, -2) as Array<string | undefined>;
        const out = rule.replace(m, ...groups);
        if (out === null) return m;
        count++;
        return out;
      });
    }
    return { text, count };
  }

  function redactString(s: string, depth: number): { value: string; count: number } {
    const trimmed = s.trimStart();
    if ((trimmed.startsWith('{') || trimmed.startsWith('[')) && s.length <= MAX_EMBEDDED_JSON) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(s);
      } catch {
        parsed = undefined;
      }
      if (parsed !== undefined && typeof parsed === 'object' && parsed !== null) {
        const inner = walk(parsed, depth + 1, new Set());
        return inner.count > 0 ? { value: JSON.stringify(inner.value), count: inner.count } : { value: s, count: 0 };
      }
    }
    const r = redactText(s);
    return { value: r.text, count: r.count };
  }

  /** Deep copy with redaction. `ancestors` holds the objects on the current path (cycle detection). */
  function walk(value: unknown, depth: number, ancestors: Set<object>): { value: unknown; count: number } {
    if (typeof value === 'string') return redactString(value, depth);
    if (value === null || typeof value !== 'object') return { value, count: 0 };
    if (depth > MAX_DEPTH) return { value: TOO_DEEP, count: 0 };
    if (ancestors.has(value)) return { value: CIRCULAR, count: 0 };
    if (value instanceof Date) return { value: new Date(value.getTime()), count: 0 };
    ancestors.add(value);
    try {
      let count = 0;
      if (Array.isArray(value)) {
        const out = value.map((v) => {
          const r = walk(v, depth + 1, ancestors);
          count += r.count;
          return r.value;
        });
        return { value: out, count };
      }
      // Errors carry their text in non-enumerable fields; keep name and (redacted) message.
      const source: Record<string, unknown> =
        value instanceof Error ? { name: value.name, message: value.message, ...(value as unknown as Record<string, unknown>) } : (value as Record<string, unknown>);
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(source)) {
        if (isSecretKey(k) && v !== null && v !== undefined && v !== '' && typeof v !== 'boolean') {
          if (v === REDACTED) out[k] = v;
          else {
            out[k] = REDACTED;
            count++;
          }
          continue;
        }
        const r = walk(v, depth + 1, ancestors);
        count += r.count;
        out[k] = r.value;
      }
      return { value: out, count };
    } finally {
      ancestors.delete(value);
    }
  }

  return {
    redact<T>(value: T): { value: T; count: number } {
      const r = walk(value, 0, new Set());
      return { value: r.value as T, count: r.count };
    },
    redactText,
  };
}
