/**
 * The bot's processes as the binary starts them. Nothing here reads the developer's `./.env`:
 * in-process runs look for it in an empty directory (captureIo), the child runs in one.
 */
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { assertFreshBuild, spawnBinary } from '../support/binary';
import { freePort } from '../support/redis-server';
import { startSimulator, type Simulator } from '../../sim';
import { captureIo, emptyDir } from './io';

const KEY = 'k'.repeat(40);
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
});

function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { CARACAL_API_URL: sim.apiUrl, CARACAL_ADMIN_TOKEN: sim.tokens.globalRead, TRIAGE_SIGNING_KEY: KEY, REDIS_STARTUP_TIMEOUT_MS: '0', ...extra };
}

describe('bot processes refuse to start without what they need (exit 2, one line)', () => {
  it.each([['serve'], ['worker'], ['start'], ['audit verify']])('%s without REDIS_URL', async (command) => {
    const io = captureIo(baseEnv({}));
    expect(await main(command.split(' '), io)).toBe(2);
    expect(io.err().trim()).toMatch(/^caracal-triage: REDIS_URL: is required but not set \(e\.g\. redis:\/\/127\.0\.0\.1:6379\)$/);
  });

  it.each([['serve'], ['worker'], ['start']])('%s with an unreachable Redis', async (cmd) => {
    const port = await freePort();
    const io = captureIo(baseEnv({ REDIS_URL: `redis://127.0.0.1:${port}` }));
    expect(await main([cmd], io)).toBe(2);
    expect(io.err()).toMatch(/REDIS_URL/);
    expect(io.err().trim().split('\n')).toHaveLength(1);
  });

  it('a .env where the tests run (as a developer keeps one in the project root) changes none of these results (fails on the old harness, which read ./.env)', async () => {
    const here = process.cwd();
    const withDotEnv = emptyDir();
    writeFileSync(join(withDotEnv, '.env'), `REDIS_URL=redis://127.0.0.1:1\nTRIAGE_SIGNING_KEY=${'d'.repeat(40)}\nCARACAL_API_URL=http://127.0.0.1:1\n`);
    process.chdir(withDotEnv);
    try {
      const io = captureIo(baseEnv({}));
      expect(await main(['serve'], io)).toBe(2);
      expect(io.err().trim()).toMatch(/^caracal-triage: REDIS_URL: is required but not set/);
    } finally {
      process.chdir(here);
    }
  });

  it('start without a signing key', async () => {
    const io = captureIo({ ...baseEnv({ REDIS_URL: process.env.REDIS_URL! }), TRIAGE_SIGNING_KEY: '' });
    expect(await main(['start'], io)).toBe(2);
    expect(io.err()).toContain('TRIAGE_SIGNING_KEY');
  });
});

describe('caracal-triage start', () => {
  let child: ChildProcess | null = null;
  afterEach(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('serves health and readiness, then stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    // The built binary, as a user starts it (it starts in half the time tsx takes over the sources).
    assertFreshBuild();
    child = spawnBinary(['start'], { env: { ...process.env, ...baseEnv({ REDIS_URL: process.env.REDIS_URL!, PORT: String(port) }), SLACK_BOT_TOKEN: '', LOG_LEVEL: 'silent' } });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const deadline = Date.now() + 20_000;
    let health: Response | null = null;
    while (Date.now() < deadline) {
      health = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null);
      if (health) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(health?.status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain('caracal_triage_');
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).not.toContain(sim.tokens.globalRead);
  }, 40_000);
});
