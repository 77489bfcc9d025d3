/**
 * One key for one Caracal read: the method's name and every argument, object arguments (queries)
 * with their members sorted, so `{a, b}` and `{b, a}` are the same read. Both the session's
 * call cache and the worker's shared read cache key by this, so the key can never drift from
 * the call it stands for.
 */
export function callKey(method: string, args: readonly unknown[]): string {
  return `${method}\u0000${JSON.stringify(args, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, (v as Record<string, unknown>)[k]]))
      : v,
  )}`;
}
