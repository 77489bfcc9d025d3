/**
 * The store's Lua scripts, registered with ioredis `defineCommand` (EVALSHA with automatic
 * fallback to EVAL after a Redis restart flushed the script cache). Each one makes a
 * check-then-write atomic, which plain commands cannot: compare-and-set on the record
 * version, dedupe-and-create, claim-a-post.
 */
import type { Redis } from 'ioredis';

/**
 * Dedupe, check the open-triage index, and create, in one step: a crash can never leave a
 * dedupe key or an open-index entry that points at a triage that was never written, and two
 * identical commands at the same moment make one triage.
 * KEYS: dedupe, triage hash, active zset, open index entry, the destination's cards not yet posted.
 * ARGV: id, record JSON, version, dest JSON, meta JSON, activity ms, dedupe TTL s, open TTL s,
 *       an open triage to replace ('' for none: the caller found it closed or gone).
 * → {1, id, 'new'} created, {0, first id, 'dup'} a redelivery, {0, open id, 'open'} the same
 *   command's triage is still open (nothing written).
 */
const CREATE = `
local prev = redis.call('GET', KEYS[1])
if prev then return {0, prev, 'dup'} end
local open = redis.call('GET', KEYS[4])
if open and open ~= ARGV[9] then return {0, open, 'open'} end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[7])
redis.call('HSET', KEYS[2], 'record', ARGV[2], 'version', ARGV[3], 'dest', ARGV[4], 'meta', ARGV[5], 'openkey', KEYS[4])
redis.call('SET', KEYS[4], ARGV[1], 'EX', ARGV[8])
redis.call('ZADD', KEYS[3], ARGV[6], ARGV[1])
redis.call('ZADD', KEYS[5], ARGV[6], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', tonumber(ARGV[6]) - 3600000)
redis.call('PEXPIRE', KEYS[5], 86400000)
return {1, ARGV[1], 'new'}
`;

/**
 * Compare-and-set of a triage record.
 * KEYS: triage hash, active zset.
 * ARGV: expected version, new version, record JSON, activity ms, final (1/0), retention s,
 *       triage id, mark field ('' for none), then field/value pairs to set alongside.
 * → 1 applied, 0 version moved on (conflict), -1 no such triage, -2 mark already set
 *   (this exact change was applied before, e.g. by a retried job).
 * With a third key (ctCasClose: the open-triage index entry), a transition that closes the
 * triage (resolved, escalated, abandoned) also frees the entry when it still points here, so
 * the same command starts a new triage again.
 */
const CAS = `
local cur = redis.call('HGET', KEYS[1], 'version')
if not cur then return -1 end
if ARGV[8] ~= '' and redis.call('HEXISTS', KEYS[1], ARGV[8]) == 1 then return -2 end
if cur ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'version', ARGV[2], 'record', ARGV[3])
if ARGV[8] ~= '' then redis.call('HSET', KEYS[1], ARGV[8], ARGV[2]) end
for i = 9, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
if ARGV[5] == '1' then
  redis.call('ZREM', KEYS[2], ARGV[7])
  redis.call('EXPIRE', KEYS[1], ARGV[6])
else
  redis.call('ZADD', KEYS[2], ARGV[4], ARGV[7])
end
if #KEYS >= 3 then
  if redis.call('GET', KEYS[3]) == ARGV[7] then redis.call('DEL', KEYS[3]) end
  redis.call('HDEL', KEYS[1], 'openkey')
end
return 1
`;

/**
 * Claim the right to make one chat post.
 * KEYS: triage hash, lease key. ARGV: posted field, token, lease ms.
 * → 'posted' (done before), 'claimed', 'busy' (another run holds the lease), 'gone'.
 */
const CLAIM_POST = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 'gone' end
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 'posted' end
if redis.call('SET', KEYS[2], ARGV[2], 'NX', 'PX', ARGV[3]) then return 'claimed' end
if redis.call('GET', KEYS[2]) == ARGV[2] then
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
  return 'claimed'
end
return 'busy'
`;

/**
 * Record a finished post and release its lease.
 * KEYS: triage hash, lease key. ARGV: posted field, token, then field/value pairs.
 */
const MARK_POSTED = `
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HSET', KEYS[1], ARGV[1], '1')
  for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
if redis.call('GET', KEYS[2]) == ARGV[2] then redis.call('DEL', KEYS[2]) end
return 1
`;

/**
 * Take or renew a lease (a post in flight, a conversation's pump).
 * KEYS: lease key. ARGV: token, lease ms. → 1 held by this token, 0 held by another.
 */
const LEASE = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`;

/**
 * Record that a reply is in the thread: its items' posted markers, and the intent that
 * covered it cleared, in one step. KEYS: triage hash. ARGV: intent field, then field/value pairs.
 */
const RECORD_REPLY = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('HDEL', KEYS[1], ARGV[1])
return 1
`;

/** Set fields on a hash only while it exists (a triage that expired is not recreated). KEYS: hash. ARGV: pairs. */
const SET_IF_EXISTS = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
for i = 1, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
return 1
`;

/** Give up a post lease (after a failed or delayed attempt). KEYS: lease key. ARGV: token. */
const RELEASE_POST = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * Store the card's message reference once (first wins) and raise the rendered version.
 * KEYS: triage hash. ARGV: ref JSON, rendered version. → the stored ref JSON, or false.
 */
const SET_REF = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
redis.call('HSETNX', KEYS[1], 'ref', ARGV[1])
local cur = tonumber(redis.call('HGET', KEYS[1], 'cardv') or '0')
if tonumber(ARGV[2]) > cur then redis.call('HSET', KEYS[1], 'cardv', ARGV[2]) end
return redis.call('HGET', KEYS[1], 'ref')
`;

/** Raise a numeric field to at least ARGV[2]. KEYS: hash. ARGV: field, value. → the new value. */
const RAISE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local cur = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if tonumber(ARGV[2]) > cur then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]); return tonumber(ARGV[2]) end
return cur
`;

/**
 * Let an incident's record expire once its triage closes, unless a later triage took the
 * incident over. KEYS: incident hash. ARGV: triage id, ms.
 */
const EXPIRE_INCIDENT = `
if redis.call('HGET', KEYS[1], 'triage') == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

type Arg = string | number;

export interface StoreScripts {
  ctCreate(dedupe: string, triage: string, active: string, open: string, cards: string, ...argv: Arg[]): Promise<[number, string, 'new' | 'dup' | 'open']>;
  ctCas(triage: string, active: string, ...argv: Arg[]): Promise<number>;
  ctCasClose(triage: string, active: string, open: string, ...argv: Arg[]): Promise<number>;
  ctLease(lease: string, token: string, ms: number): Promise<number>;
  ctRecordReply(triage: string, ...argv: Arg[]): Promise<number>;
  ctSetIfExists(hash: string, ...argv: Arg[]): Promise<number>;
  ctClaimPost(triage: string, lease: string, ...argv: Arg[]): Promise<'posted' | 'claimed' | 'busy' | 'gone'>;
  ctMarkPosted(triage: string, lease: string, ...argv: Arg[]): Promise<number>;
  ctReleasePost(lease: string, token: string): Promise<number>;
  ctSetRef(triage: string, ...argv: Arg[]): Promise<string | null>;
  ctRaise(hash: string, ...argv: Arg[]): Promise<number>;
  ctExpireIncident(incident: string, triageId: string, ms: number): Promise<number>;
}

const DEFINITIONS: Array<[keyof StoreScripts, number, string]> = [
  ['ctCreate', 5, CREATE],
  ['ctCas', 2, CAS],
  ['ctCasClose', 3, CAS],
  ['ctLease', 1, LEASE],
  ['ctRecordReply', 1, RECORD_REPLY],
  ['ctSetIfExists', 1, SET_IF_EXISTS],
  ['ctClaimPost', 2, CLAIM_POST],
  ['ctMarkPosted', 2, MARK_POSTED],
  ['ctReleasePost', 1, RELEASE_POST],
  ['ctSetRef', 1, SET_REF],
  ['ctRaise', 1, RAISE],
  ['ctExpireIncident', 1, EXPIRE_INCIDENT],
];

/** Registers the scripts on this connection (once) and returns it typed with them. */
export function withStoreScripts(redis: Redis): Redis & StoreScripts {
  const r = redis as Redis & Partial<StoreScripts>;
  for (const [name, numberOfKeys, lua] of DEFINITIONS) {
    if (typeof r[name] !== 'function') redis.defineCommand(name, { numberOfKeys, lua });
  }
  return r as Redis & StoreScripts;
}
