/**
 * Losing Redis is one log line, getting it back another, however many connections the process
 * holds and however long the outage: `caracal-triage start` (web and worker in one process) as
 * a child process, its own redis-server stopped and started under it.
 */
import { freePort, startRedis, type TestRedis } from '../support/redis-server';
import { spawnBinary, waitForOutput } from '../support/binary';
import { startSimulator, simulatorEnv, type Simulator } from '../../sim';

let redis: TestRedis;
let sim: Simulator;
beforeAll(async () => {
  // Persistence on, as production runs it: this is about the connection, not about lost data
  // (test/queue/redis-wiped.test.ts is the Redis that comes back empty).
  redis = await startRedis({ persistence: true });
  sim = await startSimulator();
});
afterAll(async () => {
  await redis.destroy();
  await sim.close();
});

interface LogLine {
  level: number;
  msg: string;
}

test('start logs one line when Redis goes and one when it is back, then stops on SIGTERM', async () => {
  const port = await freePort();
  const child = spawnBinary(['start'], { env: { ...simulatorEnv(sim), REDIS_URL: redis.url, TRIAGE_SIGNING_KEY: 'k'.repeat(40), PORT: String(port), LOG_LEVEL: 'info' } });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  const lines = (): LogLine[] => out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogLine);
  try {
    await waitForOutput(child, /web and worker running/);
    const before = lines().length;
    await redis.stop();
    // Long enough for dozens of reconnect attempts across the process's connections.
    await new Promise((r) => setTimeout(r, 3500));
    const during = lines().slice(before);
    // What /readyz (and chat's status) says about Redis is a plain sentence, not ioredis's internals.
    const down = (await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()) as { checks: Array<{ name: string; detail?: string }> };
    const redisCheck = down.checks.find((c) => c.name === 'redis')!;
    expect(redisCheck.detail).toMatch(/^(cannot reach Redis at redis:\/\/[^ ]+(: the connection is down and the bot is reconnecting| \(E[A-Z]+\))|no answer from Redis at redis:\/\/[^ ]+ within \d+ ms)$/);
    expect(JSON.stringify(down)).not.toMatch(/writeable|enableOfflineQueue/);
    expect(during.filter((l) => l.level >= 40).map((l) => l.msg)).toEqual(['lost the connection to Redis; reconnecting with backoff (triages wait, nothing is dropped)']);
    await redis.restart();
    const deadline = Date.now() + 15_000;
    while (!lines().some((l) => l.msg === 'Redis is back') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const after = lines().slice(before);
    expect(after.filter((l) => l.msg === 'Redis is back')).toHaveLength(1);
    expect(after.filter((l) => l.level >= 40)).toHaveLength(1);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}, 45_000);
