/**
 * Durable triages in Redis: one hash per triage holding the record (JSON) and its version,
 * where its card goes and lives, and idempotency markers. Transitions go through the pure
 * state machine and are written with compare-and-set (src/store/scripts.ts), so two racing
 * clicks or two workers apply one transition, never two.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { addressIdentity, parseAddress, type Destination, type MessageRef } from '../chat/address';
import { FINAL_STATES, TRIAGE_STATES, idleSince } from '../triage/record';
import { transition } from '../triage/machine';
import type { Actor, TriageRecord, TriageState } from '../triage/record';
import type { Effect, TriageEvent } from '../triage/machine';
import type { StepId } from '../triage/model';
import { DEFAULT_PREFIX, keys, type Keys } from './keys';
import { withStoreScripts, type StoreScripts } from './scripts';

/** What the worker needs to know about a triage besides its record. */
export interface TriageMeta {
  source: string;
  actor: Actor;
  /** Post the diagnostic bundle into the thread when collection finishes. */
  postBundle: boolean;
  /** The incident this triage holds (src/service/incident-desk.ts), when an incident source opened it. */
  incidentKey?: string;
}

const MetaSchema = z.object({
  source: z.string(),
  actor: z.object({ kind: z.enum(['user', 'webhook', 'system']), id: z.string(), name: z.string().optional() }),
  postBundle: z.boolean(),
  incidentKey: z.string().regex(/^[A-Za-z0-9-]{1,200}$/).optional(),
});
/** A light check of a record read back: the fields every reader relies on. */
const RecordShape = z.looseObject({
  id: z.string(),
  version: z.number().int().positive(),
  state: z.enum(TRIAGE_STATES),
  steps: z.array(z.looseObject({ id: z.string(), verdict: z.string() })),
  pending: z.array(z.string()),
});

export type StoreApplyResult =
  | { ok: true; record: TriageRecord; effects: Effect[]; from: TriageState; duplicate: boolean }
  | { ok: false; reason: 'not_found' | 'stale' | 'finished' | 'not_allowed' | 'conflict'; message: string };

export interface ApplyOptions {
  /** How many times to re-read and re-run the transition when another writer got there first. */
  maxAttempts?: number;
  /** The record as the caller last saw it, to save one read on the first attempt. */
  current?: TriageRecord;
  /**
   * A hash field set atomically with the change. If it is already set, this exact change was
   * applied before (a retried job) and nothing is written again: the result has `duplicate`.
   */
  mark?: string;
  /** Checked on the record before each attempt; false → `not_allowed` with `guardMessage`. */
  guard?: (record: TriageRecord) => boolean;
  now?: Date;
}

/**
 * A triage's record with where its card goes and lives, read in one round trip. The posting
 * jobs add their own fields of the hash to the same read (`view`'s `extra`, src/posting/post-store.ts).
 */
export interface TriageView {
  /** Permalink of the card, once posted (where the platform has one). */
  cardLink: string | null;
  record: TriageRecord;
  destination: Destination;
  meta: TriageMeta;
  ref: MessageRef | null;
  /** Highest record version shown on the card. */
  cardVersion: number;
  /** Record version at which each step's latest result was applied. */
  stepVersion: number | null;
  /** Why the card could not be posted (a permanent platform refusal), if so. */
  cardFailed: string | null;
}

export interface TriageStoreOptions {
  prefix?: string;
  /** How long a finished triage is kept (s). */
  retentionSec?: number;
  /** How long an incident's record outlives its triage once that closes (ms; default 7 days). */
  incidentRetentionMs?: number;
  now?: () => Date;
}

/** States that close a triage for the open-triage index: the same command may start a new one. */
export const CLOSING_STATES: readonly TriageState[] = ['resolved', 'escalated', 'abandoned'];

/** The open-triage index entry a start is checked against and, when created, takes. */
export interface OpenEntry {
  /** Stable identity of the command (destination, request, zone, symptom, kind). */
  identity: string;
  /** Backstop TTL; the entry is freed by the closing transition. */
  ttlSec: number;
  /** An entry found pointing at a closed or missing triage: replace it. */
  replacing?: string;
}

export type CreateResult = { triageId: string; created: true } | { triageId: string; created: false; reason: 'duplicate' | 'open' };

export const CONFLICT_MESSAGE =
  'This triage has already advanced: someone else changed it at the same moment, so nothing was changed. Use the latest card.';

export class TriageStore {
  readonly keys: Keys;
  readonly redis: Redis & StoreScripts;
  private readonly retentionSec: number;
  private readonly incidentRetentionMs: number;
  private readonly now: () => Date;

  constructor(redis: Redis, opts: TriageStoreOptions = {}) {
    this.redis = withStoreScripts(redis);
    this.keys = keys(opts.prefix ?? DEFAULT_PREFIX);
    this.retentionSec = opts.retentionSec ?? 7 * 24 * 3600;
    this.incidentRetentionMs = opts.incidentRetentionMs ?? 7 * 24 * 3600 * 1000;
    this.now = opts.now ?? (() => new Date());
  }

  /**
   * Dedupe, check the open index and create atomically. Returns the triage that owns the
   * dedupe key (a redelivery), the open triage of the same command, or the new one.
   */
  async create(record: TriageRecord, destination: Destination, meta: TriageMeta, dedupeKey: string, dedupeTtlSec: number, open: OpenEntry): Promise<CreateResult> {
    const [created, triageId, reason] = await this.redis.ctCreate(
      this.keys.dedupe(dedupeKey),
      this.keys.triage(record.id),
      this.keys.active(),
      this.keys.open(open.identity),
      this.keys.pendingCards(addressIdentity(destination)),
      record.id,
      JSON.stringify(record),
      record.version,
      JSON.stringify(destination),
      JSON.stringify(meta),
      Date.parse(record.updatedAt),
      dedupeTtlSec,
      open.ttlSec,
      open.replacing ?? '',
    );
    if (created === 1) return { triageId, created: true };
    return { triageId, created: false, reason: reason === 'open' ? 'open' : 'duplicate' };
  }

  /** Remember a delivery that was answered with an existing triage (its redelivery says "already started"). */
  async rememberDelivery(dedupeKey: string, triageId: string, ttlSec: number): Promise<void> {
    await this.redis.set(this.keys.dedupe(dedupeKey), triageId, 'EX', ttlSec, 'NX');
  }

  async get(id: string): Promise<TriageRecord | null> {
    return parseRecord(await this.redis.hget(this.keys.triage(id), 'record'));
  }

  /** The view, and the hash fields named in `extra` as stored (null where unset), in the same read. */
  async view<F extends string = never>(id: string, step?: StepId, extra: readonly F[] = []): Promise<(TriageView & { extra: Record<F, string | null> }) | null> {
    const [record, dest, meta, ref, cardv, cardfail, stepv, cardlink, ...more] = await this.redis.hmget(
      this.keys.triage(id),
      'record',
      'dest',
      'meta',
      'ref',
      'cardv',
      'cardfail',
      step ? `stepv:${step}` : 'stepv:-',
      'cardlink',
      ...extra,
    );
    const r = parseRecord(record);
    if (!r || !dest || !meta) return null;
    return {
      record: r,
      destination: parseAddress(dest)!,
      meta: MetaSchema.parse(JSON.parse(meta)),
      ref: parseAddress(ref),
      cardVersion: Number(cardv ?? 0),
      stepVersion: stepv === null ? null : Number(stepv),
      cardFailed: cardfail,
      cardLink: cardlink,
      extra: Object.fromEntries(extra.map((f, i) => [f, more[i] ?? null])) as Record<F, string | null>,
    };
  }

  /** Read-modify-write through the pure state machine, with compare-and-set on the version. */
  async apply(id: string, event: TriageEvent, opts: ApplyOptions = {}): Promise<StoreApplyResult> {
    const maxAttempts = opts.maxAttempts ?? 5;
    let current: TriageRecord | null | undefined = opts.current;
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const record: TriageRecord | null = current ?? (await this.get(id));
      current = undefined;
      if (!record) return { ok: false, reason: 'not_found', message: 'This triage no longer exists (it may have expired).' };
      if (opts.guard && !opts.guard(record)) return { ok: false, reason: 'not_allowed', message: 'The triage changed; the change no longer applies.' };
      const t = transition(record, event, opts.now ?? this.now());
      if (!t.ok) return t;
      const next = t.record;
      const extra: Array<string | number> = [];
      for (const e of t.effects) if (e.type === 'post_step') extra.push(`stepv:${e.step}`, next.version);
      const final = FINAL_STATES.includes(next.state);
      const closing = CLOSING_STATES.includes(next.state) && !CLOSING_STATES.includes(record.state);
      const [openKey, rawMeta] = closing ? await this.redis.hmget(this.keys.triage(id), 'openkey', 'meta') : [null, null];
      const cas = (...argv: Array<string | number>): Promise<number> =>
        openKey ? this.redis.ctCasClose(this.keys.triage(id), this.keys.active(), openKey, ...argv) : this.redis.ctCas(this.keys.triage(id), this.keys.active(), ...argv);
      const res = await cas(
        record.version,
        next.version,
        JSON.stringify(next),
        // The sweeper's clock: the last activity (reminders and delivery reports are not).
        Date.parse(idleSince(next)),
        final ? 1 : 0,
        this.retentionSec,
        id,
        opts.mark ?? '',
        ...extra,
      );
      if (res === 1) {
        if (closing) await this.releaseIncident(id, rawMeta);
        return { ok: true, record: next, effects: t.effects, from: record.state, duplicate: false };
      }
      if (res === -1) return { ok: false, reason: 'not_found', message: 'This triage no longer exists (it may have expired).' };
      if (res === -2) {
        const latest = await this.get(id);
        if (!latest) return { ok: false, reason: 'not_found', message: 'This triage no longer exists (it may have expired).' };
        return { ok: true, record: latest, effects: [], from: latest.state, duplicate: true };
      }
      // res === 0: someone else wrote first; re-read and let the machine decide again
      // (a click carrying expectedVersion now comes back `stale`).
    }
    return { ok: false, reason: 'conflict', message: CONFLICT_MESSAGE };
  }

  /** A closed triage's incident record expires after the retention (unless another triage holds it now). */
  private async releaseIncident(id: string, rawMeta: string | null): Promise<void> {
    const meta = rawMeta ? MetaSchema.safeParse(JSON.parse(rawMeta)) : null;
    const incidentKey = meta?.success ? meta.data.incidentKey : undefined;
    if (incidentKey) await this.redis.ctExpireIncident(this.keys.incident(incidentKey), id, this.incidentRetentionMs);
  }

  /** Values of idempotency marks (`done:…`), in order; null where unset. */
  async marks(id: string, fields: string[]): Promise<Array<number | null>> {
    if (fields.length === 0) return [];
    const vals = await this.redis.hmget(this.keys.triage(id), ...fields);
    return vals.map((v) => (v === null ? null : Number(v)));
  }

  async stepVersion(id: string, step: StepId): Promise<number | null> {
    const v = await this.redis.hget(this.keys.triage(id), `stepv:${step}`);
    return v === null ? null : Number(v);
  }

  async messageRef(id: string): Promise<MessageRef | null> {
    return parseAddress(await this.redis.hget(this.keys.triage(id), 'ref'));
  }

  async destination(id: string): Promise<Destination | null> {
    return parseAddress(await this.redis.hget(this.keys.triage(id), 'dest'));
  }

  /** Stores the card's reference (first one wins) and returns the stored one. */
  async setMessageRef(id: string, ref: MessageRef, renderedVersion: number): Promise<MessageRef | null> {
    const stored = await this.redis.ctSetRef(this.keys.triage(id), JSON.stringify(ref), renderedVersion);
    return parseAddress(stored);
  }

  /** Records that the card can never be posted, so the thread posts waiting for it stop. */
  async markCardFailed(id: string, reason: string): Promise<void> {
    const key = this.keys.triage(id);
    if ((await this.redis.exists(key)) === 1) await this.redis.hset(key, 'cardfail', reason.slice(0, 500));
  }

  /** Raises the "version shown on the card" marker; returns the marker's new value. */
  async raiseCardVersion(id: string, version: number): Promise<number> {
    return Number(await this.redis.ctRaise(this.keys.triage(id), 'cardv', version));
  }

  /**
   * Before a post: 'posted' when the marker is set (skip), 'claimed' when this run may post,
   * 'busy' when another run holds the lease (try later), 'gone' when the triage expired.
   */
  claimPost(id: string, marker: string, token: string, leaseMs: number): Promise<'posted' | 'claimed' | 'busy' | 'gone'> {
    return this.redis.ctClaimPost(this.keys.triage(id), this.keys.lease(id, marker), `posted:${marker}`, token, leaseMs);
  }

  async markPosted(id: string, marker: string, token: string): Promise<void> {
    await this.redis.ctMarkPosted(this.keys.triage(id), this.keys.lease(id, marker), `posted:${marker}`, token);
  }

  async releasePost(id: string, marker: string, token: string): Promise<void> {
    await this.redis.ctReleasePost(this.keys.lease(id, marker), token);
  }

  async isPosted(id: string, marker: string): Promise<boolean> {
    return (await this.redis.hexists(this.keys.triage(id), `posted:${marker}`)) === 1;
  }

  /** Non-final triages with no activity since `cutoffMs`, longest idle first (`offset` pages on). */
  async findStale(cutoffMs: number, limit = 100, offset = 0): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.active(), '-inf', cutoffMs, 'LIMIT', offset, limit);
  }
}

/** A stored record, checked for the fields every reader relies on (null when absent). */
export function parseRecord(raw: string | null): TriageRecord | null {
  if (!raw) return null;
  const parsed = RecordShape.safeParse(JSON.parse(raw));
  if (!parsed.success) throw new Error(`stored triage record is malformed: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data as unknown as TriageRecord;
}

export function createTriageStore(redis: Redis, opts: TriageStoreOptions = {}): TriageStore {
  return new TriageStore(redis, opts);
}
