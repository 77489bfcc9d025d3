/**
 * Start-up and shutdown whatever state Redis is in, through the built binary: a process started
 * before its Redis waits, retrying with backoff and saying so, then runs; SIGTERM ends `start`
 * within 10 s even with Redis gone; a second signal ends it at once.
 * Each case has its own process, Redis and port, and spends its time waiting on them, so the
 * cases run side by side.
 */
import { freePort, startRedis, type TestRedis } from '../support/redis-server';
import { spawnBinary, waitForOutput } from '../support/binary';
import { simulatorEnv, startSimulator, type Simulator } from '../../sim';

let sim: Simulator;
const redises: TestRedis[] = [];
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  for (const r of redises) await r.destroy();
  await sim.close();
});

const env = (redisUrl: string, port: number, extra: Record<string, string> = {}) => ({
  ...simulatorEnv(sim),
  REDIS_URL: redisUrl,
  TRIAGE_SIGNING_KEY: 'k'.repeat(40),
  PORT: String(port),
  LOG_LEVEL: 'info',
  ...extra,
});
const exitOf = (child: ReturnType<typeof spawnBinary>) => new Promise<{ code: number | null; at: number }>((r) => child.once('exit', (code) => r({ code, at: Date.now() })));

test.concurrent('a worker started before its Redis retries with backoff, logs each miss, then runs', async () => {
  const redisPort = await freePort();
  const child = spawnBinary(['worker'], { env: env(`redis://127.0.0.1:${redisPort}`, await freePort()) });
  try {
    // How long Node takes to start and load the bot is the machine's business (seconds on a loaded one).
    const waiting = await waitForOutput(child, /Redis is not reachable yet; retrying[\s\S]*Redis is not reachable yet; retrying/, 20_000);
    expect(waiting).toContain('ECONNREFUSED');
    const redis = await startRedis({ port: redisPort });
    redises.push(redis);
    await waitForOutput(child, /worker running/, 15_000);
    const exited = exitOf(child);
    child.kill('SIGTERM');
    expect((await exited).code).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}, 40_000);

test.concurrent('a process that never reaches Redis gives up after REDIS_STARTUP_TIMEOUT_MS with one line, exit 2', async () => {
  const child = spawnBinary(['serve'], { env: env(`redis://127.0.0.1:${await freePort()}`, await freePort(), { REDIS_STARTUP_TIMEOUT_MS: '1500' }) });
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  const started = Date.now();
  const { code, at } = await exitOf(child);
  expect(code).toBe(2);
  expect(at - started).toBeGreaterThanOrEqual(1400);
  // Counted from the first miss the process logged (its own clock), not from the spawn: how long
  // Node takes to start and load the bot on a loaded machine is not the startup timeout's doing.
  const waitingSince = (JSON.parse(stdout.split('\n')[0]!) as { time: number; msg: string }).time;
  expect(at - waitingSince).toBeLessThan(8000);
  expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/^caracal-triage: REDIS_URL: cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)$/)]);
}, 20_000);

test.concurrent('SIGTERM ends start within 10 s with Redis gone, and a second signal ends it at once', async () => {
  const redis = await startRedis();
  redises.push(redis);
  const port = await freePort();
  const first = spawnBinary(['start'], { env: env(redis.url, port) });
  try {
    await waitForOutput(first, /web and worker running/);
    await redis.stop();
    await new Promise((r) => setTimeout(r, 500));
    const sent = Date.now();
    const exited = exitOf(first);
    first.kill('SIGTERM');
    const { at } = await exited;
    expect(at - sent).toBeLessThan(10_000);
  } finally {
    if (first.exitCode === null) first.kill('SIGKILL');
  }

  await redis.restart();
  const second = spawnBinary(['start'], { env: env(redis.url, await freePort()) });
  try {
    await waitForOutput(second, /web and worker running/);
    await redis.stop();
    const exited = exitOf(second);
    second.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 100));
    const sent = Date.now();
    second.kill('SIGINT');
    const { code, at } = await exited;
    expect(at - sent).toBeLessThan(1500);
    expect(code).not.toBe(null);
  } finally {
    if (second.exitCode === null) second.kill('SIGKILL');
  }
}, 90_000);
