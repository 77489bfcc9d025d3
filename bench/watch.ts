/**
 * bench/watch: the deny watcher over a storm the simulator serves as it would appear: 50,000
 * denied audit rows over 20 zones and 200 patterns (190 STS patterns, each denied request a
 * causal row and its exchange_denied companion; 10 Gateway replay patterns), arriving over
 * BENCH_SECONDS, every 97th request ingested a minute late. The watcher runs alone in this
 * process (its CPU is this process's), with the incident desk; a worker in a child process
 * collects the triages and posts the cards to a recording port; the simulator runs in another.
 * Both read Caracal through the one budget in Redis, as deployed.
 *
 *   npm run bench:watch
 *
 * Prints the watcher's CPU per 1,000 rows read, Admin API calls per poll, and per pattern the
 * time from the moment its crossing was visible in Caracal (the ingestion of the denial that
 * made a window cross) to its card: split into crossing → notice (goal: within one interval
 * and the poll) and notice → card (the card's own time: queue, collect start, post). Side by
 * side in the same run, each against its reference with the ratio: the CPU against reading the
 * same zones' rows alone afterwards (the client's page reads and zod checks, no patterns, Redis
 * or desk), calls per poll against one page a zone, the latencies against the interval.
 * Knobs: BENCH_ROWS (50000), BENCH_ZONES (20), BENCH_PATTERNS (200), BENCH_SECONDS (90),
 * BENCH_WATCH_INTERVAL_S (10), CARACAL_API_BUDGET_PER_MIN (500), WATCH_BUDGET_RESERVE_PER_MIN
 * (100: the slice of the budget kept for the watcher, as deployed).
 */
import { performance } from 'node:perf_hooks';
import IORedis from 'ioredis';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { CaracalConfig } from '../src/caracal/config';
import type { IncidentDesk } from '../src/incidents/desk';
import { DEFAULT_WATCH_RESERVE_PER_MIN } from '../src/incidents/watch/config';
import { patternId } from '../src/incidents/watch/episode';
import { readZoneDenials } from '../src/incidents/watch/read';
import { createCaracalClient } from '../src/caracal/client';
import { createRedactor } from '../src/redact/redact';
import { redisCallBudget } from '../src/store/caracal-budget';
import { createTriageEngine } from '../src/triage/engine';
import { createIncidentDesk } from '../src/service/incident-desk';
import { watchMetrics } from '../src/watch/metrics';
import { createWatchStore } from '../src/watch/state-store';
import { createDenyWatcher, type WatchPoll } from '../src/watch/watcher';
import { createMemoryPort } from '../test/support/memory-port';
import { openService, startWorkerSet } from '../test/support/halves';
import { denialRows, simulatorConfig, startSimulator, watchScenario, watchZoneId, type AuditRowData, type DenialSpec } from '../sim';
import { cleanups, deleteByPrefix, ensureRedis, forkSimulator, pct, runToExit } from './support';

const ROWS = Number(process.env.BENCH_ROWS ?? 50_000);
const ZONES = Number(process.env.BENCH_ZONES ?? 20);
const PATTERNS = Number(process.env.BENCH_PATTERNS ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 90);
const INTERVAL_S = Number(process.env.BENCH_WATCH_INTERVAL_S ?? 10);
const BUDGET = Number(process.env.CARACAL_API_BUDGET_PER_MIN ?? 500);
const RESERVE = Number(process.env.WATCH_BUDGET_RESERVE_PER_MIN ?? DEFAULT_WATCH_RESERVE_PER_MIN);
const SIGNING_KEY = 'bench-signing-key-0123456789abcdef0123456789';
const WINDOW_MS = 300_000;
const MIN_DENIALS = 5;
const REPLAYS = Math.max(1, Math.round(PATTERNS / 20));
const silent = pino({ level: 'silent' });

type Pattern = Omit<DenialSpec, 'requestId' | 'occurredAt' | 'ingestedAt' | 'eventId'>;

interface Info {
  config: CaracalConfig;
  /** By pattern ID: when its crossing became visible (ms). */
  crossings: Record<string, number>;
  rows: number;
  start: number;
}

function patterns(): Pattern[] {
  return Array.from({ length: PATTERNS }, (_, i): Pattern => {
    const zoneId = watchZoneId(i % ZONES);
    if (i < REPLAYS) return { zoneId, applicationId: `app-${i}`, resource: `resource://r${i % 11}`, reason: 'replay_detected', kind: 'replay' };
    const reasons = ['role_scope_mismatch', 'resource_not_granted', 'no_rule_matched', 'scope_mismatch', 'resource_not_found'];
    const reason = reasons[i % reasons.length]!;
    return { zoneId, applicationId: `app-${i}`, resource: `resource://r${i % 11}`, reason, kind: reason.startsWith('scope') || reason.startsWith('resource_not_found') ? 'pre_policy' : 'policy' };
  });
}

/** When a window of MIN_DENIALS first exists among the rows visible by then (replays: the first). */
function crossingVisible(p: Pattern, denials: Array<{ occurred: number; ingested: number }>): number {
  const byIngest = [...denials].sort((a, b) => a.ingested - b.ingested);
  const visible: number[] = [];
  for (const d of byIngest) {
    visible.push(d.occurred);
    visible.sort((a, b) => a - b);
    if (p.kind === 'replay') return d.ingested;
    for (let i = 0; i + MIN_DENIALS - 1 < visible.length; i++) if (visible[i + MIN_DENIALS - 1]! - visible[i]! < WINDOW_MS) return d.ingested;
  }
  return Infinity;
}

async function simulatorChild(): Promise<void> {
  const sim = await startSimulator({ scenario: watchScenario(ZONES), rateLimitPerMinute: 600, maxRecorded: 1 });
  const start = Date.now() + 2000;
  const all = patterns();
  const rowsEach = (p: Pattern): number => (p.kind === 'replay' ? 1 : 2);
  const perPattern = Math.floor(ROWS / all.reduce((n, p) => n + rowsEach(p), 0));
  const crossings: Record<string, number> = {};
  const rows: AuditRowData[] = [];
  let request = 0;
  all.forEach((p, i) => {
    // Each pattern begins somewhere in the first 60% of the run and goes on to its end.
    const from = start + Math.floor(((i * 7919) % PATTERNS) / PATTERNS * 0.6 * SECONDS * 1000);
    const to = start + SECONDS * 1000;
    const times: Array<{ occurred: number; ingested: number }> = [];
    for (let k = 0; k < perPattern; k++) {
      const occurred = from + Math.floor(((to - from) * k) / perPattern);
      const ingested = occurred + (++request % 97 === 0 ? 60_000 : 1000);
      times.push({ occurred, ingested });
      rows.push(...denialRows({ ...p, requestId: `req-w-${i}-${k}`, occurredAt: occurred, ingestedAt: ingested }));
    }
    crossings[patternId({ zoneId: p.zoneId, applicationId: p.applicationId, resource: p.resource, reason: p.reason })] = crossingVisible(p, times);
  });
  sim.streamAudit(rows);
  process.on('message', (m) => {
    if (m === 'count') process.send!({ received: sim.received, v1Calls: sim.v1Calls, rateLimited: sim.rateLimited, pendingAudit: sim.pendingAudit });
  });
  process.send!({ config: simulatorConfig(sim, { timeoutMs: 10_000 }), crossings, rows: rows.length, start } satisfies Info);
  process.on('disconnect', () => void sim.close().then(() => process.exit(0)));
}

/** Child mode: the worker half, posting cards to a recording port and telling the parent when. */
function workerChild(redisUrl: string, prefix: string, config: CaracalConfig): void {
  const budgetRedis = new IORedis(redisUrl, { maxRetriesPerRequest: null });
  const engine = createTriageEngine(config, [], { shareReadsForMs: 2000, budget: redisCallBudget(budgetRedis, prefix, { deployment: 'default', perMinute: BUDGET }) });
  const port = createMemoryPort({ record: false, onCall: (c) => void (c.method === 'postCard' && c.outcome === 'ok' && process.send!({ card: c.triageId, at: Date.now() })) });
  const w = startWorkerSet({ redisUrl, signingKey: SIGNING_KEY, ports: { slack: port }, client: engine.client, freshClient: engine.freshClient, createSession: engine.createSession, prefix, logger: silent, collectConcurrency: 32, postConcurrency: 32, sweepEveryMs: 0, limits: { slack: { post: { points: 1000, durationSec: 1 }, update: { points: 1000, durationSec: 1 } } } });
  process.on('disconnect', () => void w.close(3000).then(() => process.exit(0)));
}

async function main(): Promise<void> {
  const redisUrl = await ensureRedis();
  const prefix = `ct-benchwatch-${process.pid}:`;
  const sim = await forkSimulator<Info>(__filename);
  cleanups.push(() => sim.close());
  const { fork } = await import('node:child_process');
  const worker = fork(__filename, ['--worker', redisUrl, prefix, JSON.stringify(sim.info.config)], { stdio: 'inherit' });
  cleanups.push(() => worker.connected && worker.disconnect());
  const cards = new Map<string, number>();
  worker.on('message', (m: { card: string; at: number }) => cards.set(m.card, m.at));

  const service = await openService({ redisUrl, signingKey: SIGNING_KEY, prefix, logger: silent, cardDebounceMs: 200 });
  const real = createIncidentDesk({ service, logger: silent });
  const opened = new Map<string, { pattern: string; at: number }>();
  const desk: IncidentDesk = {
    async receive(n) {
      const r = await real.receive(n);
      if (r.action === 'opened') opened.set(r.triageId, { pattern: n.incident.incidentKey.slice(6), at: Date.now() });
      return r;
    },
  };
  const budgetRedis = new IORedis(redisUrl, { maxRetriesPerRequest: null });
  // Only the watcher reads Caracal in this process (the worker child has its own engine): these waits are its.
  const waited = { n: 0, ms: 0 };
  const budget = redisCallBudget(budgetRedis, prefix, { deployment: 'default', perMinute: BUDGET, onWait: (_r, ms) => ((waited.n += 1), (waited.ms += ms)) });
  const engine = createTriageEngine(sim.info.config, [], { shareReadsForMs: 2000, budget });
  const storeRedis = new IORedis(redisUrl, { maxRetriesPerRequest: null });
  const polls: WatchPoll[] = [];
  const watcher = createDenyWatcher({
    // As src/app/watch.ts gives it: its own client, in the slice of the budget kept for it.
    client: engine.watcherClient(RESERVE),
    store: createWatchStore(storeRedis, prefix, 'default'),
    settings: { enabled: true, intervalMs: INTERVAL_S * 1000, overlapMs: 120_000, quietMs: 900_000, thresholds: { minDenials: MIN_DENIALS, windowMs: WINDOW_MS, baselineFactor: 3 }, budgetReservePerMin: RESERVE },
    rules: [],
    metrics: watchMetrics(new Registry()),
    logger: silent,
    desk,
    route: () => ({ platform: 'slack', channel: 'C-bench-watch' }),
    cardLink: async () => null,
    redactor: createRedactor([]),
  });
  watcher.onPoll((p) => polls.push(p));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  watcher.start();

  // Until every row is visible, two more polls have run, and every crossed pattern has its card.
  const crossed = Object.entries(sim.info.crossings).filter(([, at]) => Number.isFinite(at));
  for (;;) {
    await new Promise((r) => setTimeout(r, 1000));
    if ((await sim.counts()).pendingAudit > 0) continue;
    const after = polls.length;
    while (polls.length < after + 2) await new Promise((r) => setTimeout(r, 500));
    const byPattern = new Set([...opened.entries()].filter(([id]) => cards.has(id)).map(([, o]) => o.pattern));
    if (crossed.every(([id]) => byPattern.has(id.slice(0, 32))) || performance.now() - t0 > (SECONDS + 300) * 1000) break;
  }
  const cpu = process.cpuUsage(cpu0);
  const runMs = performance.now() - t0;
  await watcher.stop();
  const counts = await sim.counts();

  // The reference, in the same run and process: the same zones' rows read alone (every page,
  // parsed and checked by the client's zod schemas), without patterns, Redis or the desk.
  const reader = createCaracalClient(sim.info.config, { budget: redisCallBudget(budgetRedis, prefix, { deployment: 'default', perMinute: BUDGET }) });
  const readCpu0 = process.cpuUsage();
  let rowsAlone = 0;
  for (let z = 0; z < ZONES; z++) rowsAlone += (await readZoneDenials(reader, watchZoneId(z), { since: sim.info.start - 86_400_000 })).rows.length;
  const readCpu = process.cpuUsage(readCpu0);
  await reader.close();

  const rowsRead = polls.reduce((n, p) => n + p.rows, 0);
  const callsPerPoll = polls.map((p) => p.calls);
  const toNotice: number[] = [];
  const toCard: number[] = [];
  const ownTime: number[] = [];
  for (const [triageId, o] of opened) {
    const crossing = crossed.find(([id]) => id.startsWith(o.pattern))?.[1];
    const card = cards.get(triageId);
    if (crossing === undefined || card === undefined) continue;
    toNotice.push(o.at - crossing);
    toCard.push(card - crossing);
    ownTime.push(card - o.at);
  }
  worker.disconnect();
  await service.close();
  await engine.close();
  budgetRedis.disconnect();
  storeRedis.disconnect();
  await deleteByPrefix(redisUrl, prefix);
  sim.close();

  const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  const msPer1000 = (c: NodeJS.CpuUsage, rows: number): number => (c.user + c.system) / 1000 / (rows / 1000);
  const watchCpu = msPer1000(cpu, rowsRead);
  const aloneCpu = msPer1000(readCpu, rowsAlone);
  const meanCalls = callsPerPoll.reduce((a, b) => a + b, 0) / Math.max(1, polls.length);
  const interval = INTERVAL_S * 1000;
  const p95Notice = pct(toNotice, 95);
  const p95Card = pct(toCard, 95);
  const p95Own = pct(ownTime, 95);
  console.log(`bench:watch  ${sim.info.rows} denied rows over ${ZONES} zones and ${PATTERNS} patterns, arriving over ${SECONDS} s (every 97th request a minute late); poll every ${INTERVAL_S} s; budget ${BUDGET}/min in Redis shared with a worker, ${RESERVE}/min of it kept for the watcher; Node ${process.version}`);
  console.log(`  ${rowsRead} rows read in ${polls.length} polls (the first reads the 24 h before for baselines; ${polls.reduce((n, p) => n + p.swept, 0)} zone reads went back over the whole WATCH_OVERLAP_S, the rest one interval); patterns crossed: ${crossed.length}; cards: ${toCard.length}; 429s from the simulator: ${counts.rateLimited}`);
  const rows: Array<[string, string, string, string, string]> = [
    ['figure', 'measured', 'reference (same run)', 'ratio', 'goal'],
    ['watcher CPU per 1,000 rows (desk included)', `${watchCpu.toFixed(1)} ms`, `${aloneCpu.toFixed(1)} ms reading them alone`, `${(watchCpu / aloneCpu).toFixed(2)}x`, ''],
    ['Admin API calls per poll (mean; max)', `${meanCalls.toFixed(1)}; ${Math.max(...callsPerPoll)}`, `${ZONES} (a page a zone)`, `${(meanCalls / ZONES).toFixed(2)}x`, ''],
    ['crossing visible -> notice, p95', s(p95Notice), `${s(interval)} (one interval)`, `${(p95Notice / interval).toFixed(2)}x`, '<= 1 interval + the poll'],
    ['crossing visible -> card, p95', s(p95Card), `${s(interval + p95Own)} (interval + card p95)`, `${(p95Card / (interval + p95Own)).toFixed(2)}x`, '<= 1 interval + card time'],
  ];
  const w = [44, 14, 36, 8, 28];
  for (const r of rows) console.log('  ' + r.map((c, i) => (i === 0 || i === 4 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join(' '));
  console.log(`  crossing -> notice p50 ${s(pct(toNotice, 50))}, max ${s(Math.max(...toNotice))}; notice -> card (the card's own time: queue, post) p50 ${s(pct(ownTime, 50))}, p95 ${s(p95Own)}; crossing -> card p50 ${s(pct(toCard, 50))}, max ${s(Math.max(...toCard))}`);
  console.log(`  the watcher's calls that waited for the budget (shared with the worker's triages, ${RESERVE}/min kept for the watcher): ${waited.n}, ${s(waited.ms)} in all; polls run: ${polls.length} in ${s(runMs)} (${Math.floor(runMs / interval)} intervals)`);
  console.log(`  watcher CPU: user ${(cpu.user / 1e6).toFixed(1)} s, system ${(cpu.system / 1e6).toFixed(1)} s over the run; reading alone: ${rowsAlone} rows, ${((readCpu.user + readCpu.system) / 1e6).toFixed(1)} s`);
  console.log(`  reproduce: npm run bench:watch   (or, after npm run build:bench: CARACAL_API_BUDGET_PER_MIN=${BUDGET} WATCH_BUDGET_RESERVE_PER_MIN=${RESERVE} BENCH_ROWS=${ROWS} BENCH_ZONES=${ZONES} BENCH_PATTERNS=${PATTERNS} BENCH_SECONDS=${SECONDS} BENCH_WATCH_INTERVAL_S=${INTERVAL_S} node dist-bench/bench/watch.js)`);
}

if (process.argv.includes('--simulator')) {
  void simulatorChild();
} else if (process.argv.includes('--worker')) {
  const [redisUrl, prefix, config] = process.argv.slice(process.argv.indexOf('--worker') + 1);
  workerChild(redisUrl!, prefix!, JSON.parse(config!) as CaracalConfig);
} else {
  runToExit(main);
}
