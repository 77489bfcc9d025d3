import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { MemoryCall } from '../support/memory-port';
import type { StepId } from '../../src/triage/model';
import { SIGNING_KEY, configForSim, createHarness, waitFor, type Harness } from './harness';

type Recorded = Pick<MemoryCall, 'method' | 'triageId'> & { step: string | null; outcome?: MemoryCall['outcome']; pid?: number };

describe('a worker process killed with SIGKILL mid-job', () => {
  let h: Harness;
  let child: ChildProcess | null = null;
  beforeAll(async () => {
    // ~40 ms per Caracal call: collecting one triage takes a second or more.
    h = await createHarness('kill', { scenario: 'grant_missing', sim: { latencyMs: { '*': 40 } }, worker: { lockDurationMs: 2000, stalledIntervalMs: 500 } });
  });
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await h.close();
  });

  test('another worker finishes the triages from where they stopped, with no duplicate posts', async () => {
    const callsKey = `${h.prefix}child-calls`;
    child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures', 'worker-child.ts')], {
      cwd: join(__dirname, '..', '..'),
      env: {
        ...process.env,
        CT_PREFIX: h.prefix,
        CT_CALLS_KEY: callsKey,
        CT_CARACAL_CONFIG: JSON.stringify(configForSim(h.sim)),
        TRIAGE_SIGNING_KEY: SIGNING_KEY,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child!.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      child!.once('exit', (code) => reject(new Error(`worker child exited early (${code})`)));
    });

    const ids = [await h.startTriage(), await h.startTriage()];
    const childCalls = async (): Promise<Recorded[]> => (await h.redis.lrange(callsKey, 0, -1)).map((s) => JSON.parse(s) as Recorded);
    // Kill once the child has posted two steps of the first triage and is waiting on Caracal for
    // the next: Caracal turns slow, the child's chat is held (a call after this reaches nothing),
    // the posts it made settle, then SIGKILL. (A kill between a chat call and its posted-marker
    // would repost that one message: the at-least-once window, which the hold keeps closed.)
    await waitFor('child to post two steps', async () => (await childCalls()).filter((c) => c.triageId === ids[0] && c.method === 'postStep').length >= 2, 20_000, 10);
    h.sim.setLatency({ '*': 3000 });
    await h.redis.set(`${callsKey}:hold`, '1');
    // Settled: every post the child made is also marked posted in the store (on a loaded
    // machine the child can be descheduled between the two for longer than any pause).
    const marked = async (c: Recorded): Promise<boolean> => {
      if (c.method === 'postCard') return h.service.store.isPosted(c.triageId, 'card');
      if (c.method !== 'postStep' || !c.step) return true;
      return h.service.store.isPosted(c.triageId, `step.${c.step}.v${await h.service.store.stepVersion(c.triageId, c.step as StepId)}`);
    };
    await waitFor('child posts to settle', async () => {
      const steps = (await childCalls()).filter((c) => c.method === 'postStep' && c.outcome === 'ok');
      await new Promise((r) => setTimeout(r, 200));
      const ok = (await childCalls()).filter((c) => (c.method === 'postStep' || c.method === 'postCard') && c.outcome === 'ok');
      if (steps.length !== ok.filter((c) => c.method === 'postStep').length) return false;
      return (await Promise.all(ok.map(marked))).every(Boolean);
    });
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    const jobBefore = await h.queues.collect.getJob(`collect-${ids[0]}-v1`);
    const resumeFrom = (jobBefore!.data as { index: number }).index;
    expect(resumeFrom).toBeGreaterThanOrEqual(2);
    expect(resumeFrom).toBeLessThan(8);

    h.sim.setLatency({ '*': 5 });
    h.startWorkers();
    for (const id of ids) await h.waitSettled(id, 30_000);

    const fromChild = (await childCalls()).filter((c) => c.outcome === 'ok');
    const fromParent: Recorded[] = h.port.delivered().map((c) => ({ method: c.method, triageId: c.triageId, step: c.step ?? null }));
    const all = [...fromChild, ...fromParent];
    for (const id of ids) {
      const mine = all.filter((c) => c.triageId === id);
      expect(mine.filter((c) => c.method === 'postCard')).toHaveLength(1);
      const steps = mine.filter((c) => c.method === 'postStep').map((c) => c.step);
      expect(steps.sort()).toEqual([...new Set(steps)].sort());
      expect(steps).toHaveLength(8);
      expect(await h.service.get(id)).toMatchObject({ state: 'routed', diagnosis: { cause: 'scope_not_granted' } });
    }
    // The job resumed where the dead worker stopped: this process collected fewer than all 16 steps.
    const collected = (await h.registry.getSingleMetric('caracal_triage_steps_collected_total')!.get()).values.reduce((n, v) => n + v.value, 0);
    expect(collected).toBeLessThan(16);
    const job = await h.queues.collect.getJob(`collect-${ids[0]}-v1`);
    expect(await job!.getState()).toBe('completed');
  }, 60_000);
});
