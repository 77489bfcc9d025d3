/**
 * Append-only audit log of the bot's own actions, as a Redis stream forming an HMAC chain.
 *
 * Redis cannot compute an HMAC without being given the key, and the key must stay in the
 * process, so an append is optimistic: the process computes the entry against the head it
 * believes is current, and a Lua script adds it only if the head is still that one (XADD and
 * head update in the same script). A writer that lost the race gets the real head back and
 * recomputes; concurrent writers therefore never fork the chain.
 */
import type { Redis } from 'ioredis';
import { DEFAULT_PREFIX, keys } from '../store/keys';
import { canonicalJson } from './canonical';
import { GENESIS, entryHmac, type AuditEntry, type AuditInput } from './entry';

/**
 * KEYS: stream, head hash. ARGV: expected seq, expected hmac, new seq, new hmac, entry JSON.
 * → {1, stream id} appended, or {0, current seq, current hmac}.
 */
const APPEND = `
local seq = redis.call('HGET', KEYS[2], 'seq') or '0'
local h = redis.call('HGET', KEYS[2], 'hmac') or ARGV[6]
if seq ~= ARGV[1] or h ~= ARGV[2] then return {0, seq, h} end
local id = redis.call('XADD', KEYS[1], '*', 'seq', ARGV[3], 'hmac', ARGV[4], 'e', ARGV[5])
redis.call('HSET', KEYS[2], 'seq', ARGV[3], 'hmac', ARGV[4], 'id', id)
return {1, id}
`;

interface AuditScripts {
  ctAuditAppend(stream: string, head: string, ...argv: Array<string | number>): Promise<[number, string, string?]>;
}

export interface AuditLogOptions {
  prefix?: string;
  signingKey: string;
  now?: () => Date;
  maxAttempts?: number;
}

export class AuditLog {
  private readonly redis: Redis & AuditScripts;
  private readonly stream: string;
  private readonly headKey: string;
  private head: { seq: number; hmac: string } | null = null;
  /** Appends from this process go one at a time; the CAS only has to settle races between processes. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    redis: Redis,
    private readonly opts: AuditLogOptions,
  ) {
    const r = redis as Redis & Partial<AuditScripts>;
    if (typeof r.ctAuditAppend !== 'function') redis.defineCommand('ctAuditAppend', { numberOfKeys: 2, lua: APPEND });
    this.redis = r as Redis & AuditScripts;
    const k = keys(opts.prefix ?? DEFAULT_PREFIX);
    this.stream = k.audit();
    this.headKey = k.auditHead();
  }

  append(input: AuditInput): Promise<AuditEntry> {
    const run = this.tail.then(() => this.appendNow(input));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async appendNow(input: AuditInput): Promise<AuditEntry> {
    const maxAttempts = this.opts.maxAttempts ?? 100;
    if (!this.head) {
      const [seq, hmac] = await this.redis.hmget(this.headKey, 'seq', 'hmac');
      this.head = { seq: Number(seq ?? 0), hmac: hmac ?? GENESIS };
    }
    const at = input.at ?? (this.opts.now ?? (() => new Date()))().toISOString();
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const head = this.head;
      const unsigned: Omit<AuditEntry, 'hmac'> = { ...stripUndefined(input), at, seq: head.seq + 1, prevHmac: head.hmac };
      const entry: AuditEntry = { ...unsigned, hmac: entryHmac(this.opts.signingKey, unsigned) };
      const res = await this.redis.ctAuditAppend(
        this.stream,
        this.headKey,
        String(head.seq),
        head.hmac,
        entry.seq,
        entry.hmac,
        canonicalJson(entry),
        GENESIS,
      );
      if (Number(res[0]) === 1) {
        this.head = { seq: entry.seq, hmac: entry.hmac };
        return entry;
      }
      this.head = { seq: Number(res[1]), hmac: String(res[2]) };
      // A writer that just won appends its next entry without a round trip, so a loser that
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
