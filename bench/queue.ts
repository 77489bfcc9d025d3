/**
 * bench/queue: drain 1,000 queued triages with one worker process (the real engine against the
 * Caracal simulator with no added latency; a recording chat port) and report triages per
 * second and the worker's peak RSS.
 *
 *   npm run bench:queue            (goal: ≥ 100 triages/s, ≤ 250 MB RSS on a 2-core machine)
 *
 * A triage counts as drained when its card is posted, all eight steps are posted in its thread
 * and the card has been updated to the final (routed) state: everything a user would see.
 * The simulator runs in a child process so it does not share the worker's event loop; Redis
 * is REDIS_URL, or a throwaway redis-server started here. Each triage posts to its own
 * channel, and the limiter allows 1000 posts/s per channel: the chat port is a recorder,
 * not Slack, so this measures the worker rather than Slack's one-message-per-second rule
 * (the limiter's Redis round trips still happen on every post).
 *
 * Concurrency is 32 collect and 32 post jobs (the worker's own defaults are 8 and 16): with the
 * shared read cache a collect job hardly waits on Caracal, so 64 of each only held ~40 MB more
 * for no more throughput.
 *
 * The worker reads Caracal through the shared read cache as `caracal-triage worker` does
 * (CARACAL_CACHE_TTL_MS, default 2000; 0 = every triage makes all its own calls).
 *
 * `npm run bench:queue` compiles the benchmarks (tsconfig.bench.json) and runs dist-bench/bench/queue.js,
 * because the worker runs compiled in production (bin/caracal-triage.js → dist). Run under tsx
 * instead, the same process also holds tsx's transpiler, the TypeScript sources and their source
 * maps: 60-90 MB more RSS and some CPU that a deployed worker does not have. The process
 * measured is the worker plus the web side that enqueued the triages beforehand (one Redis
 * connection and the progress map); Redis and the simulator run in their own processes.
 *
 * Knobs: BENCH_TRIAGES (1000), BENCH_COLLECT_CONCURRENCY (32), BENCH_POST_CONCURRENCY (32),
 * BENCH_SCENARIO (grant_missing), BENCH_ENGINE (real | fake: canned session, queue path alone),
 * CARACAL_CACHE_TTL_MS (2000).
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import IORedis from 'ioredis';
import pino from 'pino';
import { createRedactor } from '../src/redact/redact';
import { createCaracalClient } from '../src/caracal/client';
import { createSharedReadCache } from '../src/caracal/shared-cache';
import { createMemoryPort } from '../test/support/memory-port';
import type { CaracalConfig } from '../src/caracal/config';
import { openService, startWorkerSet } from '../test/support/halves';
import { createTriageSession } from '../src/triage/session';
import type { TriageInput } from '../src/triage/record';
import type { CreateTriageSession } from '../src/triage/session-api';
import { simulatorConfig, startSimulator, type Scenario } from '../sim';

const N = Number(process.env.BENCH_TRIAGES ?? 1000);
const COLLECT = Number(process.env.BENCH_COLLECT_CONCURRENCY ?? 32);
const POST = Number(process.env.BENCH_POST_CONCURRENCY ?? 32);
const SCENARIO = process.env.BENCH_SCENARIO ?? 'grant_missing';
/** `fake`: a canned in-process session instead of the engine, to measure the queue path alone. */
const ENGINE = process.env.BENCH_ENGINE ?? 'real';
const CACHE_TTL_MS = Number(process.env.CARACAL_CACHE_TTL_MS ?? 2000);
const SIGNING_KEY = 'bench-signing-key-0123456789abcdef0123456789';
const silent = pino({ level: 'silent' });

interface SimInfo {
  config: CaracalConfig;
  scenario: Scenario;
}

/** Child mode: run the simulator and hand its URLs to the parent; answers `count` with the requests it received. */
async function simulatorChild(): Promise<void> {
  const sim = await startSimulator({ scenario: SCENARIO, maxRecorded: 1 });
  process.on('message', (m) => m === 'count' && process.send!({ received: sim.received }));
  const info: SimInfo = {
    scenario: sim.scenario,
    config: simulatorConfig(sim, { timeoutMs: 10_000 }),
  };
  process.send!(info);
  process.on('disconnect', () => void sim.close().then(() => process.exit(0)));
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

async function ensureRedis(): Promise<{ url: string; child: ChildProcess | null }> {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, child: null };
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const probe = new IORedis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      return { url, child };
    } catch (e) {
      if (i > 100) {
        child.kill('SIGTERM');
        throw e;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** A session that answers at once with canned results (BENCH_ENGINE=fake). */
const fakeSession: CreateTriageSession = (_client, input) => ({
  input,
  runStep: async (id) => ({ id, verdict: id === 'grant_policy' ? 'fail' : 'pass', summary: `${id} checked`, cause: id === 'grant_policy' ? 'scope_not_granted' : undefined, evidence: { checked: id } }),
  collectBundle: async () => ({ items: [], redactions: 0 }),
  adminTokenRejection: () => null,
  names: async () => ({ zones: { 'zone-b': 'payments' }, applications: {}, resources: {}, policySets: {} }),
  conclude: () => ({ zoneId: 'zone-b', symptom: input.symptom, surface: 'sts_policy', diagnosis: { surface: 'sts_policy', step: 'grant_policy', cause: 'scope_not_granted', summary: 'No active grant covers the requested scopes.', confidence: 'high', change: null }, changes: [] }),
  run: async () => {
    throw new Error('not used by the worker');
  },
});

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};

/** Whatever this run started, stopped even when it fails. */
const cleanups: Array<() => void> = [];
process.on('exit', () => cleanups.forEach((f) => f()));

async function main(): Promise<void> {
  const redis = await ensureRedis();
  cleanups.push(() => redis.child?.kill('SIGTERM'));
  const simChild = fork(__filename, ['--simulator'], { stdio: 'inherit' });
  cleanups.push(() => simChild.connected && simChild.disconnect());
  const sim = await new Promise<SimInfo>((resolve) => simChild.once('message', (m) => resolve(m as SimInfo)));
  const prefix = `ct-bench-${process.pid}:`;

  // Progress per triage, from the recording port.
  const progress = new Map<string, { card: boolean; steps: Set<string>; final: boolean; startedAt: number; doneAt?: number }>();
  let drained = 0;
  let posts = 0;
  let resolveDone!: () => void;
  const allDone = new Promise<void>((r) => (resolveDone = r));
  const port = createMemoryPort({
    record: false,
    onCall: (c) => {
      if (c.outcome !== 'ok') return;
      posts++;
      const p = progress.get(c.triageId);
      if (!p || p.doneAt) return;
      if (c.method === 'postCard') p.card = true;
      if (c.method === 'postStep' && c.step) p.steps.add(c.step);
      if ((c.method === 'updateCard' || c.method === 'postCard') && c.state === 'routed') p.final = true;
      if (p.card && p.final && p.steps.size === 8) {
        p.doneAt = performance.now();
        if (++drained === N) resolveDone();
      }
    },
  });

  // Queue N triages first (the web side), then time the worker draining them.
  const service = await openService({ redisUrl: redis.url, signingKey: SIGNING_KEY, prefix, logger: silent, cardDebounceMs: 200 });
  const input: TriageInput = { requestId: sim.scenario.input.requestId, zoneId: null, symptom: sim.scenario.input.symptom ?? null, error: sim.scenario.input.error ?? null };
  const startLatency: number[] = [];
  const startAlone: number[] = [];
  const begin = async (i: number): Promise<void> => {
    const r = await service.start({
      input,
      destination: { platform: 'slack', channel: `C-bench-${i}` },
      actor: { kind: 'user', id: 'U-bench' },
      dedupeKey: `bench-${process.pid}-${i}`,
      source: 'bench',
    });
    progress.set(r.triageId, { card: false, steps: new Set(), final: false, startedAt: 0 });
  };
  // The first 100 one at a time: what an adapter waits for before its 3-second ack.
  const SEQUENTIAL = Math.min(100, N);
  for (let i = 0; i < SEQUENTIAL; i++) {
    const t0 = performance.now();
    await begin(i);
    startAlone.push(performance.now() - t0);
  }
  const tEnqueue = performance.now();
  for (let i = SEQUENTIAL; i < N; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, N - i) }, async (_, k) => {
        const t0 = performance.now();
        await begin(i + k);
        startLatency.push(performance.now() - t0);
      }),
    );
  }
  const enqueueMs = performance.now() - tEnqueue;

  const client = createCaracalClient(sim.config);
  const cache = createSharedReadCache(client, { ttlMs: CACHE_TTL_MS });
  const received = (): Promise<number> =>
    new Promise((resolve) => {
      simChild.once('message', (m) => resolve((m as { received: number }).received));
      simChild.send('count');
    });
  const callsBefore = await received();
  const redactor = createRedactor([]);
  const rssBeforeWorker = process.memoryUsage().rss / 1048576;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const p of progress.values()) p.startedAt = t0;
  const workers = startWorkerSet({
    redisUrl: redis.url,
    signingKey: SIGNING_KEY,
    ports: { slack: port },
    client: cache,
    freshClient: cache.fresh,
    createSession: ENGINE === 'fake' ? fakeSession : (c, i) => createTriageSession(c, i, { redactor }),
    prefix,
    logger: silent,
    collectConcurrency: COLLECT,
    postConcurrency: POST,
    cardDebounceMs: 200,
    sweepEveryMs: 0,
    limits: { slack: { post: { points: 1000, durationSec: 1 }, update: { points: 1000, durationSec: 1 } } },
  });
  const timeout = setTimeout(() => {
    console.error(`timed out: ${drained}/${N} drained after 300 s`);
    process.exit(1);
  }, 300_000);
  await allDone;
  const drainMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  clearTimeout(timeout);
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  const done = [...progress.values()].map((p) => (p.doneAt ?? 0) - p.startedAt);
  const caracalCalls = (await received()) - callsBefore;

  const jobCounts = new Map<string, number>();
  for (const v of (await workers.metrics.jobs.get()).values) {
    const name = `${String(v.labels.queue)}/${String(v.labels.job_name)}`;
    jobCounts.set(name, (jobCounts.get(name) ?? 0) + v.value);
  }
  const jobsTotal = [...jobCounts.values()].reduce((a, b) => a + b, 0);
  await workers.close(5000);
  await service.close();
  const cleaner = new IORedis(redis.url);
  let cursor = '0';
  do {
    const [next, found] = await cleaner.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (found.length) await cleaner.del(...found);
  } while (cursor !== '0');
  await cleaner.quit();
  await client.close();
  simChild.disconnect();
  redis.child?.kill('SIGTERM');

  const rate = N / (drainMs / 1000);
  console.log(`bench:queue  ${N} triages (scenario ${SCENARIO}, ${ENGINE === 'fake' ? 'canned in-process session' : 'real engine'}), one worker process (collect ×${COLLECT}, post ×${POST}), Node ${process.version}`);
  console.log(`  TriageService.start(): alone p50 ${pct(startAlone, 50).toFixed(2)} ms, p99 ${pct(startAlone, 99).toFixed(2)} ms; 50 in flight: ${((N - SEQUENTIAL) / (enqueueMs / 1000)).toFixed(0)}/s, p99 ${pct(startLatency, 99).toFixed(1)} ms`);
  console.log(`  drained in ${(drainMs / 1000).toFixed(2)} s: ${rate.toFixed(1)} triages/s (goal ≥ 100)  [${posts} chat calls, ${(posts / (drainMs / 1000)).toFixed(0)}/s]`);
  console.log(`  Caracal HTTP calls: ${caracalCalls} (${(caracalCalls / N).toFixed(1)} per triage; shared read cache TTL ${CACHE_TTL_MS} ms)`);
  console.log(`  BullMQ jobs run: ${(jobsTotal / N).toFixed(1)} per triage (${[...jobCounts].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${(v / N).toFixed(1)}`).join(', ')})`);
  console.log(`  time to final card from worker start: p50 ${(pct(done, 50) / 1000).toFixed(2)} s, max ${(Math.max(...done) / 1000).toFixed(2)} s`);
  console.log(`  worker process CPU while draining: ${((cpu.user + cpu.system) / 1000 / N).toFixed(2)} ms per triage (user ${(cpu.user / 1e6).toFixed(1)} s, system ${(cpu.system / 1e6).toFixed(1)} s): less sensitive to other load on the machine than triages/s`);
  console.log(`  worker process peak RSS: ${maxRssMb.toFixed(0)} MB (goal ≤ 250 MB); ${rssBeforeWorker.toFixed(0)} MB before the worker started (runtime, modules, the enqueued triages' bookkeeping)`);
  if (__filename.endsWith('.ts')) console.log('  (run under tsx: RSS and CPU include the transpiler and source maps; `npm run bench:queue` runs it compiled, as deployed)');
  console.log(`  reproduce: npm run bench:queue   (or, after npm run build:bench: BENCH_TRIAGES=${N} node dist-bench/bench/queue.js)`);
}

if (process.argv.includes('--simulator')) {
  void simulatorChild();
} else {
  main().catch((e: Error) => {
    console.error(e.stack ?? e.message);
    process.exit(1);
  });
}
