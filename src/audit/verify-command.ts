/**
 * `caracal-triage audit verify`'s report over an open Redis: one line per problem, then a
 * summary. 0 when the chain is intact, 1 when it is broken, 2 when the log cannot be read.
 * The process around it (settings, Redis) is the app's audit kind (src/app/audit.ts).
 */
import type { Redis } from 'ioredis';
import { verifyAuditChain } from './verify';

export interface AuditReportLines {
  out: (line: string) => void;
  err: (line: string) => void;
}

export async function reportAuditChain(redis: Redis, o: { signingKey: string; prefix: string }, lines: AuditReportLines): Promise<0 | 1 | 2> {
  try {
    const res = await verifyAuditChain(redis, { signingKey: o.signingKey, prefix: o.prefix });
    for (const p of res.problems) lines.out(`seq ${p.seq}${p.id ? ` (${p.id})` : ''}: ${p.reason}`);
    if (res.ok) {
      lines.out(`audit chain ok: ${res.entries} entr${res.entries === 1 ? 'y' : 'ies'}, last seq ${res.lastSeq}`);
      return 0;
    }
    lines.out(`audit chain BROKEN: ${res.problems.length} problem(s) in ${res.entries} entries; first at seq ${res.breakAt}`);
    return 1;
  } catch (e) {
    lines.err(`audit verify could not read the log: ${(e as Error).message}`);
    return 2;
  }
}
