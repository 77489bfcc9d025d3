/**
 * One triage's entries in the bot's audit log, for a postmortem export: the stream has no
 * index by triage, so it is read from the start in pages and filtered (the same read
 * `audit verify` makes). Entries that do not parse are skipped here; `verifyAuditChain`
 * reports them.
 */
import type { Redis } from 'ioredis';
import type { AuditTrailEntry } from '../report/found';
import { DEFAULT_PREFIX, keys } from '../store/keys';
import { AuditEntrySchema } from './entry';

export interface TrailOptions {
  prefix?: string;
  /** Entries read per XRANGE call. */
  batch?: number;
  /** Stop after reading this many entries in all (a bound on a log without retention). */
  maxEntries?: number;
}

export async function readAuditTrail(redis: Redis, triageId: string, opts: TrailOptions = {}): Promise<AuditTrailEntry[]> {
  const stream = keys(opts.prefix ?? DEFAULT_PREFIX).audit();
  const batch = opts.batch ?? 1000;
  const maxEntries = opts.maxEntries ?? 1_000_000;
  const out: AuditTrailEntry[] = [];
  let start = '-';
  for (let read = 0; read < maxEntries; ) {
    const rows = await redis.xrange(stream, start, '+', 'COUNT', batch);
    for (const [, fields] of rows) {
      const raw = fields[fields.indexOf('e') + 1];
      if (raw === undefined || !raw.includes(triageId)) continue;
      let parsed;
      try {
        parsed = AuditEntrySchema.safeParse(JSON.parse(raw));
      } catch {
        continue;
      }
      if (!parsed.success || parsed.data.triageId !== triageId) continue;
      const e = parsed.data;
      out.push({ at: e.at, actor: e.actor, action: e.action, source: e.source, from: e.from, to: e.to, ...(e.step ? { step: e.step } : {}) });
    }
    read += rows.length;
    if (rows.length < batch) break;
    start = `(${rows[rows.length - 1]![0]}`;
  }
  return out;
}
