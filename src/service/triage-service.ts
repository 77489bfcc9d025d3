/**
 * TriageService (src/triage/service-api.ts) over the Redis store and the queues: what chat
 * adapters and webhooks call. `start` is a handful of Redis round trips (dedupe, open-triage
 * check and create in one script, one audit append, one job add) so adapters can call it before
 * their 3-second ack; everything slow happens in the workers.
 *
 * One card per open triage: a start whose command (channel, request ID, zone, symptom, pasted
 * error, kind) matches a triage that is still open creates nothing and answers with that
 * triage's card. Resolving, escalating or abandoning it frees the command (the store clears the
 * index in the same write), so the same command then starts a new triage.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import pino, { type Logger } from 'pino';
import { Registry } from 'prom-client';
import { createAuditLog, type AuditLog } from '../audit/log';
import { newTriageId } from '../store/ids';
import { DEFAULT_PREFIX } from '../store/keys';
import { createProducerConnection, waitReady } from '../store/redis';
import { CLOSING_STATES, createTriageStore, type OpenEntry, type TriageStore } from '../store/triage-store';
import { addressIdentity } from '../chat/address';
import { newTriage } from '../triage/machine';
import { STEP_IDS } from '../triage/model';
import type { ApplyResult, StartTriageRequest, StartTriageResult, TriageService, UserEvent } from '../triage/service-api';
import { carryOutEffects, enqueueCollect, type EffectContext } from '../queue/effects';
import { triageMetrics, type TriageMetrics } from '../queue/metrics';
import { createQueues, type TriageQueues } from '../queue/queues';
import type { ReadinessCheck } from '../ingress/readiness';

export interface TriageServiceOptions {
  redis: Redis;
  queues: TriageQueues;
  signingKey: string;
  prefix?: string;
  /** How long an inbound delivery key is remembered (s); longer than Slack's redelivery window. */
  dedupeTtlSec?: number;
  /** Backstop lifetime of an open-triage index entry (s); closing the triage frees it at once. */
  openTtlSec?: number;
  cardDebounceMs?: number;
  metrics?: TriageMetrics | Registry;
  logger?: Logger;
  now?: () => Date;
  newId?: () => string;
  /** Called by close(): release what the service owns. */
  onClose?: () => Promise<void>;
}

export interface RedisTriageService extends TriageService {
  readonly store: TriageStore;
  readonly audit: AuditLog;
  readonly queues: TriageQueues;
  /** `redis` for /readyz: a PING over the service's own connection. */
  readonly readiness: ReadinessCheck;
}

export function createTriageService(opts: TriageServiceOptions): RedisTriageService {
  const prefix = opts.prefix ?? DEFAULT_PREFIX;
  const now = opts.now ?? (() => new Date());
  const newId = opts.newId ?? (() => newTriageId(now().getTime()));
  const metrics = opts.metrics instanceof Registry || opts.metrics === undefined ? triageMetrics(opts.metrics) : opts.metrics;
  const logger = opts.logger ?? pino({ name: 'caracal-triage-service' });
  const store = createTriageStore(opts.redis, { prefix, now });
  const audit = createAuditLog(opts.redis, { prefix, signingKey: opts.signingKey, now, onFailure: () => metrics.auditFailures.inc() });
  metrics.trackQueues([opts.queues.collect, opts.queues.post]);
  const ctx: EffectContext = { queues: opts.queues, audit, cardDebounceMs: opts.cardDebounceMs ?? 1000 };
  const dedupeTtlSec = opts.dedupeTtlSec ?? 3600;
  const openTtlSec = opts.openTtlSec ?? 30 * 24 * 3600;

  const where = `redis://${opts.redis.options.host ?? '?'}:${opts.redis.options.port ?? '?'}`;
  return {
    store,
    audit,
    queues: opts.queues,
    readiness: {
      name: 'redis',
      check: async () => {
        // A plain sentence, shown in /readyz and in chat's status: a system error code at most,
        // never ioredis's own wording ("Stream isn't writeable and enableOfflineQueue options is false").
        const pong = await opts.redis.ping().catch((e: NodeJS.ErrnoException) => `cannot reach Redis at ${where}${e.code && /^E[A-Z]+$/.test(e.code) ? ` (${e.code})` : ': the connection is down and the bot is reconnecting'}`);
        return pong === 'PONG' ? undefined : pong;
      },
    },

    async start(req: StartTriageRequest): Promise<StartTriageResult> {
      const { record } = newTriage(newId(), req.input, now(), req.incident ?? null);
      const steps = req.steps?.length ? req.steps : [...STEP_IDS];
      const meta = { source: req.source, actor: req.actor, postBundle: req.postBundle ?? false };
      const open: OpenEntry = { identity: commandIdentity(req), ttlSec: openTtlSec };
      let r = await store.create(record, req.destination, meta, req.dedupeKey, dedupeTtlSec, open);
      if (!r.created && r.reason === 'open') {
        const existing = await store.view(r.triageId);
        if (existing && !CLOSING_STATES.includes(existing.record.state)) {
          // A redelivery of this delivery is then "already started", like any other.
          await store.rememberDelivery(req.dedupeKey, r.triageId, dedupeTtlSec);
          metrics.started.inc({ source: req.source, created: 'open' });
          logger.info({ triageId: r.triageId, source: req.source }, 'same command while its triage is open; answered with its card');
          return { triageId: r.triageId, created: false, open: { card: existing.ref, link: existing.cardLink } };
        }
        // The entry outlived its triage (expired, or closed by a writer that predates the index).
        r = await store.create(record, req.destination, meta, req.dedupeKey, dedupeTtlSec, { ...open, replacing: r.triageId });
        if (!r.created && r.reason === 'open') return { triageId: r.triageId, created: false, open: { card: null, link: null } };
      }
      metrics.started.inc({ source: req.source, created: String(r.created) });
      if (!r.created) {
        // A redelivery. If the first start died before its jobs were queued, queue them now:
        // the job IDs are fixed, so this adds nothing when they exist.
        const existing = await store.get(r.triageId);
        if (existing?.version === 1) await enqueueCollect(ctx, r.triageId, steps, 1);
        logger.debug({ triageId: r.triageId, source: req.source }, 'duplicate start ignored');
        return { triageId: r.triageId, created: false };
      }
      await Promise.all([
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
      ]);
      logger.info({ triageId: record.id, source: req.source, requestId: record.input.requestId }, 'triage started');
      return { triageId: record.id, created: true };
    },

    async apply(triageId: string, event: UserEvent, source: string): Promise<ApplyResult> {
      const r = await store.apply(triageId, event);
      metrics.transitions.inc({ event: event.type, outcome: r.ok ? 'applied' : r.reason });
      if (!r.ok) return r;
      // A re-check is someone saying "I fixed it": its collection reads Caracal afresh.
      await carryOutEffects(ctx, r, source, { freshReads: event.type === 'recheck' });
      return { ok: true, record: r.record };
    },

    get: (triageId) => store.get(triageId),
    messageRef: (triageId) => store.messageRef(triageId),
    close: async () => {
      await opts.onClose?.();
    },
  };
}

/**
 * What makes two starts "the same command": where the card goes, the request, zone, symptom,
 * pasted error (hashed), and whether it is a bundle request.
 */
export function commandIdentity(req: StartTriageRequest): string {
  if (req.openKey) return JSON.stringify(['open-key', req.openKey]);
  const { requestId, zoneId, symptom, error } = req.input;
  const errorHash = error ? createHash('sha256').update(error).digest('hex') : null;
  return JSON.stringify([addressIdentity(req.destination), requestId, zoneId, symptom, errorHash, req.postBundle ?? false]);
}

/**
 * The service for a web process: its own fail-fast producer connection and queues, released
 * by close().
 */
export async function openTriageService(
  opts: Omit<TriageServiceOptions, 'redis' | 'queues' | 'onClose'> & { redisUrl: string; readyTimeoutMs?: number },
): Promise<RedisTriageService> {
  const redis = createProducerConnection(opts.redisUrl);
  redis.on('error', () => undefined); // surfaced by the failing calls; avoid unhandled 'error' events
  try {
    await waitReady(redis, opts.readyTimeoutMs ?? 5000);
  } catch (e) {
    redis.disconnect();
    throw e;
  }
  const queues = createQueues(redis, { prefix: opts.prefix });
  return createTriageService({
    ...opts,
    redis,
    queues,
    onClose: async () => {
      await queues.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  });
}
