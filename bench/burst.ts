/**
 * bench/burst: a burst of 1,000 triages over 5 zones whose zone is known (as incidents and the
 * deny watcher's patterns carry it), drained by one worker reading Caracal as `worker` does:
 * the shared read cache and the one call budget in Redis (CARACAL_API_BUDGET_PER_MIN, 500), the
 * stall clock keeping step deadlines off the wait. The simulator enforces Caracal's own limit,
 * 600 Admin API calls per clock minute, answering 429 above it.
 *
 *   npm run bench:burst     (goals: ≤ 1.5 Admin API calls per triage; 0 answers of 429)
 *
 * Side by side in one run: the burst as deployed, then BENCH_BASELINE_TRIAGES more triages of
 * the same kind through a worker that shares no reads (CARACAL_CACHE_TTL_MS=0, every triage
 * makes all its own calls; per triage that does not depend on how many run, so a smaller
 * sample keeps the run short), on the same budget and simulator; prints both, and the ratio.
 * Prints Admin API calls per triage (and by route), 429s, the time each took and how long
 * calls waited for the budget. At 500 calls a minute a burst this size takes minutes: the
 * budget, not the worker, sets the pace. Knobs: BENCH_TRIAGES (1000), BENCH_BASELINE_TRIAGES
 * (200; 0 skips it), BENCH_ZONES (5), CARACAL_API_BUDGET_PER_MIN (500), CARACAL_CACHE_TTL_MS
 * (2000), BENCH_RATE_LIMIT (600).
 */
import { performance } from 'node:perf_hooks';
import IORedis from 'ioredis';
import pino from 'pino';
import type { CaracalConfig } from '../src/caracal/config';
import { redisCallBudget } from '../src/store/caracal-budget';
import { createTriageEngine } from '../src/triage/engine';
import { createMemoryPort } from '../test/support/memory-port';
import { openService, startWorkerSet } from '../test/support/halves';
import { APP_ID, RESOURCE_IDENTIFIER, denialRows, simulatorConfig, startSimulator, watchScenario, watchZoneId } from '../sim';
import { cleanups, deleteByPrefix, ensureRedis, forkSimulator, runToExit, type SimChild, type SimCounts } from './support';

const N = Number(process.env.BENCH_TRIAGES ?? 1000);
const ZONES = Number(process.env.BENCH_ZONES ?? 5);
const BUDGET = Number(process.env.CARACAL_API_BUDGET_PER_MIN ?? 500);
const CACHE_TTL_MS = Number(process.env.CARACAL_CACHE_TTL_MS ?? 2000);
const LIMIT = Number(process.env.BENCH_RATE_LIMIT ?? 600);
const BASELINE = Number(process.env.BENCH_BASELINE_TRIAGES ?? 200);
const BUDGET_PREFIX = `ct-burst-${process.pid}-budget:`;
const SIGNING_KEY = 'bench-signing-key-0123456789abcdef0123456789';
const silent = pino({ level: 'silent' });

interface Info {
  config: CaracalConfig;
  requests: Array<{ requestId: string; zoneId: string }>;
}

/** Admin API routes by shape: IDs and queries removed. */
const routeOf = (path: string): string =>
  path
    .replace(/^\/v1\/zones\/[^/]+/, '/v1/zones/{z}')
    .replace(/\/by-request\/[^/]+/, '/by-request/{r}')
    .replace(/\/(resources|applications|providers|grants|policy-sets)\/[^/]+/g, '/$1/{id}');

async function simulatorChild(): Promise<void> {
  const sim = await startSimulator({ scenario: watchScenario(ZONES), rateLimitPerMinute: LIMIT, maxRecorded: 100_000 });
  const now = Date.now();
  const requests: Info['requests'] = [];
  for (let i = 0; i < N + BASELINE; i++) {
    const zoneId = watchZoneId(i % ZONES);
    const requestId = `req-burst-${i}`;
    requests.push({ requestId, zoneId });
    const at = now - 600_000 + Math.floor((i / (N + BASELINE)) * 590_000);
    // The zones' own application and resource (zone B's inventory), as a real burst's would be.
    sim.streamAudit(denialRows({ zoneId, applicationId: APP_ID, resource: RESOURCE_IDENTIFIER, reason: 'role_scope_mismatch', kind: 'policy', requestId, occurredAt: at, ingestedAt: at + 1000 }));
  }
  process.on('message', (m) => {
    if (m !== 'count') return;
    const byRoute: Record<string, number> = {};
    for (const r of sim.requests) if (r.service === 'api' && r.path.startsWith('/v1/')) byRoute[routeOf(r.path)] = (byRoute[routeOf(r.path)] ?? 0) + 1;
    process.send!({ received: sim.received, v1Calls: sim.v1Calls, rateLimited: sim.rateLimited, pendingAudit: sim.pendingAudit, byRoute });
  });
  process.send!({ config: simulatorConfig(sim, { timeoutMs: 10_000 }), requests } satisfies Info);
  process.on('disconnect', () => void sim.close().then(() => process.exit(0)));
}

interface BurstRun {
  label: string;
  triages: number;
  calls: number;
  routes: Array<readonly [string, number]>;
  rateLimited: number;
  budgetSaw429: number;
  seconds: number;
  waits: number;
  waitedS: number;
}

/** Drains `requests` through one worker whose engine shares reads for `cacheTtlMs` (0: none), on the shared budget. */
async function runBurst(label: string, sim: SimChild<Info>, redisUrl: string, requests: Info['requests'], cacheTtlMs: number): Promise<BurstRun> {
  const prefix = `ct-burst-${process.pid}-${cacheTtlMs}:`;
  const n = requests.length;
  let drained = 0;
  let resolveDone!: () => void;
  const allDone = new Promise<void>((r) => (resolveDone = r));
  const progress = new Map<string, { card: boolean; steps: Set<string>; final: boolean; done: boolean }>();
  const port = createMemoryPort({
    record: false,
    onCall: (c) => {
      const p = progress.get(c.triageId);
      if (c.outcome !== 'ok' || !p || p.done) return;
      if (c.method === 'postCard') p.card = true;
      if (c.method === 'postStep' && c.step) p.steps.add(c.step);
      if ((c.method === 'updateCard' || c.method === 'postCard') && c.state === 'routed') p.final = true;
      if (p.card && p.final && p.steps.size === 8) {
        p.done = true;
        if (++drained === n) resolveDone();
      }
    },
  });

  const service = await openService({ redisUrl, signingKey: SIGNING_KEY, prefix, logger: silent, cardDebounceMs: 200 });
  for (const [i, r] of requests.entries()) {
    const s = await service.start({ input: { requestId: r.requestId, zoneId: r.zoneId, symptom: null, error: null }, destination: { platform: 'slack', channel: `C-burst-${i}` }, actor: { kind: 'system', id: 'bench' }, dedupeKey: `burst-${process.pid}-${cacheTtlMs}-${i}`, source: 'bench' });
    progress.set(s.triageId, { card: false, steps: new Set(), final: false, done: false });
  }

  const budgetRedis = new IORedis(redisUrl, { maxRetriesPerRequest: null });
  const waits = { n: 0, ms: 0, rateLimited: 0 };
  // One budget key for both runs (BUDGET_PREFIX): the second starts on what the first left in the window.
  const budget = redisCallBudget(budgetRedis, BUDGET_PREFIX, {
    deployment: 'default',
    perMinute: BUDGET,
    onWait: (_r, ms) => {
      waits.n++;
      waits.ms += ms;
    },
    onRateLimited: () => waits.rateLimited++,
  });
  // The engine as `worker` builds it: the read cache and the budget (src/app/worker.ts).
  const engine = createTriageEngine(sim.info.config, [], { shareReadsForMs: cacheTtlMs, budget });
  const before = (await sim.counts()) as SimCounts & { byRoute: Record<string, number> };
  const t0 = performance.now();
  const workers = startWorkerSet({
    redisUrl,
    signingKey: SIGNING_KEY,
    ports: { slack: port },
    client: engine.client,
    freshClient: engine.freshClient,
    createSession: engine.createSession,
    prefix,
    logger: silent,
    collectConcurrency: 32,
    postConcurrency: 32,
    cardDebounceMs: 200,
    sweepEveryMs: 0,
    limits: { slack: { post: { points: 1000, durationSec: 1 }, update: { points: 1000, durationSec: 1 } } },
  });
  const timeout = setTimeout(() => {
    console.error(`${label}: timed out: ${drained}/${n} drained after 20 min`);
    process.exit(1);
  }, 1_200_000);
  await allDone;
  clearTimeout(timeout);
  const seconds = (performance.now() - t0) / 1000;
  const after = (await sim.counts()) as SimCounts & { byRoute: Record<string, number> };
  const routes = Object.entries(after.byRoute)
    .map(([route, k]) => [route, k - (before.byRoute[route] ?? 0)] as const)
    .filter(([, k]) => k > 0)
    .sort((a, b) => b[1] - a[1]);
  await workers.close(5000);
  await service.close();
  await engine.close();
  budgetRedis.disconnect();
  await deleteByPrefix(redisUrl, prefix);
  return { label, triages: n, calls: after.v1Calls - before.v1Calls, routes, rateLimited: after.rateLimited - before.rateLimited, budgetSaw429: waits.rateLimited, seconds, waits: waits.n, waitedS: waits.ms / 1000 };
}

async function main(): Promise<void> {
  const redisUrl = await ensureRedis();
  const sim = await forkSimulator<Info>(__filename);
  cleanups.push(() => sim.close());
  // As deployed first, then the same kind of triages with every read its own (no shared cache):
  // without the cache no triage shares a call, so calls per triage do not depend on how many run.
  const deployed = await runBurst(`read cache ${CACHE_TTL_MS} ms (as deployed)`, sim, redisUrl, sim.info.requests.slice(0, N), CACHE_TTL_MS);
  const baseline = BASELINE > 0 ? await runBurst('no shared reads (CARACAL_CACHE_TTL_MS=0)', sim, redisUrl, sim.info.requests.slice(N, N + BASELINE), 0) : null;
  await deleteByPrefix(redisUrl, BUDGET_PREFIX);
  sim.close();

  const per = (r: BurstRun): number => r.calls / r.triages;
  console.log(`bench:burst  triages over ${ZONES} zones, zone known; one worker (collect ×32); budget ${BUDGET}/min shared in Redis; simulator limit ${LIMIT}/min (429 above); Node ${process.version}`);
  const w = [44, 9, 12, 12, 6, 10, 22];
  const row = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('');
  console.log(row(['run', 'triages', 'API calls', 'per triage', '429s', 'drained', 'budget waits (sum)']));
  for (const r of [deployed, baseline].filter((x): x is BurstRun => x !== null)) {
    console.log(row([r.label, String(r.triages), String(r.calls), per(r).toFixed(2), String(r.rateLimited), `${r.seconds.toFixed(0)} s`, `${r.waits} (${r.waitedS.toFixed(0)} s)`]));
  }
  console.log(`  goal: ≤ 1.5 Admin API calls per triage as deployed (${per(deployed) <= 1.5 ? 'met' : 'MISSED'}); 0 answers of 429 (${deployed.rateLimited + (baseline?.rateLimited ?? 0) === 0 ? 'met' : 'MISSED'})`);
  if (baseline) console.log(`  ratio: ${(per(baseline) / per(deployed)).toFixed(1)}× fewer Admin API calls per triage with the shared read cache than without it`);
  console.log(`  as deployed, by route (per triage): ${deployed.routes.map(([r, k]) => `${r} ${k} (${(k / deployed.triages).toFixed(2)})`).join(', ')}`);
  if (baseline) console.log(`  without shared reads, by route (per triage): ${baseline.routes.map(([r, k]) => `${r} ${(k / baseline.triages).toFixed(2)}`).join(', ')}`);
  console.log(`  reproduce: npm run bench:burst   (or, after npm run build:bench: BENCH_TRIAGES=${N} BENCH_BASELINE_TRIAGES=${BASELINE} node dist-bench/bench/burst.js)`);
}

if (process.argv.includes('--simulator')) {
  void simulatorChild();
} else {
  runToExit(main);
}
