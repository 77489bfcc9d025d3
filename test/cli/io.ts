/** Captured stdout/stderr for running the CLI in-process, as a non-TTY (like a pipe). */
import { PassThrough } from 'node:stream';
import type { CommandIo } from '../../src/cli/subcommands/triage';

export interface CapturedIo extends CommandIo {
  out(): string;
  err(): string;
}

export function captureIo(env: NodeJS.ProcessEnv): CapturedIo {
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
    out: () => Buffer.concat(chunks.out).toString('utf8'),
    err: () => Buffer.concat(chunks.err).toString('utf8'),
  };
}
