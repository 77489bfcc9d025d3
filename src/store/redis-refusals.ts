/**
 * Why Redis refused a write, as a plain sentence for /readyz and chat's `status`. Redis answers
 * a write it will not take with an error whose first word says why (platform-notes §11.5):
 *
 *   OOM         maxmemory reached with the `noeviction` policy
 *   READONLY    the server is a replica (REDIS_URL names a replica, or a failover demoted it)
 *   MISCONF     it cannot save to disk and `stop-writes-on-bgsave-error` is on (reads still work)
 *   NOREPLICAS  fewer replicas in sync than `min-replicas-to-write` asks for
 *
 * Anything else is named by its error code alone, never by ioredis' own wording.
 */
const REASONS: Record<string, string> = {
  OOM: 'it is out of memory (maxmemory reached; OOM)',
  READONLY: 'it is a read-only replica (READONLY): REDIS_URL must name the master, or a Sentinel group',
  MISCONF: 'it cannot save to disk (MISCONF)',
  NOREPLICAS: 'too few replicas are in sync for min-replicas-to-write (NOREPLICAS)',
};

/** The Redis error code of a server reply (`OOM`, `READONLY`, `ERR`…), or null for anything else. */
export function redisErrorCode(e: unknown): string | null {
  const message = e instanceof Error ? e.message : '';
  const m = /^([A-Z][A-Z_]{1,30})\b/.exec(message);
  return e instanceof Error && e.name === 'ReplyError' && m ? m[1] : null;
}

/** A refused write as one sentence (`where` is the safe REDIS_URL); null when `e` is not a server refusal. */
export function describeWriteRefusal(e: unknown, where: string): string | null {
  const code = redisErrorCode(e);
  if (!code) return null;
  return `Redis at ${where} refuses writes: ${REASONS[code] ?? `it answered ${code}`}`;
}

/** A reply that refuses a write for one of the reasons above (OOM, READONLY, MISCONF, NOREPLICAS). */
export function isWriteRefusal(e: unknown): boolean {
  const code = redisErrorCode(e);
  return code !== null && code in REASONS;
}

/** A reply that means "try the write again shortly" (a failover or a replica catching up). */
export function isTransientRefusal(e: unknown): boolean {
  const code = redisErrorCode(e);
  return code === 'READONLY' || code === 'NOREPLICAS' || code === 'LOADING' || code === 'MASTERDOWN' || code === 'TRYAGAIN';
}
