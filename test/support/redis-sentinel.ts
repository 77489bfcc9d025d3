/**
 * A Redis Sentinel group on loopback, from the Debian package's `redis-server` alone: a master,
 * its replicas and three Sentinels (`redis-server <conf> --sentinel`), each Sentinel with its own
 * writable configuration file in a temporary directory (Sentinel rewrites it, and exits when it
 * cannot). Timings are tuned down so a failover takes a couple of seconds, not the defaults' 30.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { freePort } from './redis-server';

export interface SentinelGroup {
  /** REDIS_URL for the group: redis+sentinel://…/<name>. */
  url: string;
  name: string;
  masterPort: number;
  /** Kill the current master outright (SIGKILL). */
  killMaster(): Promise<void>;
  /** Resolves with the new master's port once the Sentinels agree on one other than `oldPort`. */
  waitForNewMaster(oldPort: number, timeoutMs?: number): Promise<number>;
  /** The port the Sentinels name as master now. */
  currentMaster(): Promise<number>;
  destroy(): Promise<void>;
}

async function waitForPing(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const c = new IORedis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
    c.on('error', () => undefined);
    const ok = await c
      .connect()
      .then(() => c.ping())
      .then(
        (r) => r === 'PONG',
        () => false,
      );
    c.disconnect();
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing answered PING on ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startSentinelGroup(opts: { replicas?: number; name?: string; downAfterMs?: number } = {}): Promise<SentinelGroup> {
  const name = opts.name ?? 'mymaster';
  const dir = mkdtempSync(join(tmpdir(), 'caracal-triage-sentinel-'));
  const children = new Map<number, ChildProcess>();
  // One at a time: a free port is free only until someone binds it, so each server listens
  // before the next port is picked.
  const launch = async (port: number, args: string[]): Promise<void> => {
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    child.on('error', () => undefined);
    children.set(port, child);
    await waitForPing(port);
  };
  const data = (port: number, extra: string[] = []): string[] => [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--dbfilename', `dump-${port}.rdb`,
    '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction', '--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '0', ...extra,
  ];

  const masterPort = await freePort();
  await launch(masterPort, data(masterPort));
  const replicaPorts: number[] = [];
  for (let i = 0; i < (opts.replicas ?? 1); i++) {
    const port = await freePort();
    await launch(port, data(port, ['--replicaof', '127.0.0.1', String(masterPort)]));
    replicaPorts.push(port);
  }
  const sentinelPorts: number[] = [];
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const conf = join(dir, `sentinel-${port}.conf`);
    writeFileSync(
      conf,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${name} 127.0.0.1 ${masterPort} 2`,
        `sentinel down-after-milliseconds ${name} ${opts.downAfterMs ?? 500}`,
        // A Sentinel tries a failover again only after twice this. Three Sentinels that see the
        // master go at once sometimes split their votes (one failover in 25 on a loaded machine
        // took 10.5 s, not 2 s); at 4000 ms two split votes in a row outlasted the test's
        // patience. Promotion on loopback takes milliseconds, far inside 1500.
        `sentinel failover-timeout ${name} 1500`,
        `sentinel parallel-syncs ${name} 1`,
        '',
      ].join('\n'),
    );
    await launch(port, [conf, '--sentinel']);
    sentinelPorts.push(port);
  }

  const ask = async (): Promise<number> => {
    const s = new IORedis({ port: sentinelPorts[0], host: '127.0.0.1', maxRetriesPerRequest: 1 });
    s.on('error', () => undefined);
    try {
      const [, port] = (await s.call('SENTINEL', 'get-master-addr-by-name', name)) as [string, string];
      return Number(port);
    } finally {
      s.disconnect();
    }
  };
  // Every Sentinel must have found the replica before a failover can promote it.
  const deadline = Date.now() + 15_000;
  for (;;) {
    const s = new IORedis({ port: sentinelPorts[2], host: '127.0.0.1', maxRetriesPerRequest: 1 });
    s.on('error', () => undefined);
    const replicas = (await s.call('SENTINEL', 'replicas', name).catch(() => [])) as unknown[];
    const sentinels = (await s.call('SENTINEL', 'sentinels', name).catch(() => [])) as unknown[];
    s.disconnect();
    if (replicas.length >= replicaPorts.length && sentinels.length >= 2) break;
    if (Date.now() > deadline) throw new Error('the Sentinels did not discover the replicas and each other in time');
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    url: `redis+sentinel://${sentinelPorts.map((p) => `127.0.0.1:${p}`).join(',')}/${name}`,
    name,
    masterPort,
    async killMaster() {
      const port = await ask();
      const child = children.get(port);
      if (!child || child.exitCode !== null) throw new Error(`no running master on ${port}`);
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
    async waitForNewMaster(oldPort, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const port = await ask().catch(() => oldPort);
        if (port !== oldPort) return port;
        if (Date.now() > until) throw new Error(`the Sentinels named no new master within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    currentMaster: ask,
    async destroy() {
      await Promise.all(
        [...children.values()].map(
          (c) =>
            new Promise<void>((resolve) => {
              if (c.exitCode !== null || c.signalCode !== null) return resolve();
              c.once('exit', () => resolve());
              c.kill('SIGKILL');
            }),
        ),
      );
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
