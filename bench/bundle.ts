/**
 * bench/bundle: wall time of the full diagnostic bundle against the Caracal simulator with
 * injected per-endpoint latencies, compared in the same run with the slowest single upstream
 * call and with the sum of all calls the bundle made.
 *
 *   npm run bench:bundle            (goal: bundle ≤ 1.2 × slowest call, far below the sum)
 *
 * Latencies are injected per service, with one deliberately slow endpoint (Audit
 * /metrics.json), because that is what an incident looks like: one sick service, the rest fine.
 */
import { performance } from 'node:perf_hooks';
import { createCaracalClient } from '../src/caracal/client';
import { createTriageSession } from '../src/triage/session';
import { simulatorConfig, startSimulator, type SimService } from '../sim';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);

interface Profile {
  name: string;
  latency: Record<SimService, number>;
  slow: { service: SimService; path: string; ms: number } | null;
}

const PROFILES: Profile[] = [
  {
    name: 'one slow service (the goal)',
    latency: { api: 30, sts: 60, gateway: 80, audit: 40, coordinator: 50 },
    slow: { service: 'audit', path: '/metrics.json', ms: 400 },
  },
  // Informational: with no dominant endpoint the wall time is set by the longest chain of
  // dependent calls (zones → explain in each zone → resources → provider and grants), not by any single call.
  { name: 'uniform 50 ms', latency: { api: 50, sts: 50, gateway: 50, audit: 50, coordinator: 50 }, slow: null },
];

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function runProfile({ name, latency: LATENCY, slow }: Profile): Promise<void> {
  const sim = await startSimulator({ scenario: 'scope_mismatch', latencyMs: LATENCY });
  if (slow) sim.setFault(slow.service, slow.path, { latencyMs: slow.ms });
  const slowestService = slow?.service ?? 'audit';
  const config = simulatorConfig(sim, { timeoutMs: 5000 });
  const requestId = sim.scenario.input.requestId;
  const results: Record<string, { bundle: number[]; slowest: number[]; sum: number[]; calls: number[] }> = {};

  for (const mode of ['bundle (no request ID)', `bundle for ${requestId}`]) {
    const r = (results[mode] = { bundle: [] as number[], slowest: [] as number[], sum: [] as number[], calls: [] as number[] });
    for (let i = 0; i < RUNS + 2; i++) {
      const client = createCaracalClient(config);
      // The slowest single upstream call, measured alone on a fresh client (same connection set-up cost).
      const slowest = await timeIt(() => (slowestService === 'audit' ? client.metricsJson('audit') : client.listZones()));
      await client.close();

      const fresh = createCaracalClient(config);
      sim.clearRequests();
      const session = createTriageSession(fresh, { requestId: mode.startsWith('bundle for') ? requestId : null, zoneId: null, symptom: null, error: null });
      const wall = await timeIt(() => session.collectBundle());
      await fresh.close();
      // Sum of the calls: what the bundle would take if it made its calls one after another.
      const sum = sim.requests.reduce((acc, req) => acc + LATENCY[req.service] + (slow && req.service === slow.service && req.path === slow.path ? slow.ms : 0), 0);
      if (i < 2) continue; // warm-up
      r.bundle.push(wall);
      r.slowest.push(slowest);
      r.sum.push(sum);
      r.calls.push(sim.requests.length);
    }
  }
  await sim.close();

  console.log(`profile "${name}": latencies ${JSON.stringify(LATENCY)} ms${slow ? `, ${slow.service} ${slow.path} +${slow.ms} ms` : ''}`);
  for (const [mode, r] of Object.entries(results)) {
    const b = median(r.bundle);
    const s = median(r.slowest);
    const sum = median(r.sum);
    console.log(
      `  ${mode.padEnd(28)} bundle ${b.toFixed(0).padStart(5)} ms | slowest call ${s.toFixed(0).padStart(5)} ms | ratio ${(b / s).toFixed(2)}×${slow ? ' (goal ≤ 1.20)' : ''} | sum of ${median(r.calls)} calls ${sum.toFixed(0)} ms (bundle = ${((b / sum) * 100).toFixed(0)}% of it)`,
    );
  }
}

async function main(): Promise<void> {
  console.log(`bench/bundle: ${RUNS} runs per mode, medians; slowest call and bundle measured side by side in one run`);
  for (const profile of PROFILES) await runProfile(profile);
  console.log('reproduce: npm run bench:bundle   (BENCH_RUNS=N to change the run count)');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
