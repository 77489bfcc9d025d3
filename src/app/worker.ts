/**
 * The worker half of a process (`caracal-triage worker`, and `start` beside the web half),
 * composed here and nowhere else, from one options object, over the process's TriageRedis
 * (src/queue/triage-redis.ts: store, audit log, queues, connections):
 *
 *   collect queue  the collect processor (src/queue/collect-processor.ts), the escalation jobs'
 *                  PagerDuty calls (src/followup/escalation-processor.ts) and the sweep job:
 *                  idle triages reminded (src/followup/reminders.ts) and abandoned
 *                  (src/queue/sweeper.ts), triages whose job is missing or failed revived or
 *                  stopped (src/queue/reconciler.ts), idle pumps woken (src/posting)
 *   post queue     the post processor and its thread pump, through the limiter (src/posting)
 *   act queue      approval cards, decisions, fix proposals and their application (src/act)
 *
 * run by the BullMQ workers of src/queue/queue-workers.ts. `close()` stops taking jobs and
 * waits for running ones for a bounded time; the TriageRedis and the engine belong to the
 * process (src/app/processes.ts), which closes them after.
 */
import type { Logger } from 'pino';
import type { ActConfig } from '../act/config';
import { createActProcessor, type ActDeployment, type ActProcessor } from '../act/worker';
import type { CallBudget } from '../caracal/budget';
import type { DeploymentSettings } from '../caracal/deployments-file';
import type { CaracalClient } from '../caracal/client-api';
import type { CaracalConfig } from '../caracal/config';
import type { PlatformInstance } from '../ingress/platform';
import { ChatLimiter, type PlatformLimits } from '../posting/limiter';
import type { ChatPorts } from '../posting/ports';
import { createPostProcessor } from '../posting/post-processor';
import { createPostStore } from '../posting/post-store';
import { wakeBusyPumps } from '../posting/thread-pump';
import type { Platform } from '../chat/port';
import { createCollectProcessor } from '../queue/collect-processor';
import type { PagerDutyEventsSettings, PagerDutyNotesSettings } from '../followup/config';
import { createEscalationProcessor } from '../followup/escalation-processor';
import { remindIdle } from '../followup/reminders';
import { createRedactor, type Redactor } from '../redact/redact';
import { COLLECT_JOBS } from '../queue/jobs';
import type { TriageMetrics } from '../queue/metrics';
import type { TriageQueues } from '../queue/queues';
import { startQueueWorkers, type JobProcessor, type QueueWorkers, type QueueWorkersOptions } from '../queue/queue-workers';
import type { RetryPolicy } from '../queue/backoff';
import { reconcileStranded, recordFailedForGood } from '../queue/reconciler';
import { scheduleSweeps, sweepStale } from '../queue/sweeper';
import type { TriageRedis } from '../queue/triage-redis';
import { openDeployments, type Deployment, type Deployments } from '../triage/deployments';
import { createTriageService } from '../service/triage-service';
import { CHANNEL_ADDRESSES } from './platforms';
import type { CreateTriageSession } from '../triage/session-api';
import { settlesWithin } from '../time/race';
import type { WorkerConfig } from './config';
import { postingLimits } from './platforms';

export interface WorkerHalfOptions {
  /** The process's store, audit log, queues and connections; opened for the `worker` role. */
  redis: TriageRedis;
  /** What it posts through, by platform. */
  ports: ChatPorts;
  client: CaracalClient;
  /** Client for "Fixed, re-check" collections, which must not read from a shared cache (default `client`). */
  freshClient?: CaracalClient;
  createSession: CreateTriageSession;
  /**
   * Every deployment's engine (src/triage/deployments.ts): each triage reads its own
   * deployment's; absent, `client` and `createSession` read the one deployment.
   */
  deployments?: Deployments;
  logger: Logger;
  /** Run the collect worker and the sweeper (default true). */
  collect?: boolean;
  /** Run the post worker (default true). */
  post?: boolean;
  collectConcurrency?: number;
  postConcurrency?: number;
  /** Job lock; a worker that stops renewing it (killed) loses the job after this long. */
  lockDurationMs?: number;
  /** How often workers look for stalled jobs. */
  stalledIntervalMs?: number;
  maxStalledCount?: number;
  /** Shown as the job's `processedBy` (default `<host>-<pid>-<n>`). */
  name?: string;
  /** Over every registered platform's own limits (src/app/platforms.ts), by name. */
  limits?: Partial<Record<Platform, PlatformLimits>>;
  /** Card updates wait this long, so a burst of changes becomes one edit (default 1 s). */
  cardDebounceMs?: number;
  /** How long a post may be in flight before another run may retry it (ms); also the pump's lease. */
  leaseMs?: number;
  noCardDelayMs?: number;
  maxNoCardWaits?: number;
  /** Triages idle this long become `abandoned` (TRIAGE_ABANDON_AFTER, default 24 h). */
  staleAfterMs?: number;
  /** Triages idle this long get one reminder in their thread (TRIAGE_REMIND_AFTER, default 2 h; null: none). */
  remindAfterMs?: number | null;
  /** Where escalations page PagerDuty (PAGERDUTY_ROUTING_KEY, PAGERDUTY_EVENTS_URL); null: not set here. */
  pagerduty?: PagerDutyEventsSettings | null;
  /** Notes on PagerDuty incidents (PAGERDUTY_API_TOKEN, PAGERDUTY_FROM_EMAIL); null: none. */
  notes?: PagerDutyNotesSettings | null;
  /** Redacts what goes to PagerDuty, and a failed job's error before the card shows it (default: the generic rules only). */
  redactor?: Redactor;
  /** The escalation job's waits (tests shorten them): first retry, tries per delivery, waits for the card. */
  escalationTiming?: { retryDelayMs?: number; maxTries?: number; cardWaitMs?: number };
  /** Sweep interval (default 60 s; 0 disables the scheduler). */
  sweepEveryMs?: number;
  /** Default for close(): the whole of it, running jobs included (7 s, inside the 9 s process bound). */
  shutdownTimeoutMs?: number;
  /** Acting from chat (src/act): runs the act worker; absent, act jobs wait for a worker that has it. */
  act?: { config: ActConfig; caracal: CaracalConfig; redactor: Redactor; signingKey: string; pollMs?: number; buttonTtlSeconds?: number };
  /** Waits between a job's attempts (default 1 s doubling to 2 min: 12 attempts span about 10 minutes). */
  retry?: RetryPolicy;
  /** An open triage idle this long has its jobs looked at by the sweep's reconciler (default 2 min). */
  reconcileGraceMs?: number;
}

export interface WorkerHalf extends QueueWorkers {
  queues: TriageQueues;
  metrics: TriageMetrics;
  /** The platforms it posts to. */
  platforms: string[];
}

export function startWorkerHalf(o: WorkerHalfOptions): WorkerHalf {
  const { redis, logger } = o;
  const { store, audit, queues, metrics, watch } = redis;
  if (!redis.bull) throw new Error('the worker half needs a TriageRedis opened for the worker role');
  // First, before anything runs: the limiter defines its scripts on `data` (triage-redis.ts).
  const limiter = new ChatLimiter(redis.data, redis.prefix, { ...postingLimits(), ...o.limits });
  const posts = createPostStore(store);
  const effects = { queues, audit, cardDebounceMs: o.cardDebounceMs ?? 1000, recentCardUpdates: new Map<string, number>() };
  const redactor = o.redactor ?? createRedactor();
  const stranded = { ...effects, store, metrics, logger, redactText: (text: string) => redactor.redactText(text).text };

  const processors: QueueWorkersOptions['processors'] = {};
  if (o.collect ?? true) {
    // A request found in several deployments gets a triage in each: started here like any other.
    const siblings = o.deployments?.several ? createTriageService({ redis, logger, placeOf: CHANNEL_ADDRESSES.place }) : null;
    const collect = createCollectProcessor({
      ...effects,
      store,
      client: o.client,
      freshClient: o.freshClient,
      createSession: o.createSession,
      deployments: o.deployments,
      ...(siblings ? { startTriage: (req: Parameters<typeof siblings.start>[0]) => siblings.start(req) } : {}),
      metrics,
      logger,
    });
    const staleAfterMs = o.staleAfterMs ?? 24 * 3600 * 1000;
    const remindAfterMs = o.remindAfterMs === undefined ? 2 * 3600 * 1000 : o.remindAfterMs;
    const sweep = async (): Promise<{ abandoned: string[]; reminded: string[] }> => {
      const { reminded } = remindAfterMs !== null ? await remindIdle({ ...effects, store, logger, remindAfterMs, abandonAfterMs: staleAfterMs }) : { reminded: [] };
      const swept = await sweepStale({ ...effects, store, metrics, logger, staleAfterMs });
      await reconcileStranded({ ...stranded, graceMs: o.reconcileGraceMs ?? 120_000 });
      await wakeBusyPumps({ queues, posts });
      return { ...swept, reminded };
    };
    const escalate = createEscalationProcessor({
      ...effects,
      store,
      logger,
      redactor,
      pagerduty: o.pagerduty ?? null,
      notes: o.notes ?? null,
      ...o.escalationTiming,
    });
    const run: JobProcessor = (job, token) => {
      if (job.name === COLLECT_JOBS.sweep) return sweep();
      if (job.name === COLLECT_JOBS.escalate || job.name === COLLECT_JOBS.pagerdutyResolve) return escalate(job, token);
      return collect(job);
    };
    processors.collect = { process: run, concurrency: o.collectConcurrency ?? 8 };
  }
  if (o.post ?? true) {
    const run = createPostProcessor({
      store,
      posts,
      queues,
      cardDebounceMs: effects.cardDebounceMs,
      ports: o.ports,
      limiter,
      metrics,
      logger,
      leaseMs: o.leaseMs ?? 30_000,
      noCardDelayMs: o.noCardDelayMs ?? 250,
      maxNoCardWaits: o.maxNoCardWaits ?? 40,
    });
    processors.post = { process: run, concurrency: o.postConcurrency ?? 16 };
  }
  let act: ActProcessor | null = null;
  if (o.act) {
    act = createActProcessor({
      config: o.act.config,
      caracal: o.act.caracal,
      // Each deployment acts with its own tokens, reads and budget (a staging fix never calls production).
      ...(o.deployments ? { deployments: o.deployments.all.map(actDeployment) } : {}),
      store,
      queues,
      audit,
      ports: o.ports,
      limiter,
      redactor: o.act.redactor,
      reads: o.freshClient ?? o.client,
      createSession: o.createSession,
      signingKey: o.act.signingKey,
      logger,
      pollMs: o.act.pollMs,
      buttonTtlSeconds: o.act.buttonTtlSeconds,
    });
    processors.act = { process: (job, token) => act!.process(job, token), concurrency: 8 };
  }

  const workers = startQueueWorkers({
    connection: redis.bull,
    queues,
    processors,
    metrics,
    logger,
    watch,
    lockDurationMs: o.lockDurationMs,
    stalledIntervalMs: o.stalledIntervalMs,
    maxStalledCount: o.maxStalledCount,
    name: o.name,
    retry: o.retry,
    onFailedForGood: (queue, job, err) => recordFailedForGood(stranded, queue, job, err),
  });
  const sweepEveryMs = o.sweepEveryMs ?? 60_000;
  if (processors.collect && sweepEveryMs > 0) scheduleSweeps(queues, sweepEveryMs, watch, logger);

  const platforms = Object.keys(o.ports);
  if (platforms.length === 0) logger.warn('worker started with no chat platform configured: it collects evidence, but its posting jobs fail');
  else logger.info({ platforms }, 'worker started');

  let closing: Promise<void> | null = null;
  return {
    ...workers,
    queues,
    metrics,
    platforms,
    close(timeoutMs = o.shutdownTimeoutMs ?? 7000) {
      closing ??= workers.close(timeoutMs).then(async () => {
        await act?.close();
        logger.info('worker stopped');
      });
      return closing;
    },
  };
}

/** A deployment of the registry as the act worker uses it: its tokens, fresh reads, sessions and budget. */
function actDeployment(d: Deployment): ActDeployment {
  return { name: d.name, caracal: d.settings.caracal, approveToken: d.settings.approveToken ?? null, fixToken: d.settings.fixToken ?? null, reads: d.engine.freshClient, createSession: d.engine.createSession, budget: d.engine.budget };
}

/** What the worker half reads Caracal and posts with: the engine and every configured platform's port. */
export interface WorkerEngine {
  ports: ChatPorts;
  /** Knows the configured secrets: what the worker sends out (PagerDuty) is redacted with it. */
  redactor: Redactor;
  /** The first deployment's (the only one without CARACAL_DEPLOYMENTS_FILE). */
  client: CaracalClient;
  freshClient: CaracalClient;
  createSession: CreateTriageSession;
  /** Every deployment's engine: what the collections read through. */
  deployments: Deployments;
  /** Closes the Caracal pools without waiting long for in-flight calls (a forced shutdown must not). */
  close(): Promise<void>;
}

export function workerEngine(config: WorkerConfig, o: { platforms: readonly PlatformInstance[]; logger: Logger; ports?: ChatPorts; budgetFor?: (d: DeploymentSettings) => CallBudget }): WorkerEngine {
  // Triages running in this process share deployment-level reads for a moment (readiness,
  // zones, grants…): fewer calls against Caracal's per-IP rate limit during an incident.
  // Re-checks read past it (freshClient).
  // One engine per deployment, each with its own pools and shared reads: nothing read from one is served for another.
  // Every Admin API call takes from its deployment's budget, which all of the bot's processes share (src/app/watch.ts).
  const deployments = openDeployments(config.deployments.deployments, config.secrets, { shareReadsForMs: config.runtime.cacheTtlMs, ...(o.budgetFor ? { budgetFor: o.budgetFor } : {}) });
  const engine = deployments.all[0]!.engine;
  // The triage card offers *Propose fix* only where a fix could be applied (src/act): its
  // deployment has a fix token (its `fixTokenFile`; CARACAL_FIX_TOKEN for the single deployment).
  const canFix = (name: string | undefined): boolean => {
    const d = name ? deployments.get(name) : deployments.only;
    return !!(d?.settings.fixToken ?? (d ? config.acts.fixToken : null));
  };
  const portContext = { signingKey: config.runtime.signingKey, logger: o.logger, links: config.links, acts: { proposeFix: canFix } };
  const ports: ChatPorts = { ...Object.fromEntries(o.platforms.map((p) => [p.platform, p.port(portContext)])), ...o.ports };
  return {
    ports,
    redactor: engine.redactor,
    client: engine.client,
    freshClient: engine.freshClient,
    createSession: engine.createSession,
    deployments,
    close: async () => {
      await settlesWithin(deployments.close(), 500);
    },
  };
}
