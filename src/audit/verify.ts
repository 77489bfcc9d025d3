/**
 * Verifies the audit chain: every entry's HMAC matches its content, seqs run 1, 2, 3… without
 * gaps, each entry's prevHmac is its predecessor's hmac, the first entry starts from GENESIS
 * and the last one is the head recorded at append time. Reports every problem, in order.
 */
import type { Redis } from 'ioredis';
import { DEFAULT_PREFIX, keys } from '../store/keys';
import { AuditEntrySchema, GENESIS, entryHmac } from './entry';

export interface AuditProblem {
  /** Seq of the entry where the problem shows (or the expected seq of a missing one). */
  seq: number;
  /** Stream ID of the entry, when there is one. */
  id?: string;
  reason: string;
}

export interface AuditVerifyResult {
  ok: boolean;
  /** Entries read. */
  entries: number;
  /** Seq of the first problem. */
  breakAt?: number;
  /** The first problem, in words. */
  reason?: string;
  problems: AuditProblem[];
  lastSeq: number;
}

export interface AuditVerifyOptions {
  signingKey: string;
  prefix?: string;
  /** Entries read per XRANGE call. */
  batch?: number;
}

export async function verifyAuditChain(redis: Redis, opts: AuditVerifyOptions): Promise<AuditVerifyResult> {
  const k = keys(opts.prefix ?? DEFAULT_PREFIX);
  const batch = opts.batch ?? 1000;
  const problems: AuditProblem[] = [];
  let entries = 0;
  let prevSeq = 0;
  let prevHmac = GENESIS;
  let start = '-';
  for (;;) {
    const rows = await redis.xrange(k.audit(), start, '+', 'COUNT', batch);
    for (const [id, fields] of rows) {
      entries++;
      const e = fieldValue(fields, 'e');
      let parsed: ReturnType<typeof AuditEntrySchema.safeParse>;
      try {
        parsed = AuditEntrySchema.safeParse(JSON.parse(e ?? ''));
      } catch {
        parsed = AuditEntrySchema.safeParse(undefined);
      }
      if (!parsed.success) {
        problems.push({ seq: prevSeq + 1, id, reason: 'entry is not a valid audit record (altered)' });
        prevSeq += 1;
        continue;
      }
      const entry = parsed.data;
      if (entries === 1 && (entry.seq !== 1 || entry.prevHmac !== GENESIS)) {
        problems.push({ seq: entry.seq, id, reason: `log does not start at seq 1 (first entry is seq ${entry.seq}): the oldest entries were removed` });
      } else if (entry.seq !== prevSeq + 1) {
        const missing = entry.seq - prevSeq - 1;
        problems.push({
          seq: prevSeq + 1,
          id,
          reason:
            missing > 0
              ? `seq ${prevSeq + 1}${missing > 1 ? `..${entry.seq - 1}` : ''} missing: ${missing} entr${missing > 1 ? 'ies were' : 'y was'} deleted`
              : `seq ${entry.seq} out of order after seq ${prevSeq}`,
        });
      } else if (entry.prevHmac !== prevHmac) {
        problems.push({ seq: entry.seq, id, reason: 'prevHmac does not match the previous entry (an entry was deleted, replaced or reordered)' });
      }
      const { hmac, ...unsigned } = entry;
      if (entryHmac(opts.signingKey, unsigned) !== hmac || fieldValue(fields, 'hmac') !== hmac || Number(fieldValue(fields, 'seq')) !== entry.seq) {
        problems.push({ seq: entry.seq, id, reason: 'hmac does not match the entry content (altered, or signed with another key)' });
      }
      prevSeq = entry.seq;
      prevHmac = hmac;
    }
    if (rows.length < batch) break;
    start = `(${rows[rows.length - 1][0]}`;
  }
  const [headSeq, headHmac] = await redis.hmget(k.auditHead(), 'seq', 'hmac');
  if (headSeq !== null && (Number(headSeq) !== prevSeq || headHmac !== prevHmac)) {
    problems.push({
      seq: Number(headSeq),
      reason:
        Number(headSeq) > prevSeq
          ? `head says the last entry is seq ${headSeq} but the log ends at seq ${prevSeq}: the newest entries were removed`
          : `head (seq ${headSeq}) does not match the last entry (seq ${prevSeq})`,
    });
  } else if (headSeq === null && entries > 0) {
    problems.push({ seq: prevSeq, reason: 'the head record is missing (it was deleted)' });
  }
  const first = problems[0];
  return first
    ? { ok: false, entries, breakAt: first.seq, reason: first.reason, problems, lastSeq: prevSeq }
    : { ok: true, entries, problems, lastSeq: prevSeq };
}

function fieldValue(fields: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}
