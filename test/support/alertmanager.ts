/**
 * A real Alertmanager (the Debian package `prometheus-alertmanager`, 0.25 here) on loopback
 * for tests: a generated config whose one webhook receiver points at a URL the test gives,
 * with the bearer token (or basic auth) in `http_config` exactly as an operator would write
 * it, short group timers so a test sees a group's first notice, its update and its
 * resolution within seconds, storage in a temp dir, and no cluster port
 * (`--cluster.listen-address=` empty). Alerts go in through Alertmanager's own v2 API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from './redis-server';

export const ALERTMANAGER_BIN = process.env.ALERTMANAGER_BIN ?? 'prometheus-alertmanager';

export interface AlertmanagerOptions {
  /** Where the webhook receiver posts, e.g. `http://127.0.0.1:1234/hooks/alertmanager`. */
  webhookUrl: string;
  /** `http_config.authorization` (type Bearer) with this token. */
  bearerToken?: string;
  /** `http_config.basic_auth` instead of a bearer token. */
  basicAuth?: { username: string; password: string };
  /** Route `group_by` (default: alertname). */
  groupBy?: string[];
  /** Route timers (Alertmanager durations, default 1s / 1s / 1h). */
  groupWait?: string;
  groupInterval?: string;
  repeatInterval?: string;
  /** webhook_configs `max_alerts` (0 = all). */
  maxAlerts?: number;
  /** `--web.external-url` (the `externalURL` of every notice); default its own loopback URL. */
  externalUrl?: string;
}

/** An alert as Alertmanager's v2 API takes it (`POST /api/v2/alerts`). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  /** In the past (or now) resolves the alert. */
  endsAt?: string;
  generatorURL?: string;
}

export interface TestAlertmanager {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** The generated configuration, as written to disk. */
  configYaml: string;
  postAlerts(alerts: PostableAlert[]): Promise<void>;
  /** Stop the process and remove its directory. */
  stop(): Promise<void>;
}

export function alertmanagerConfig(opts: AlertmanagerOptions): Record<string, unknown> {
  const httpConfig: Record<string, unknown> = {};
  if (opts.bearerToken !== undefined) httpConfig.authorization = { type: 'Bearer', credentials: opts.bearerToken };
  if (opts.basicAuth) httpConfig.basic_auth = opts.basicAuth;
  return {
    route: {
      receiver: 'caracal-triage',
      group_by: opts.groupBy ?? ['alertname'],
      group_wait: opts.groupWait ?? '1s',
      group_interval: opts.groupInterval ?? '1s',
      repeat_interval: opts.repeatInterval ?? '1h',
    },
    receivers: [
      {
        name: 'caracal-triage',
        webhook_configs: [
          {
            url: opts.webhookUrl,
            send_resolved: true,
            max_alerts: opts.maxAlerts ?? 0,
            ...(Object.keys(httpConfig).length > 0 ? { http_config: httpConfig } : {}),
          },
        ],
      },
    ],
  };
}

async function waitReady(url: string, child: ChildProcess, stderr: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`alertmanager exited with ${child.exitCode} before it was ready:\n${stderr()}`);
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`alertmanager was not ready within ${timeoutMs} ms:\n${stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startAlertmanager(opts: AlertmanagerOptions): Promise<TestAlertmanager> {
  const dir = mkdtempSync(join(tmpdir(), 'caracal-triage-alertmanager-'));
  const configYaml = stringify(alertmanagerConfig(opts));
  const configFile = join(dir, 'alertmanager.yml');
  writeFileSync(configFile, configYaml);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    ALERTMANAGER_BIN,
    [
      `--config.file=${configFile}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      `--web.external-url=${opts.externalUrl ?? url}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let err = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => {
    err = (err + d).slice(-8000);
  });
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    }
    child.stderr?.destroy();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([waitReady(url, child, () => err, 15_000), spawnError]);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    url,
    configYaml,
    async postAlerts(alerts) {
      const res = await fetch(`${url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alerts),
      });
      if (!res.ok) throw new Error(`alertmanager refused the alerts: ${res.status} ${await res.text()}`);
      await res.arrayBuffer().catch(() => undefined);
    },
    stop,
  };
}
