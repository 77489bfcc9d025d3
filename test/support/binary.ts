/**
 * The built binary in a child process with only the environment a test gives it (plus PATH, so
 * its `#!/usr/bin/env -S node --` finds this Node), from an empty working directory unless one
 * is given (so no stray `.env` is picked up), with nothing else keeping it alive: what it prints
 * and how it exits is what a user or a CI gate sees. It runs through its shebang, as `npx` and a
 * shell run it, unless Node options are given. Also the two Caracals that are not there: a
 * closed port, and a loopback server that accepts connections and never answers.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'caracal-triage.js');
const DIST_MAIN = join(ROOT, 'dist', 'src', 'cli', 'main.js');
/** Rewritten by every build that changed anything (the build is incremental: an unchanged file's output keeps its time). */
const BUILD_INFO = join(ROOT, 'tsconfig.build.tsbuildinfo');

export interface BinaryRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** What tsconfig.build.json leaves out of the build: changing it builds nothing. */
const NOT_BUILT = join(ROOT, 'adapters', 'teams', 'package');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (path === NOT_BUILT) continue;
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Fails loudly when dist/ is missing or older than the source it is built from: these tests
 * must never pass or fail on a stale build (`npm test` builds first; `npx jest` alone does not).
 */
export function assertFreshBuild(): void {
  let built: number;
  try {
    built = statSync(DIST_MAIN).mtimeMs;
    built = Math.max(built, statSync(BUILD_INFO, { throwIfNoEntry: false })?.mtimeMs ?? 0);
  } catch {
    throw new Error(`${DIST_MAIN} is missing: run \`npm run build\` (or \`npm test\`, which builds first)`);
  }
  const source = Math.max(...['src', 'sim', 'adapters'].map((d) => newestMtime(join(ROOT, d))));
  if (source > built) throw new Error('dist/ is older than src/, sim/ or adapters/: run `npm run build` (or `npm test`, which builds first)');
}

const workDirs: string[] = [];

/** An empty working directory for one run (removed by removeWorkDirs). */
export function workDir(): string {
  const cwd = mkdtempSync(join(tmpdir(), 'caracal-triage-cli-'));
  workDirs.push(cwd);
  return cwd;
}

export function removeWorkDirs(): void {
  for (const d of workDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export interface SpawnOptions {
  env?: Record<string, string | undefined>;
  /** Default: a fresh empty directory. */
  cwd?: string;
  /** Node options before the script (then it runs through `node`, not its shebang). */
  nodeArgs?: string[];
}

/** The environment exactly as given, plus PATH with this Node first. */
function envFor(env: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return { PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, NO_COLOR: '1', ...env };
}

export function spawnBinary(args: string[], opts: SpawnOptions = {}): ChildProcess {
  const cwd = opts.cwd ?? workDir();
  const stdio: ['ignore', 'pipe', 'pipe'] = ['ignore', 'pipe', 'pipe'];
  return opts.nodeArgs?.length
    ? spawn(process.execPath, [...opts.nodeArgs, BIN, ...args], { cwd, env: envFor(opts.env), stdio })
    : spawn(BIN, args, { cwd, env: envFor(opts.env), stdio });
}

/** Runs the binary to its exit; one past `timeoutMs` is killed and fails the test. */
export function runCli(args: string[], opts: SpawnOptions & { timeoutMs?: number } = {}): Promise<BinaryRun> {
  const started = Date.now();
  const timeoutMs = opts.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const child = spawnBinary(args, opts);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`caracal-triage ${args.join(' ')} did not exit within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** `runCli` with the environment as the second argument (the terminal contract tests). */
export function runBinary(args: string[], env: Record<string, string>, timeoutMs = 30_000, nodeArgs: string[] = []): Promise<BinaryRun> {
  return runCli(args, { env, timeoutMs, nodeArgs });
}

/**
 * Resolves with stdout so far once `pattern` appears in it. The default wait is long because it
 * only bounds a failure: starting Node and loading the bot takes seconds on a loaded 2-core machine.
 */
export function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${pattern} on stdout within ${timeoutMs} ms; got: ${out}`)), timeoutMs);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (pattern.test(out)) {
        clearTimeout(timer);
        resolve(out);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code}) before ${pattern}; stdout: ${out}`));
    });
  });
}

/** A loopback port nothing listens on. */
export async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

export interface SilentServer {
  url: string;
  /** Connections accepted so far. */
  readonly accepted: number;
  close(): Promise<void>;
}

/** Accepts every connection, reads what arrives, never answers. */
export async function silentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const srv = createServer((s) => {
    accepted++;
    sockets.add(s);
    s.on('data', () => undefined);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const { port } = srv.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    get accepted() {
      return accepted;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        srv.close(() => r());
      }),
  };
}

/** The lines of `text`, without the empty one a final newline leaves. */
export const lines = (text: string): string[] => text.split('\n').filter((l, i, all) => !(i === all.length - 1 && l === ''));
