/**
 * A worker on its own, with PORT set, answers the probes an orchestrator sends and the scrape
 * Prometheus makes (its job and chat counters live in it, not in the web pods).
 */
import { freePort } from '../support/redis-server';
import { spawnBinary, waitForOutput } from '../support/binary';
import { simulatorEnv, startSimulator, type Simulator } from '../../sim';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.close());

test('worker serves /healthz, /readyz (naming Redis) and /metrics on PORT, and stops on SIGTERM', async () => {
  const port = await freePort();
  const child = spawnBinary(['worker'], { env: { ...simulatorEnv(sim), REDIS_URL: process.env.REDIS_URL, TRIAGE_SIGNING_KEY: 'k'.repeat(40), PORT: String(port), LOG_LEVEL: 'info' } });
  try {
    await waitForOutput(child, /worker running/);
    expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, checks: [{ name: 'redis', ok: true }] });
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain('# TYPE caracal_triage_jobs_total counter');
    expect((await fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST' })).status).toBe(404);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}, 30_000);
