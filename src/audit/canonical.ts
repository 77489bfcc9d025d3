/**
 * Canonical JSON for hashing: object keys sorted, no whitespace, `undefined` members dropped.
 * Hand-written because the chain's HMAC must not depend on insertion order of keys, and the
 * rule is short enough to keep in view (RFC 8785 subset: we only store strings, integers,
 * booleans, null, arrays and plain objects).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const members = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`);
  return `{${members.join(',')}}`;
}
