/**
 * Starts a real `redis-server` (the Debian package) on a free loopback port for tests that
 * need their own instance (restarts, persistence). Never a mock: BullMQ's Lua scripts need
 * the real thing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis from 'ioredis';

export interface TestRedis {
  url: string;
  port: number;
  /** Stop the server (SIGTERM; with persistence on, it saves first). */
  stop(): Promise<void>;
  /** Stop, then start again on the same port and data directory. */
  restart(): Promise<void>;
  /** Remove the data directory too. */
  destroy(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.end();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `evictionPolicy`: maxmemory-policy (default noeviction, as the bot requires). `args`: more server options. */
export async function startRedis(opts: { persistence?: boolean; port?: number; evictionPolicy?: string; args?: string[] } = {}): Promise<TestRedis> {
  const port = opts.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'caracal-triage-redis-'));
  let child: ChildProcess | null = null;
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', dir,
    '--maxmemory-policy', opts.evictionPolicy ?? 'noeviction',
    '--save', '',
    '--appendonly', opts.persistence ? 'yes' : 'no',
    '--appendfsync', 'always',
    ...(opts.args ?? []),
  ];
  const launch = async (): Promise<void> => {
    child = spawn('redis-server', args, { stdio: 'ignore' });
    await waitForPort(port, 10_000);
  };
  const stop = async (): Promise<void> => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
    });
    child = null;
  };
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    restart: async () => {
      await stop();
      await launch();
    },
    destroy: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A Redis that answers writes the way a full one does (`OOM`), on demand. */
export interface WriteRefusals {
  /** maxmemory of one byte under `noeviction`: every write that may grow memory is refused. */
  refuse(): Promise<void>;
  allow(): Promise<void>;
  /** Allows writes again and closes the connection. */
  close(): Promise<void>;
}

export function writeRefusals(url: string): WriteRefusals {
  const admin = new IORedis(url);
  const allow = async (): Promise<void> => void (await admin.config('SET', 'maxmemory', '0'));
  return {
    refuse: async () => void (await admin.config('SET', 'maxmemory', '1')),
    allow,
    async close() {
      await allow().catch(() => undefined);
      admin.disconnect();
    },
  };
}
