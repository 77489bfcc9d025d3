/**
 * TriageService (src/ingress/service-api.ts) over the Redis store and the queues: what chat
 * adapters and webhooks call. `start` is a handful of Redis round trips (dedupe, open-triage
 * check and create in one script, one audit append, one job add) so adapters can call it before
 * their 3-second ack; everything slow happens in the workers.
 *
 * One card per open triage: a start whose command (channel, request ID, zone, symptom, pasted
 * error, kind) matches a triage that is still open creates nothing and answers with that
 * triage's card. Resolving, escalating or abandoning it frees the command (the store clears the
 * index in the same write), so the same command then starts a new triage. Asking again (the
 * same command, or a redelivery) for a triage that stopped, or whose job is gone, starts it
 * again (src/queue/reconciler.ts reviveTriage).
 *
 * It works over the process's TriageRedis (src/queue/triage-redis.ts), which in `start` it
 * shares with the worker half. It never waits for Redis: while a connection is down every call
 * fails at once, so a platform can still answer within its ack window. A web process's producer
 * connection does that by itself; the worker's connections that `start` shares wait out an
 * outage instead, hence the check here.
 */
import { createHash } from 'node:crypto';
import pino, { type Logger } from 'pino';
import type { AuditLog } from '../audit/log';
import { newTriageId } from '../store/ids';
import { CLOSING_STATES, type OpenEntry, type TriageStore } from '../store/triage-store';
import { addressIdentity } from '../chat/address';
import { newTriage } from '../triage/machine';
import type { EscalationTargets } from '../triage/record';
import { STEP_IDS } from '../triage/model';
import type { ApplyResult, AuditTrail, StartTriageRequest, StartTriageResult, TriageService, UserEvent } from '../ingress/service-api';
import type { Destination } from '../chat/address';
import { createTriageIndex, type TriageIndex } from '../store/triage-index';
import { within } from '../time/race';
import { carryOutEffects, enqueueCollect, enqueuePostCard, type EffectContext } from '../queue/effects';
import { collectionStopped, reviveTriage, type Revival } from '../queue/reconciler';
import type { TriageQueues } from '../queue/queues';
import type { TriageRedis } from '../queue/triage-redis';

export interface TriageServiceOptions {
  /** The process's store, audit log and queues (src/queue/triage-redis.ts). */
  redis: TriageRedis;
  /** How long an inbound delivery key is remembered (s); longer than Slack's redelivery window. */
  dedupeTtlSec?: number;
  /** Backstop lifetime of an open-triage index entry (s); closing the triage frees it at once. */
  openTtlSec?: number;
  cardDebounceMs?: number;
  logger?: Logger;
  now?: () => Date;
  newId?: () => string;
  /** Whom *Escalate* reaches when the triage's route named no one (TRIAGE_ESCALATE); null: no one. */
  escalation?: EscalationTargets | null;
  /**
   * The conversation a destination posts into, `<platform>:<id>` as settings write it (the
   * platform registry's, src/app/platforms.ts): what `list` finds a channel's triages by.
   * Absent: triages are listed workspace-wide and by person only.
   */
  placeOf?: (where: Destination) => string | null;
  /** Longest an export waits for the audit chain's check before leaving it unchecked (ms, default 5000). */
  verifyTimeoutMs?: number;
}

export interface RedisTriageService extends TriageService {
  readonly store: TriageStore;
  readonly index: TriageIndex;
  readonly audit: AuditLog;
  readonly queues: TriageQueues;
  /** Throws RedisDownError at once while Redis is down: for callers with their own Redis work (the incident desk). */
  ensureConnected(): void;
  /**
   * Someone asked again for an open triage (a redelivered incident): if it stopped, or its job
   * is gone or failed, start it again. What was done.
   */
  revive(triageId: string, actor: StartTriageRequest['actor'], source: string): Promise<Revival>;
}

/** Thrown at once, instead of waiting, while Redis is down. */
export class RedisDownError extends Error {
  constructor() {
    super('Redis is not connected');
    this.name = 'RedisDownError';
  }
}

export function createTriageService(opts: TriageServiceOptions): RedisTriageService {
  const { redis } = opts;
  const { store, audit, queues, metrics } = redis;
  const now = opts.now ?? (() => new Date());
  const newId = opts.newId ?? (() => newTriageId(now().getTime()));
  const logger = opts.logger ?? pino({ name: 'caracal-triage-service' });
  const ctx: EffectContext = { queues, audit, cardDebounceMs: opts.cardDebounceMs ?? 1000 };
  const dedupeTtlSec = opts.dedupeTtlSec ?? 3600;
  const openTtlSec = opts.openTtlSec ?? 30 * 24 * 3600;
  const up = (): void => {
    if (!redis.connected) throw new RedisDownError();
  };
  const stranded = { ...ctx, store, metrics, logger };
  const revive = async (triageId: string, actor: StartTriageRequest['actor'], source: string): Promise<Revival> => {
    const r = await reviveTriage(stranded, triageId, 'restart', actor, source);
    if (r === 'restarted' || r === 'requeued') {
      metrics.reconciled.inc({ action: r });
      logger.info({ triageId, source, action: r }, 'asked again for a triage that had stopped or lost its job; started it again');
    }
    return r;
  };
  const restarted = (r: Revival): boolean => r === 'restarted' || r === 'requeued';
  const index = createTriageIndex(store);
  const placeOf = opts.placeOf ?? (() => null);

  return {
    store,
    index,
    audit,
    queues,
    ensureConnected: up,
    revive: async (triageId, actor, source) => {
      up();
      return revive(triageId, actor, source);
    },

    async start(req: StartTriageRequest): Promise<StartTriageResult> {
      up();
      const { record } = newTriage(newId(), req.input, now(), req.incident ?? null);
      if (req.escalate) record.escalateTo = req.escalate;
      // The deployment the command or incident named (absent: the only one, or searched by the worker).
      if (req.input.deployment) record.deployment = req.input.deployment;
      const steps = req.steps?.length ? req.steps : [...STEP_IDS];
      // In collection order, so a collection queued again (reconciler.ts) keeps it.
      record.pending = [...steps];
      const meta = { source: req.source, actor: req.actor, postBundle: req.postBundle ?? false, ...(req.incidentKey ? { incidentKey: req.incidentKey } : {}) };
      const open: OpenEntry = { identity: commandIdentity(req), ttlSec: openTtlSec };
      let r = await store.create(record, req.destination, meta, req.dedupeKey, dedupeTtlSec, open);
      if (!r.created && r.reason === 'open') {
        const existing = await store.view(r.triageId);
        if (existing && !CLOSING_STATES.includes(existing.record.state)) {
          // A redelivery of this delivery is then "already started", like any other.
          await store.rememberDelivery(req.dedupeKey, r.triageId, dedupeTtlSec);
          metrics.started.inc({ source: req.source, created: 'open' });
          const again = restarted(await revive(r.triageId, req.actor, req.source));
          logger.info({ triageId: r.triageId, source: req.source, restarted: again }, 'same command while its triage is open; answered with its card');
          return { triageId: r.triageId, created: false, open: { card: existing.ref, link: existing.cardLink }, ...(again ? { restarted: true } : {}) };
        }
        // The entry outlived its triage (expired, or closed by a writer that predates the index).
        r = await store.create(record, req.destination, meta, req.dedupeKey, dedupeTtlSec, { ...open, replacing: r.triageId });
        if (!r.created && r.reason === 'open') return { triageId: r.triageId, created: false, open: { card: null, link: null } };
      }
      metrics.started.inc({ source: req.source, created: String(r.created) });
      if (!r.created) {
        // A redelivery. If the first start died before its job was queued, or the job failed
        // for good or is gone, start it again (reconciler.ts: the same job while nothing was
        // applied, else a new one).
        const again = restarted(await revive(r.triageId, req.actor, req.source));
        logger.debug({ triageId: r.triageId, source: req.source, restarted: again }, 'duplicate start');
        return { triageId: r.triageId, created: false, ...(again ? { restarted: true } : {}) };
      }
      await Promise.all([
        index.started(record.id, Date.parse(record.createdAt), placeOf(req.destination), req.actor),
        audit.append({
          actor: req.actor,
          action: 'start',
          source: req.source,
          triageId: record.id,
          requestId: record.input.requestId,
          from: null,
          to: record.state,
        }),
        enqueueCollect(ctx, record.id, steps, record.version),
        // Same job ID as the collection's own (src/queue/collect-processor.ts): one card either way.
        req.cardAtOnce ? enqueuePostCard(ctx, record.id) : undefined,
      ]);
      logger.info({ triageId: record.id, source: req.source, requestId: record.input.requestId }, 'triage started');
      return { triageId: record.id, created: true };
    },

    async apply(triageId: string, event: UserEvent, source: string): Promise<ApplyResult> {
      up();
      // Escalate reaches the triage's route's targets (on the record), else the default here.
      if (event.type === 'escalate' && event.defaults === undefined) event = { ...event, defaults: opts.escalation ?? null };
      // Retry on a triage a post stopped also collects, when its collection's job is dead too.
      if (event.type === 'retry' && event.collectionStopped === undefined) {
        const seen = await store.get(triageId);
        if (seen) event = { ...event, collectionStopped: await collectionStopped(queues, seen) };
      }
      const r = await store.apply(triageId, event);
      metrics.transitions.inc({ event: event.type, outcome: r.ok ? 'applied' : r.reason });
      if (!r.ok) return r;
      // A re-check is someone saying "I fixed it": its collection reads Caracal afresh.
      await Promise.all([
        carryOutEffects(ctx, r, source, { freshReads: event.type === 'recheck' }),
        event.actor.kind === 'user' && !r.duplicate ? index.touched(triageId, event.actor.id, Date.parse(r.record.updatedAt)) : undefined,
      ]);
      return { ok: true, record: r.record };
    },

    async list(q) {
      up();
      const place = q.place ?? (q.in ? placeOf(q.in) : undefined);
      // A destination no platform reads has no place: nothing is listed for it, rather than everything.
      if (q.in && !place) return { triages: [], more: false };
      return index.query({ ...(place ? { place } : {}), ...(q.actor ? { actor: q.actor } : {}), open: q.open ?? false, limit: q.limit });
    },

    placeOf: (where) => placeOf(where),

    find: async (triageId) => {
      up();
      return index.get(triageId);
    },

    async auditTrail(triageId, o = {}): Promise<AuditTrail> {
      up();
      const verify = o.verify ?? true;
      const [entries, verified] = await Promise.all([audit.trail(triageId), verify ? within(audit.verify(), opts.verifyTimeoutMs ?? 5000).catch(() => undefined) : undefined]);
      return { entries, chain: verified ? { ok: verified.ok, entries: verified.entries, ...(verified.reason ? { reason: verified.reason } : {}) } : null };
    },

    get: async (triageId) => {
      up();
      return store.get(triageId);
    },
    messageRef: async (triageId) => {
      up();
      return store.messageRef(triageId);
    },
    // The TriageRedis is the process's: it closes it after both halves (src/app/processes.ts).
    close: async () => undefined,
  };
}

/**
 * What makes two starts "the same command": where the card goes, the request, zone, symptom,
 * pasted error (hashed), whether it is a bundle request, and the deployment it reads when it
 * names one (the same request in staging and in production are two triages). An incident's
 * key carries its deployment the same way.
 */
export function commandIdentity(req: StartTriageRequest): string {
  const deployment = req.input.deployment ? [req.input.deployment] : [];
  if (req.openKey) return JSON.stringify(['open-key', req.openKey, ...deployment]);
  const { requestId, zoneId, symptom, error } = req.input;
  const errorHash = error ? createHash('sha256').update(error).digest('hex') : null;
  return JSON.stringify([addressIdentity(req.destination), requestId, zoneId, symptom, errorHash, req.postBundle ?? false, ...deployment]);
}
