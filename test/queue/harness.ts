/**
 * Test harness for the durable-triage tests: a unique key prefix per test, the real engine
 * against the Caracal simulator, a recording chat port, the service and any number of worker
 * sets; `close()` releases every handle so jest exits on its own.
 */
import type { Redis } from 'ioredis';
import pino from 'pino';
import { Registry } from 'prom-client';
import { createCaracalClient, type CaracalClientHandle } from '../../src/caracal/client';
import { createMemoryPort, type MemoryChatPort, type MemoryPortOptions } from '../support/memory-port';
import type { Destination } from '../../src/chat/port';
import type { TriageQueues } from '../../src/queue/queues';
import type { RedisTriageService } from '../../src/service/triage-service';
import type { WorkerHalf } from '../../src/app/worker';
import { createWorkerConnection } from '../../src/store/redis';
import { openService, startWorkerSet, type WorkerSetOptions } from '../support/halves';
import { createTriageSession } from '../../src/triage/session';
import type { TriageInput, TriageRecord } from '../../src/triage/record';
import type { StartTriageRequest } from '../../src/ingress/service-api';
import { simulatorConfig, startSimulator, type Scenario, type Simulator, type SimulatorOptions } from '../../sim';
import { startRedis, writeRefusals, type TestRedis, type WriteRefusals } from '../support/redis-server';

export const SIGNING_KEY = 'test-signing-key-0123456789abcdef0123456789';
export const silent = pino({ level: 'silent' });

let counter = 0;
export const uniquePrefix = (name: string): string => `ct-test-${name}-${process.pid}-${++counter}-${Date.now().toString(36)}:`;

export function inputOf(s: Scenario): TriageInput {
  return { requestId: s.input.requestId, zoneId: null, symptom: s.input.symptom ?? null, error: s.input.error ?? null };
}

export function configForSim(sim: Simulator) {
  return simulatorConfig(sim, { timeoutMs: 5000 });
}

export interface HarnessOptions {
  redisUrl?: string;
  scenario?: string;
  sim?: SimulatorOptions;
  /** The recording chat port's options (e.g. `onCall` to hold a call). */
  port?: MemoryPortOptions;
  /** Worker defaults for this harness (tests can override per startWorkers call). */
  worker?: Partial<WorkerSetOptions>;
}

export interface Harness {
  prefix: string;
  redis: Redis;
  sim: Simulator;
  client: CaracalClientHandle;
  port: MemoryChatPort;
  service: RedisTriageService;
  queues: TriageQueues;
  registry: Registry;
  /** Starts a worker half with its own Redis connections, as another worker process would. */
  startWorkers(over?: Partial<WorkerSetOptions>): WorkerHalf;
  startTriage(over?: Partial<StartTriageRequest>): Promise<string>;
  /** Polls until the triage is done collecting and every post it asked for is delivered. */
  waitSettled(triageId: string, timeoutMs?: number): Promise<TriageRecord>;
  close(): Promise<void>;
}

export async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function deleteByPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (found.length) await redis.del(...found);
  } while (cursor !== '0');
}

export async function createHarness(name: string, opts: HarnessOptions = {}): Promise<Harness> {
  const prefix = uniquePrefix(name);
  const redisUrl = opts.redisUrl ?? process.env.REDIS_URL!;
  const redis = createWorkerConnection(redisUrl);
  redis.on('error', () => undefined);
  const sim = await startSimulator({ scenario: opts.scenario ?? 'grant_missing', ...opts.sim });
  const client = createCaracalClient(configForSim(sim));
  const port = createMemoryPort(opts.port);
  const registry = new Registry();
  // Worker connections for the service too: they wait out a Redis restart (redis-restart.test.ts).
  const service = await openService({ redisUrl, role: 'worker', signingKey: SIGNING_KEY, prefix, logger: silent, registry, cardDebounceMs: 50 });
  const queues = service.queues;
  const workers: WorkerHalf[] = [];
  let n = 0;

  const h: Harness = {
    prefix,
    redis,
    sim,
    client,
    port,
    service,
    queues,
    registry,
    startWorkers(over = {}) {
      const w = startWorkerSet({
        redisUrl,
        signingKey: SIGNING_KEY,
        ports: { slack: port },
        client,
        createSession: createTriageSession,
        prefix,
        registry,
        logger: silent,
        cardDebounceMs: 50,
        sweepEveryMs: 0,
        limits: { slack: { post: { points: 50, durationSec: 1 }, update: { points: 50, durationSec: 1 } } },
        lockDurationMs: 5000,
        stalledIntervalMs: 1000,
        noCardDelayMs: 50,
        ...opts.worker,
        ...over,
      });
      workers.push(w);
      return w;
    },
    async startTriage(over = {}) {
      const dest: Destination = { platform: 'slack', channel: `C-${name}-${++n}` };
      const r = await service.start({
        input: inputOf(sim.scenario),
        destination: dest,
        actor: { kind: 'user', id: 'U123', name: 'oncall' },
        dedupeKey: `${prefix}${n}`,
        source: 'command',
        ...over,
      });
      return r.triageId;
    },
    async waitSettled(triageId, timeoutMs = 20_000) {
      return waitFor(
        `triage ${triageId} to settle`,
        async () => {
          const view = await service.store.view(triageId);
          if (!view || view.record.state === 'locating' || view.record.pending.length) return null;
          if (view.cardVersion < view.record.version) return null;
          // Every step's latest result is marked posted (by whichever process posted it).
          for (const s of view.record.steps) {
            const v = await service.store.stepVersion(triageId, s.id);
            if (!(await service.store.isPosted(triageId, `step.${s.id}.v${v}`))) return null;
          }
          return view.record;
        },
        timeoutMs,
      );
    },
    async close() {
      await Promise.all(workers.map((w) => w.close(5000)));
      await service.close();
      await deleteByPrefix(redis, prefix).catch(() => undefined);
      await redis.quit().catch(() => redis.disconnect());
      await client.close();
      await sim.close();
    },
  };
  return h;
}

/** A harness on a redis-server of its own, which can be made to refuse writes as a full one does. */
export interface RefusingRedisHarness {
  redis: TestRedis;
  writes: WriteRefusals;
  h: Harness;
  /** Writes allowed again, the harness closed, the server stopped. */
  close(): Promise<void>;
}

export async function createHarnessOnRefusingRedis(name: string, opts: Omit<HarnessOptions, 'redisUrl'> = {}): Promise<RefusingRedisHarness> {
  const redis = await startRedis();
  const writes = writeRefusals(redis.url);
  const h = await createHarness(name, { ...opts, redisUrl: redis.url });
  return {
    redis,
    writes,
    h,
    async close() {
      await writes.close();
      await h.close();
      await redis.destroy();
    },
  };
}

/** Calls per triage and method, delivered only. */
export function countBy(port: MemoryChatPort, triageId: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of port.delivered(triageId)) out[c.method] = (out[c.method] ?? 0) + 1;
  return out;
}
