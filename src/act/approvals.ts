/**
 * One approval hold's card as the bot keeps it in Redis (`<p>approval:<key>`, a hash; every
 * write renews a 7-day expiry):
 *
 *   zone, id       the hold (its `id` is the sink event's `data.challenge_id`)
 *   dep            the Caracal deployment whose sink delivered it (the path it came to); absent:
 *                  the one deployment of a bot without CARACAL_DEPLOYMENTS_FILE
 *   issued         what `step_up_issued` said (tier, approver class, application, labels, expiry)
 *   dest           where the card goes (routed by the web when the event came)
 *   ev:<type>      the last event of each type (`step_up_decided`, `step_up_consumed`)
 *   ref, intent    the card once posted; the time a post was attempted (crash recovery)
 *   hold, holdErr  the hold as last read from Caracal (redacted), or why it could not be read
 *   claim          the one click being acted on (HSETNX: the first click wins)
 *   tries          how many claims have been made (each makes one decide job)
 *   calling        set just before the approve/reject call, cleared with its result
 *   result         Caracal's answer to that call, and who asked
 *
 * The key is `apr-<32 hex>` of the zone and hold IDs (and the deployment, when one is named:
 * two deployments may hold the same IDs): safe in Redis keys, BullMQ job IDs and button data. Values read back are checked with zod; an unreadable one reads as absent.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { ChatAddressSchema, type Destination, type MessageRef } from '../chat/address';
import type { Keys } from '../store/keys';
import { readStored } from './stored-json';

const TTL_SEC = 7 * 24 * 3600;

export const ApprovalKey = z.string().regex(/^apr-[0-9a-f]{32}$/, 'not an approval key');

export function approvalKeyOf(zoneId: string, approvalId: string, deployment: string | null = null): string {
  return `apr-${createHash('sha256').update(`${zoneId}\0${approvalId}${deployment ? `\0${deployment}` : ''}`).digest('hex').slice(0, 32)}`;
}

/** What `step_up_issued` says about the hold (sink payload, redacted). */
export const IssuedFacts = z.object({
  eventId: z.string(),
  occurredAt: z.string(),
  tier: z.string().nullable(),
  approverClass: z.string().nullable(),
  privacyMode: z.string().nullable(),
  applicationId: z.string().nullable(),
  agentSessionId: z.string().nullable(),
  agentLabels: z.array(z.string()),
  expiresAt: z.string().nullable(),
});
export type IssuedFacts = z.infer<typeof IssuedFacts>;

export const LaterEvent = z.object({ eventId: z.string(), occurredAt: z.string(), decision: z.string().nullable() });
export type LaterEvent = z.infer<typeof LaterEvent>;

export const Person = z.object({ id: z.string(), name: z.string().optional(), platform: z.string() });
export type Person = z.infer<typeof Person>;

export const Claim = z.object({
  decision: z.enum(['approve', 'reject']),
  by: Person,
  /** What the person typed (rejects need it), redacted. */
  said: z.string().nullable(),
  /** The reason sent to Caracal (names the person and the platform). */
  reason: z.string(),
  at: z.string(),
  try: z.number().int().positive(),
});
export type Claim = z.infer<typeof Claim>;

export const DecisionResult = z.object({
  /** The claim this answers (its try number). */
  try: z.number().int().positive(),
  outcome: z.enum(['decided', 'found_decided', 'refused', 'not_decidable', 'not_found', 'no_token']),
  decision: z.enum(['approve', 'reject']),
  by: Person,
  /** What the person gave as their reason, if anything (redacted). */
  said: z.string().nullable().optional(),
  /** The hold's state after the call (or as re-read). */
  state: z.string().nullable(),
  status: z.number().int().nullable(),
  code: z.string().nullable(),
  at: z.string(),
});
export type DecisionResult = z.infer<typeof DecisionResult>;

/** The hold as last read, as much of it as the card shows (redacted). */
export const HoldView = z.object({
  state: z.string(),
  tier: z.string().nullable(),
  approverClass: z.string().nullable(),
  applicationId: z.string().nullable(),
  principalId: z.string().nullable(),
  expiresAt: z.string().nullable(),
  decisionReason: z.string().nullable(),
  decidedAt: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()).nullable(),
  readAt: z.string(),
});
export type HoldView = z.infer<typeof HoldView>;

export interface ApprovalRecord {
  key: string;
  /** The deployment whose sink delivered the hold (its approve token decides it); null: the only one. */
  deployment: string | null;
  zoneId: string;
  approvalId: string;
  issued: IssuedFacts | null;
  dest: Destination | null;
  decided: LaterEvent | null;
  consumed: LaterEvent | null;
  ref: MessageRef | null;
  intentAt: number | null;
  hold: HoldView | null;
  holdError: string | null;
  claim: Claim | null;
  tries: number;
  calling: number | null;
  result: DecisionResult | null;
  drawn: string | null;
}

const read = readStored;

export interface ApprovalStore {
  get(key: string): Promise<ApprovalRecord | null>;
  /** Records an event's facts; `issued` and `dest` only once (a redelivered issue changes nothing). */
  recordEvent(key: string, zoneId: string, approvalId: string, deployment: string | null, e: { type: 'issued'; facts: IssuedFacts; dest: Destination | null } | { type: 'decided' | 'consumed'; event: LaterEvent }): Promise<void>;
  setRef(key: string, ref: MessageRef): Promise<void>;
  setIntent(key: string, at: number | null): Promise<void>;
  setHold(key: string, hold: HoldView | null, error: string | null): Promise<void>;
  setDrawn(key: string, digest: string): Promise<void>;
  /** The first click wins: false when a claim is already held. Counts the try. */
  claim(key: string, claim: Omit<Claim, 'try'>): Promise<Claim | null>;
  markCalling(key: string, at: number): Promise<void>;
  /** Records Caracal's answer; `release` frees the claim so a later click may try again. */
  settle(key: string, result: DecisionResult, release: boolean): Promise<void>;
}

export function createApprovalStore(redis: Redis, keys: Keys): ApprovalStore {
  const k = (key: string) => keys.approval(key);
  const write = async (key: string, fields: Record<string, string>): Promise<void> => {
    await redis.multi().hset(k(key), fields).expire(k(key), TTL_SEC).exec();
  };
  return {
    async get(key) {
      const h = await redis.hgetall(k(key));
      if (!h.zone || !h.id) return null;
      const addr = (raw: string | undefined) => {
        const parsed = raw ? ChatAddressSchema.safeParse(JSON.parse(raw)) : null;
        return parsed?.success ? parsed.data : null;
      };
      return {
        key,
        deployment: h.dep || null,
        zoneId: h.zone,
        approvalId: h.id,
        issued: read(IssuedFacts, h.issued),
        dest: addr(h.dest),
        decided: read(LaterEvent, h['ev:decided']),
        consumed: read(LaterEvent, h['ev:consumed']),
        ref: addr(h.ref),
        intentAt: h.intent ? Number(h.intent) : null,
        hold: read(HoldView, h.hold),
        holdError: h.holdErr || null,
        claim: read(Claim, h.claim),
        tries: Number(h.tries ?? 0),
        calling: h.calling ? Number(h.calling) : null,
        result: read(DecisionResult, h.result),
        drawn: h.drawn ?? null,
      };
    },
    async recordEvent(key, zoneId, approvalId, deployment, e) {
      const m = redis.multi().hset(k(key), { zone: zoneId, id: approvalId, ...(deployment ? { dep: deployment } : {}) });
      if (e.type === 'issued') {
        m.hsetnx(k(key), 'issued', JSON.stringify(e.facts));
        if (e.dest) m.hsetnx(k(key), 'dest', JSON.stringify(e.dest));
      } else {
        m.hset(k(key), `ev:${e.type}`, JSON.stringify(e.event));
      }
      await m.expire(k(key), TTL_SEC).exec();
    },
    setRef: (key, ref) => write(key, { ref: JSON.stringify(ref) }),
    async setIntent(key, at) {
      if (at === null) await redis.hdel(k(key), 'intent');
      else await write(key, { intent: String(at) });
    },
    async setHold(key, hold, error) {
      if (hold) await write(key, { hold: JSON.stringify(hold), holdErr: '' });
      else await write(key, { holdErr: error ?? 'unreadable' });
    },
    setDrawn: (key, digest) => write(key, { drawn: digest }),
    async claim(key, c) {
      // HSETNX then HINCRBY in one script: the try number belongs to the claim that won.
      const res = (await redis.eval(
        "if redis.call('HSETNX', KEYS[1], 'claim', ARGV[1]) == 0 then return 0 end local n = redis.call('HINCRBY', KEYS[1], 'tries', 1) local c = cjson.decode(ARGV[1]) c['try'] = n redis.call('HSET', KEYS[1], 'claim', cjson.encode(c)) redis.call('EXPIRE', KEYS[1], ARGV[2]) return n",
        1,
        k(key),
        JSON.stringify(c),
        String(TTL_SEC),
      )) as number;
      return res === 0 ? null : { ...c, try: res };
    },
    markCalling: (key, at) => write(key, { calling: String(at) }),
    async settle(key, result, release) {
      const m = redis.multi().hset(k(key), { result: JSON.stringify(result) }).hdel(k(key), 'calling');
      if (release) m.hdel(k(key), 'claim');
      await m.expire(k(key), TTL_SEC).exec();
    },
  };
}
