import { spawn } from 'node:child_process';
import { join } from 'node:path';
import pino from 'pino';
import { loadWorkerConfig } from '../../src/app/config';
import { runProcesses } from '../../src/app/processes';
import { createMemoryPort } from '../support/memory-port';
import { openService, startConfiguredWorker } from '../support/halves';
import { SIM_SERVICES, simulatorEnv, startSimulator, type Simulator } from '../../sim';
import { SIGNING_KEY, deleteByPrefix, inputOf, uniquePrefix, waitFor } from './harness';
import IORedis from 'ioredis';

const silent = pino({ level: 'silent' });

function envFor(sim: Simulator): Record<string, string> {
  return simulatorEnv(sim, { REDIS_URL: process.env.REDIS_URL!, TRIAGE_SIGNING_KEY: SIGNING_KEY });
}

describe('caracal-triage worker', () => {
  let sim: Simulator;
  const prefixes: string[] = [];
  beforeAll(async () => {
    sim = await startSimulator({ scenario: 'no_active_policy_set' });
  });
  afterAll(async () => {
    const r = new IORedis(process.env.REDIS_URL!);
    for (const p of prefixes) await deleteByPrefix(r, p);
    await r.quit();
    await sim.close();
  });

  test('a missing or unreachable Redis is one line naming REDIS_URL', async () => {
    const env = envFor(sim);
    expect(() => loadWorkerConfig({ ...env, REDIS_URL: undefined })).toThrow(/^REDIS_URL: is required but not set/);
    await expect(runProcesses(loadWorkerConfig({ ...env, REDIS_URL: 'redis://127.0.0.1:1', REDIS_STARTUP_TIMEOUT_MS: '0' }), { web: false, worker: true, handleSignals: false, logger: silent })).rejects.toThrow(
      /^REDIS_URL: cannot reach Redis at redis:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\)$/,
    );
    expect(() => loadWorkerConfig({ ...env, CARACAL_API_URL: undefined })).toThrow(/^CARACAL_API_URL:/);
  });

  test('started from the environment, it runs a triage that a web process started', async () => {
    const prefix = uniquePrefix('runworker');
    prefixes.push(prefix);
    const port = createMemoryPort();
    const worker = startConfiguredWorker(loadWorkerConfig(envFor(sim)), { ports: { slack: port }, logger: silent, prefix, sweepEveryMs: 0, cardDebounceMs: 20, limits: { slack: { post: { points: 20, durationSec: 1 }, update: { points: 20, durationSec: 1 } } } });
    const service = await openService({ redisUrl: process.env.REDIS_URL!, signingKey: SIGNING_KEY, prefix, logger: silent, cardDebounceMs: 20 });
    try {
      const { triageId } = await service.start({
        input: inputOf(sim.scenario),
        destination: { platform: 'slack', channel: 'C-run' },
        actor: { kind: 'user', id: 'U1' },
        dedupeKey: `run-${prefix}`,
        source: 'command',
      });
      await waitFor('final card', async () => port.delivered(triageId).some((c) => c.method === 'updateCard' && /no_active_policy_set/.test(c.text)));
      await waitFor('step replies', async () => port.delivered(triageId).filter((c) => c.method === 'postStep').length === 8);
      expect(await worker.metrics.registry.getSingleMetricAsString('caracal_triage_jobs_total')).toMatch(/queue="collect",job_name="collect",outcome="completed"\} 1/);
    } finally {
      await service.close();
      await worker.close();
    }
  });

  test('SIGTERM stops the process within the shutdown bound even with a job stuck on Caracal', async () => {
    const prefix = uniquePrefix('sigterm');
    prefixes.push(prefix);
    // Caracal stops answering: the collect job hangs on its first call.
    for (const svc of SIM_SERVICES) sim.setFault(svc, '*', { hang: true });
    const service = await openService({ redisUrl: process.env.REDIS_URL!, signingKey: SIGNING_KEY, prefix, logger: silent });
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures', 'run-worker-child.ts')], {
      cwd: join(__dirname, '..', '..'),
      env: { ...process.env, ...envFor(sim), CT_PREFIX: prefix, CT_SHUTDOWN_MS: '1000' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
        child.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
      });
      const { triageId } = await service.start({ input: inputOf(sim.scenario), destination: { platform: 'slack', channel: 'C-term' }, actor: { kind: 'user', id: 'U1' }, dedupeKey: `term-${prefix}`, source: 'command' });
      await waitFor('collect job to be active', async () => (await service.queues.collect.getJobState(`collect-${triageId}-v1`)) === 'active');
      const t0 = Date.now();
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(Date.now() - t0).toBeLessThan(5000);
    } finally {
      sim.clearFaults();
      if (child.exitCode === null) child.kill('SIGKILL');
      await service.close();
    }
  }, 30_000);
});
