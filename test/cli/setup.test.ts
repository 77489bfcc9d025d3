/**
 * How the binary reads its settings and reports problems: `.env` and `--env-file`, every bad
 * setting at once before anything listens, the `caracal-triage:` prefix on every error line,
 * `demo --serve`.
 *
 * The built binary, in a child process, runs where the process is the point: `serve` refusing
 * bad settings before it listens; `.env` read from the process's own working directory, the
 * environment winning over it; a leading `--` and a commander error through the real argv (and
 * through `npx`); `demo --serve` staying up until SIGTERM and exiting 0. The other runs vary only
 * the settings or the words through those contracts (the same error-line prefix, the same exit
 * 2), so they run `main` in this process (test/cli/io.ts) with the same assertions; a working
 * directory or an env file is given to it as to the binary.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { ROOT, runCli, spawnBinary, waitForOutput } from '../support/binary';
import { freePort } from '../support/redis-server';
import { runInProcess } from './io';

const dir = (): string => mkdtempSync(join(tmpdir(), 'ct-cli-'));

describe('settings and error lines', () => {
  it('serve reports every bad setting at once, one line each, before listening, and exits 2', async () => {
    const port = await freePort();
    const r = await runCli(['serve'], {
      env: { CARACAL_API_URL: 'nope', REDIS_URL: 'localhost:6379', PORT: String(port), CARACAL_CACHE_TTL_MS: 'abc', LOG_LEVEL: 'loud', SLACK_BOT_TOKEN: 'xoxb-1', SLACK_FILE_UPLOADS: 'maybe' },
    });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    for (const l of lines) expect(l).toMatch(/^caracal-triage: [A-Z_]+: /);
    const vars = lines.map((l) => l.split(': ')[1]).sort();
    expect(vars).toEqual(['CARACAL_CACHE_TTL_MS', 'LOG_LEVEL', 'REDIS_URL', 'SLACK_FILE_UPLOADS', 'SLACK_SIGNING_SECRET', 'TRIAGE_SIGNING_KEY']);
    expect(r.stderr).toContain('CARACAL_CACHE_TTL_MS: must be a whole number of milliseconds from 0 to 60000');
    expect(r.stderr).toContain('LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent');
    // Nothing listened on PORT at any point.
    expect(await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null)).toBeNull();
  });

  it('start checks the Caracal settings too, with the web half', async () => {
    const r = await runInProcess(['start'], { REDIS_URL: 'redis://127.0.0.1:1', TRIAGE_SIGNING_KEY: 'k'.repeat(40), CARACAL_TIMEOUT_MS: 'abc', CARACAL_API_URL: 'ftp://x' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('caracal-triage: CARACAL_API_URL: must be a URL starting with http:// or https://');
    expect(r.stderr).toContain('caracal-triage: CARACAL_TIMEOUT_MS: must be a whole number of milliseconds from 100 to 120000, e.g. 5000 (got "abc")');
    expect(r.stderr).toContain('caracal-triage: CARACAL_ADMIN_TOKEN: is required');
    expect(r.stderr).not.toMatch(/listening|running/);
  });

  it('reads .env in the working directory, and the environment wins over it', async () => {
    const cwd = dir();
    writeFileSync(join(cwd, '.env'), '# comment\nREDIS_URL=redis://127.0.0.1:1\nTRIAGE_SIGNING_KEY="' + 'k'.repeat(40) + '"\nPORT=not-a-port\n');
    const fromFile = await runInProcess(['serve'], {}, { cwd });
    expect(fromFile.code).toBe(2);
    expect(fromFile.stderr.trim()).toBe('caracal-triage: PORT: must be a TCP port from 0 to 65535, e.g. 3000 (got "not-a-port")');
    const overridden = await runCli(['serve'], { cwd, env: { PORT: '0', REDIS_STARTUP_TIMEOUT_MS: '0' } });
    expect(overridden.code).toBe(2);
    expect(overridden.stderr.trim()).toBe('caracal-triage: REDIS_URL: cannot reach Redis at redis://127.0.0.1:1 (ECONNREFUSED)');
  });

  it('a missing --env-file through `npx caracal-triage -- …` from the project: exit 2 and one caracal-triage line (fails on the old code: an unknown command)', async () => {
    const missing = join(dir(), 'nope.env');
    const cache = dir();
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      // A cache of its own, where npx links the project; no scripts, or linking it would run `prepare` (a rebuild of dist/).
      const env = { PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, HOME: process.env.HOME ?? tmpdir(), NO_COLOR: '1', npm_config_cache: cache, npm_config_ignore_scripts: 'true' };
      const child = spawn('npx', ['caracal-triage', '--', '--env-file', missing, 'triage', 'req-1'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.once('error', reject);
      child.once('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
    expect(run.stderr.trim()).toBe(`caracal-triage: --env-file: cannot read ${missing} (ENOENT)`);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    rmSync(cache, { recursive: true, force: true });
  }, 70_000);

  it('the built binary takes a leading -- the same way', async () => {
    const missing = join(dir(), 'nope.env');
    const r = await runCli(['--', '--env-file', missing, 'triage', 'req-1']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`caracal-triage: --env-file: cannot read ${missing} (ENOENT)`);
  });

  it('reads the file --env-file names, and says so in one line when it cannot', async () => {
    const d = dir();
    const file = join(d, 'bot.env');
    writeFileSync(file, 'CARACAL_API_URL=http://127.0.0.1:1\nCARACAL_ADMIN_TOKEN=cat_' + 'A'.repeat(43) + '\nCARACAL_TIMEOUT_MS=50\n');
    const r = await runInProcess(['triage', 'req-1', '--env-file', file], {}, { cwd: dir() });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('caracal-triage: CARACAL_TIMEOUT_MS: must be a whole number of milliseconds from 100 to 120000, e.g. 5000 (got 50)');
    const missing = await runInProcess(['--env-file', join(d, 'nope.env'), 'triage', 'req-1'], {});
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe(`caracal-triage: --env-file: cannot read ${join(d, 'nope.env')} (ENOENT)`);
  });

  it('prefixes commander\'s own errors, and cuts long or control-laden input', async () => {
    const unknown = await runCli(['frobnicate']);
    expect(unknown.code).toBe(2);
    for (const l of unknown.stderr.trim().split('\n')) expect(l).toMatch(/^caracal-triage: /);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
    const hostile = await runInProcess([`x${'y'.repeat(300)}\u001b]0;pwned\u0007`], {});
    expect(hostile.code).toBe(2);
    expect(hostile.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(hostile.stderr.length).toBeLessThan(400);
    const badOption = await runInProcess(['triage', '--symptom', 'sad'], {});
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toMatch(/^caracal-triage: option '--symptom <symptom>' argument 'sad' is invalid/);
  });

  it('prefixes audit verify\'s problems', async () => {
    const r = await runInProcess(['audit', 'verify'], { TRIAGE_SIGNING_KEY: 'short' });
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toEqual([expect.stringMatching(/^caracal-triage: REDIS_URL: is required/), expect.stringMatching(/^caracal-triage: TRIAGE_SIGNING_KEY: must be at least 32 characters/)]);
  });
});

describe('demo --serve', () => {
  it('keeps the simulator up, prints a .env that points triage at it, and stops cleanly on SIGTERM', async () => {
    const demo = spawnBinary(['demo', '--serve', '--scenario', 'scope_mismatch']);
    try {
      const out = await waitForOutput(demo, /Stop with Ctrl-C/);
      for (const l of out.trim().split('\n')) expect(l).toMatch(/^(#.*|CARACAL_[A-Z_]+=\S+)$/);
      const cwd = dir();
      writeFileSync(join(cwd, '.env'), out);
      const ids = /Request IDs this scenario knows: (\S+)/.exec(out)![1];
      expect(ids).toBe('req-scope-1');
      const r = await runInProcess(['triage', ids, '--symptom', 'token_exchange_denied', '--json'], {}, { cwd });
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout).diagnosis).toMatchObject({ step: 'requested_scopes', cause: 'scope_mismatch' });
      const exited = new Promise<number | null>((res) => demo.once('exit', (code) => res(code)));
      demo.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (demo.exitCode === null) demo.kill('SIGKILL');
    }
  });

  it('--write-env refuses to overwrite an existing file: exit 2, one line, the file untouched (fails on the old code: an unknown option)', async () => {
    const file = join(dir(), '.env');
    writeFileSync(file, 'SLACK_BOT_TOKEN=keep-me\n');
    const r = await runInProcess(['demo', '--serve', '--write-env', file], {});
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`caracal-triage: --write-env: ${file} exists; not overwriting it (remove it or name another file)`);
    expect(readFileSync(file, 'utf8')).toBe('SLACK_BOT_TOKEN=keep-me\n');
  });

  it('--write-env writes the settings; once the demo is gone, triage names that file and says it is stale', async () => {
    const file = join(dir(), 'demo.env');
    const demo = spawnBinary(['demo', '--serve', '--write-env', file]);
    let pid = 0;
    try {
      await waitForOutput(demo, /Stop with Ctrl-C/);
      expect(existsSync(file)).toBe(true);
      const written = readFileSync(file, 'utf8');
      pid = Number(/^# caracal-triage demo --serve, pid (\d+)/.exec(written)![1]);
      expect(written).toMatch(/^CARACAL_API_URL=http:\/\/127\.0\.0\.1:\d+$/m);
      const live = await runInProcess(['--env-file', file, 'triage', 'req-grant-1', '--json'], {});
      expect(JSON.parse(live.stdout).diagnosis).toMatchObject({ cause: 'scope_not_granted' });
      expect(live.stderr).not.toContain('stale');
      const exited = new Promise<number | null>((res) => demo.once('exit', (code) => res(code)));
      demo.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (demo.exitCode === null) demo.kill('SIGKILL');
    }
    const stale = await runInProcess(['--env-file', file, 'triage', 'req-grant-1'], {});
    expect(stale.code).toBe(1);
    expect(stale.stdout).toContain('api is unreachable');
    expect(stale.stderr.trim()).toBe(
      `caracal-triage: note: CARACAL_API_URL came from ${file}, written by \`caracal-triage demo --serve\` (pid ${pid}), which is no longer running: these settings may be stale. Start the demo again (with --write-env to a new file) or point CARACAL_API_URL at a running Caracal.`,
    );
    // The same URL from the environment is not the file's doing: no note.
    const fromEnv = await runInProcess(['triage', 'req-grant-1'], { CARACAL_API_URL: /^CARACAL_API_URL=(.*)$/m.exec(readFileSync(file, 'utf8'))![1]!, CARACAL_ADMIN_TOKEN: 'cat_x' });
    expect(fromEnv.stderr).toBe('');
  }, 60_000);

  it('refuses an unknown scenario with the list', async () => {
    const r = await runInProcess(['demo', '--serve', '--scenario', 'nope'], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^caracal-triage: --scenario "nope": expected one of healthy_allow, /);
  });
});
