/**
 * Captured stdout/stderr for running the CLI in-process, as a non-TTY (like a pipe). The CLI
 * looks for `.env` in `cwd`: an empty directory of its own unless a test gives one, so a
 * developer's `./.env` (jest runs in the project root) never reaches a test.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main, type CliIo } from '../../src/cli/main';

export interface CapturedIo extends CliIo {
  cwd: string;
  out(): string;
  err(): string;
}

/** An empty directory: no `.env` in it. */
export const emptyDir = (): string => mkdtempSync(join(tmpdir(), 'ct-cli-io-'));

export function captureIo(env: NodeJS.ProcessEnv, cwd: string = emptyDir()): CapturedIo {
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  const stream = (sink: Buffer[]): NodeJS.WriteStream => {
    const s = new PassThrough();
    s.on('data', (c: Buffer) => sink.push(c));
    return s as unknown as NodeJS.WriteStream;
  };
  return {
    stdout: stream(chunks.out),
    stderr: stream(chunks.err),
    env,
    cwd,
    out: () => Buffer.concat(chunks.out).toString('utf8'),
    err: () => Buffer.concat(chunks.err).toString('utf8'),
  };
}

let runDir: string | undefined;

/** What one in-process run printed and exited with: the shape of a binary run (test/support/binary.ts). */
export interface InProcessRun {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * `main(args)` in this process with only the environment given (plus NO_COLOR, as the binary
 * runs get), from an empty directory unless `cwd` is given. For runs that vary only the data
 * through a contract the built binary already proves: no Node start, no module loading.
 */
export async function runInProcess(args: string[], env: Record<string, string | undefined>, opts: { cwd?: string } = {}): Promise<InProcessRun> {
  const started = Date.now();
  // Nothing writes to it, so one empty directory serves every run of a test file.
  runDir ??= emptyDir();
  const io = captureIo({ NO_COLOR: '1', ...env }, opts.cwd ?? runDir);
  const code = await main(args, io);
  // The captured streams hand on what was written in a later tick.
  await new Promise((r) => setImmediate(r));
  return { code, stdout: io.out(), stderr: io.err(), ms: Date.now() - started };
}
