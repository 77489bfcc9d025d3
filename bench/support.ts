/**
 * What the watch and burst benchmarks share: a Redis (REDIS_URL, or a throwaway redis-server),
 * the Caracal simulator in a child process (so it does not share the measured process's event
 * loop) answering `count` with its request counters, and key clean-up.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import IORedis from 'ioredis';

/** Whatever a run started, stopped even when it fails. */
export const cleanups: Array<() => void> = [];
process.on('exit', () => cleanups.forEach((f) => f()));
// Ctrl-C or a kill still stops them (the 'exit' handlers run only through process.exit).
process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

export async function ensureRedis(): Promise<string> {
  if (process.env.REDIS_URL) return process.env.REDIS_URL;
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
  cleanups.push(() => child.kill('SIGTERM'));
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const probe = new IORedis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      return url;
    } catch (e) {
      if (i > 100) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

export async function deleteByPrefix(url: string, prefix: string): Promise<void> {
  const r = new IORedis(url);
  let cursor = '0';
  do {
    const [next, found] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (found.length) await r.del(...found);
  } while (cursor !== '0');
  await r.quit();
}

export interface SimCounts {
  received: number;
  v1Calls: number;
  rateLimited: number;
  pendingAudit: number;
}

export interface SimChild<Info> {
  info: Info;
  counts(): Promise<SimCounts>;
  /** Sends a message the child's own handler understands. */
  send(message: unknown): void;
  close(): void;
}

/** Forks this benchmark's own file with `--simulator`; the child sends its info first. */
export async function forkSimulator<Info>(file: string, args: string[] = []): Promise<SimChild<Info>> {
  const child = fork(file, ['--simulator', ...args], { stdio: 'inherit' });
  cleanups.push(() => child.connected && child.disconnect());
  const info = await new Promise<Info>((resolve) => child.once('message', (m) => resolve(m as Info)));
  return {
    info,
    counts: () =>
      new Promise((resolve) => {
        const on = (m: unknown): void => {
          if (m && typeof m === 'object' && 'v1Calls' in m) {
            child.off('message', on);
            resolve(m as SimCounts);
          }
        };
        child.on('message', on);
        child.send('count');
      }),
    send: (m) => child.send(m as string),
    close: () => child.connected && child.disconnect(),
  };
}

export const pct = (xs: readonly number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};

/**
 * Runs a bench's main and exits once it has printed: a connection or timer some library keeps
 * must not hold the run open (the 'exit' handler still stops what the run started: the
 * throwaway Redis, the simulator).
 */
export function runToExit(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (e: Error) => {
      console.error(e.stack ?? e.message);
      process.exit(1);
    },
  );
}
