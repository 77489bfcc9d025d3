/**
 * Append-only audit log of the bot's own actions, as a Redis stream forming an HMAC chain.
 *
 * Redis cannot compute an HMAC without being given the key, and the key must stay in the
 * process, so an append is optimistic: the process computes the entries against the head it
 * believes is current, and a Lua script adds them only if the head is still that one (XADDs
 * and head update in the same script). A writer that lost the race gets the real head back and
 * recomputes; concurrent writers therefore never fork the chain.
 *
 * Appends from one process are group-committed: those made while a write is in flight wait for
 * it, then go to Redis together in one script call that chains them in the order they were
 * made. So N concurrent appends cost two round trips, not N (a burst of slash commands each
 * waiting behind every earlier one's round trip was most of their ack latency).
 */
import type { Redis } from 'ioredis';
import { DEFAULT_PREFIX, keys } from '../store/keys';
import { canonicalJson } from './canonical';
import { GENESIS, entryHmac, type AuditEntry, type AuditInput } from './entry';
import type { AuditTrailEntry } from '../report/found';
import { readAuditTrail } from './trail';
import { verifyAuditChain, type AuditVerifyResult } from './verify';

/**
 * KEYS: stream, head hash. ARGV: expected seq, expected hmac, GENESIS, then for each entry in
 * chain order: seq, hmac, entry JSON.
 * → {1, stream id…} appended, or {0, current seq, current hmac}.
 */
const APPEND_BATCH = `
local seq = redis.call('HGET', KEYS[2], 'seq') or '0'
local h = redis.call('HGET', KEYS[2], 'hmac') or ARGV[3]
if seq ~= ARGV[1] or h ~= ARGV[2] then return {0, seq, h} end
local out = {1}
local id
for i = 4, #ARGV, 3 do
  id = redis.call('XADD', KEYS[1], '*', 'seq', ARGV[i], 'hmac', ARGV[i + 1], 'e', ARGV[i + 2])
  out[#out + 1] = id
end
redis.call('HSET', KEYS[2], 'seq', ARGV[#ARGV - 2], 'hmac', ARGV[#ARGV - 1], 'id', id)
return out
`;

/** Most entries one script call carries; a longer queue goes in several calls, in order. */
const MAX_BATCH = 200;

interface AuditScripts {
  ctAuditAppendBatch(stream: string, head: string, ...argv: Array<string | number>): Promise<Array<number | string>>;
}

export interface AuditLogOptions {
  prefix?: string;
  signingKey: string;
  now?: () => Date;
  maxAttempts?: number;
  /** Called once for every entry that could not be written (metrics). */
  onFailure?: (err: unknown) => void;
}

interface Pending {
  input: AuditInput;
  at: string;
  resolve(entry: AuditEntry): void;
  reject(err: unknown): void;
}

export class AuditLog {
  private readonly redis: Redis & AuditScripts;
  private readonly stream: string;
  private readonly headKey: string;
  private head: { seq: number; hmac: string } | null = null;
  /** Appends waiting for the next write, in call order. */
  private queue: Pending[] = [];
  /** The running write loop, while there is one. */
  private writing: Promise<void> | null = null;

  constructor(
    redis: Redis,
    private readonly opts: AuditLogOptions,
  ) {
    const r = redis as Redis & Partial<AuditScripts>;
    if (typeof r.ctAuditAppendBatch !== 'function') redis.defineCommand('ctAuditAppendBatch', { numberOfKeys: 2, lua: APPEND_BATCH });
    this.redis = r as Redis & AuditScripts;
    const k = keys(opts.prefix ?? DEFAULT_PREFIX);
    this.stream = k.audit();
    this.headKey = k.auditHead();
  }

  /** One triage's entries, oldest first (a full read of the log: for exports, not for hot paths). */
  trail(triageId: string): Promise<AuditTrailEntry[]> {
    return readAuditTrail(this.redis, triageId, { prefix: this.opts.prefix });
  }

  /** The whole chain checked as `audit verify` checks it. */
  verify(): Promise<AuditVerifyResult> {
    return verifyAuditChain(this.redis, { signingKey: this.opts.signingKey, prefix: this.opts.prefix });
  }

  /** Resolves with the entry once it is in the chain (its `at` is the time of this call unless given). */
  append(input: AuditInput): Promise<AuditEntry> {
    const at = input.at ?? (this.opts.now ?? (() => new Date()))().toISOString();
    return new Promise<AuditEntry>((resolve, reject) => {
      this.queue.push({
        input,
        at,
        resolve,
        reject: (e) => {
          this.opts.onFailure?.(e);
          reject(e);
        },
      });
      this.writing ??= this.writeLoop();
    });
  }

  private async writeLoop(): Promise<void> {
    try {
      // Appends made in the same tick as the first one join its batch.
      await Promise.resolve();
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        try {
          const entries = await this.write(batch);
          batch.forEach((p, i) => p.resolve(entries[i]!));
        } catch (e) {
          batch.forEach((p) => p.reject(e));
        }
      }
    } finally {
      this.writing = null;
    }
  }

  /** Chains `batch` onto the head and writes it in one script call, recomputing after a lost race. */
  private async write(batch: Pending[]): Promise<AuditEntry[]> {
    const maxAttempts = this.opts.maxAttempts ?? 100;
    if (!this.head) {
      const [seq, hmac] = await this.redis.hmget(this.headKey, 'seq', 'hmac');
      this.head = { seq: Number(seq ?? 0), hmac: hmac ?? GENESIS };
    }
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const head = this.head;
      const entries: AuditEntry[] = [];
      const argv: Array<string | number> = [String(head.seq), head.hmac, GENESIS];
      let prev = head;
      for (const p of batch) {
        const unsigned: Omit<AuditEntry, 'hmac'> = { ...stripUndefined(p.input), at: p.at, seq: prev.seq + 1, prevHmac: prev.hmac };
        const entry: AuditEntry = { ...unsigned, hmac: entryHmac(this.opts.signingKey, unsigned) };
        entries.push(entry);
        argv.push(entry.seq, entry.hmac, canonicalJson(entry));
        prev = { seq: entry.seq, hmac: entry.hmac };
      }
      const res = await this.redis.ctAuditAppendBatch(this.stream, this.headKey, ...argv);
      if (Number(res[0]) === 1) {
        this.head = prev;
        return entries;
      }
      this.head = { seq: Number(res[1]), hmac: String(res[2]) };
      // A writer that just won appends its next batch without a round trip, so a loser that
      // retried at once could lose every time: back off a little, with jitter.
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 ** attempt)));
    }
    throw new Error(`audit append lost the race ${maxAttempts} times in a row`);
  }
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export function createAuditLog(redis: Redis, opts: AuditLogOptions): AuditLog {
  return new AuditLog(redis, opts);
}
