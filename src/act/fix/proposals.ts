/**
 * One fix proposal as the bot keeps it in Redis (`<p>fix:<id>`, a hash; every write renews a
 * 7-day expiry), and the one open proposal per triage (`<p>fix-open:<triage>`, for the
 * proposal's lifetime):
 *
 *   triage, zone, request    what it is for; `card` the triage card it was proposed from
 *   dep                      the deployment the triage read (its fix token acts); empty: the only one
 *   proposer, at, expires    who proposed it (never the one who applies it), when it lapses
 *   plan                     the remedy (plan.ts) or why there is none, once planned
 *   ref, intent              the proposal message in the card's thread
 *   consent                  who clicked *Apply* (HSETNX: the first allowed click wins)
 *   calling                  set just before the activation call; the call's answer in `call`
 *   confirm                  what activation-status said last (loaded, or not within the timeout)
 *   check                    Caracal's simulation of the denied call against the active version
 *                            once loaded (check.ts), or that it was not run
 *   retriage                 the re-run triage's headline and diagnosis
 *   result:ref, result:intent  the message that reports all of it, under the proposal
 *
 * IDs are `fix-<24 hex>`. Values read back are checked with zod; unreadable reads as absent.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { ChatAddressSchema, type MessageRef } from '../../chat/address';
import type { Keys } from '../../store/keys';
import { Person } from '../approvals';
import { readStored } from '../stored-json';

const TTL_SEC = 7 * 24 * 3600;

export const newProposalId = (): string => `fix-${randomBytes(12).toString('hex')}`;

const RemedySchema = z.object({
  kind: z.literal('activate_policy_set_version'),
  zoneId: z.string(),
  policySetId: z.string(),
  policySetName: z.string().nullable(),
  fromVersionId: z.string().nullable(),
  fromVersion: z.number().nullable(),
  toVersionId: z.string(),
  toVersion: z.number().nullable(),
  allows: z.object({ requestId: z.string(), applicationId: z.string().nullable(), application: z.string().nullable(), resource: z.string().nullable(), scopes: z.array(z.string()), determiningPolicies: z.array(z.string()) }),
});

export const StoredPlan = z.object({ remedy: RemedySchema.nullable(), reason: z.string(), at: z.string() });
export type StoredPlan = z.infer<typeof StoredPlan>;

export const Consent = z.object({ by: Person, at: z.string() });
export type Consent = z.infer<typeof Consent>;

export const CallResult = z.object({
  outcome: z.enum(['activated', 'found_active', 'refused', 'stale', 'expired', 'no_token']),
  status: z.number().int().nullable(),
  code: z.string().nullable(),
  outboxId: z.string().nullable(),
  /** For `stale`: the zone's active version when Apply was clicked. */
  activeNow: z.string().nullable(),
  at: z.string(),
});
export type CallResult = z.infer<typeof CallResult>;

export const Confirmation = z.object({
  loaded: z.boolean(),
  propagation: z.string().nullable(),
  sts: z.string().nullable(),
  detail: z.string().nullable(),
  at: z.string(),
});
export type Confirmation = z.infer<typeof Confirmation>;

/** The check after the fix (check.ts): what Caracal's simulation of the denied call says against the active version. */
export const FixCheck = z.object({
  outcome: z.enum(['allow', 'deny', 'not_executed', 'unreadable', 'no_denied_call', 'no_active_version', 'not_loaded']),
  /** For `unreadable`: which read failed. */
  stage: z.enum(['trace', 'policy_sets', 'simulate']).nullable(),
  /** The version simulated: the zone's active one when the check ran. */
  policySetId: z.string().nullable(),
  versionId: z.string().nullable(),
  version: z.number().nullable(),
  /** The deny reason, STS's evaluation when not executed, or the error code. */
  detail: z.string().nullable(),
  policies: z.array(z.string()),
  at: z.string(),
});
export type FixCheck = z.infer<typeof FixCheck>;

export const Retriage = z.object({
  state: z.enum(['failing', 'clear', 'undetermined']),
  text: z.string(),
  cause: z.string().nullable(),
  step: z.string().nullable(),
  summary: z.string().nullable(),
  at: z.string(),
});
export type Retriage = z.infer<typeof Retriage>;

export interface Proposal {
  id: string;
  triageId: string;
  /** The deployment the triage read (its fix token plans and applies); null: the only one. */
  deployment: string | null;
  zoneId: string | null;
  requestId: string | null;
  card: MessageRef | null;
  proposer: Person;
  createdAt: string;
  expiresAt: number;
  plan: StoredPlan | null;
  planError: string | null;
  ref: MessageRef | null;
  intentAt: number | null;
  consent: Consent | null;
  calling: number | null;
  call: CallResult | null;
  confirm: Confirmation | null;
  check: FixCheck | null;
  retriage: Retriage | null;
  resultRef: MessageRef | null;
  resultIntentAt: number | null;
  drawn: string | null;
}

const read = readStored;

const address = (raw: string | undefined): MessageRef | null => read(ChatAddressSchema, raw);

export interface ProposalStore {
  /** The triage's open proposal, or a new one: false `created` when one is open (its ID returned). */
  open(p: Omit<Proposal, 'id' | 'plan' | 'planError' | 'ref' | 'intentAt' | 'consent' | 'calling' | 'call' | 'confirm' | 'check' | 'retriage' | 'resultRef' | 'resultIntentAt' | 'drawn'>, ttlMs: number): Promise<{ created: boolean; id: string }>;
  get(id: string): Promise<Proposal | null>;
  set(id: string, fields: Partial<Record<'plan' | 'planError' | 'ref' | 'intent' | 'call' | 'confirm' | 'check' | 'retriage' | 'result:ref' | 'result:intent' | 'calling' | 'drawn', string>>): Promise<void>;
  clear(id: string, ...fields: Array<'intent' | 'result:intent' | 'calling'>): Promise<void>;
  /** The first allowed Apply wins: false when someone already consented. */
  consent(id: string, c: Consent): Promise<boolean>;
  /** The proposal is done (applied or refused): the triage may get a new one. */
  close(p: Pick<Proposal, 'id' | 'triageId'>): Promise<void>;
}

export function createProposalStore(redis: Redis, keys: Keys): ProposalStore {
  const k = (id: string) => keys.fix(id);
  return {
    async open(p, ttlMs) {
      const id = newProposalId();
      const taken = await redis.set(keys.fixOpen(p.triageId), id, 'PX', ttlMs, 'NX');
      if (taken !== 'OK') return { created: false, id: (await redis.get(keys.fixOpen(p.triageId))) ?? '' };
      await redis
        .multi()
        .hset(k(id), {
          triage: p.triageId,
          dep: p.deployment ?? '',
          zone: p.zoneId ?? '',
          request: p.requestId ?? '',
          card: p.card ? JSON.stringify(p.card) : '',
          proposer: JSON.stringify(p.proposer),
          at: p.createdAt,
          expires: String(p.expiresAt),
        })
        .expire(k(id), TTL_SEC)
        .exec();
      return { created: true, id };
    },
    async get(id) {
      const h = await redis.hgetall(k(id));
      const proposer = read(Person, h.proposer);
      if (!h.triage || !proposer) return null;
      return {
        id,
        triageId: h.triage,
        deployment: h.dep || null,
        zoneId: h.zone || null,
        requestId: h.request || null,
        card: address(h.card),
        proposer,
        createdAt: h.at ?? '',
        expiresAt: Number(h.expires ?? 0),
        plan: read(StoredPlan, h.plan),
        planError: h.planError || null,
        ref: address(h.ref),
        intentAt: h.intent ? Number(h.intent) : null,
        consent: read(Consent, h.consent),
        calling: h.calling ? Number(h.calling) : null,
        call: read(CallResult, h.call),
        confirm: read(Confirmation, h.confirm),
        check: read(FixCheck, h.check),
        retriage: read(Retriage, h.retriage),
        resultRef: address(h['result:ref']),
        resultIntentAt: h['result:intent'] ? Number(h['result:intent']) : null,
        drawn: h.drawn ?? null,
      };
    },
    async set(id, fields) {
      await redis.multi().hset(k(id), fields as Record<string, string>).expire(k(id), TTL_SEC).exec();
    },
    async clear(id, ...fields) {
      if (fields.length) await redis.hdel(k(id), ...fields);
    },
    async consent(id, c) {
      return (await redis.hsetnx(k(id), 'consent', JSON.stringify(c))) === 1;
    },
    async close(p) {
      await redis.eval("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0", 1, keys.fixOpen(p.triageId), p.id);
    },
  };
}
