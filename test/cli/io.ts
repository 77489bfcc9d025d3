/**
 * Captured stdout/stderr for running the CLI in-process, as a non-TTY (like a pipe). The CLI
 * looks for `.env` in `cwd`: an empty directory of its own unless a test gives one, so a
 * developer's `./.env` (jest runs in the project root) never reaches a test.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { CliIo } from '../../src/cli/main';

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
