/**
 * REDIS_URL=rediss://… speaks TLS to Redis: the built binary against a redis-server with a TLS
 * port only (a throwaway CA made with openssl, trusted through NODE_EXTRA_CA_CERTS), ready
 * with the CA, refused in one line without it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lines, removeWorkDirs, runBinary, spawnBinary, waitForOutput } from '../support/binary';
import { freePort, startRedis, type TestRedis } from '../support/redis-server';

const KEY = 'k'.repeat(40);
let dir: string;
let redis: TestRedis;
let tlsPort: number;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'caracal-triage-tls-'));
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=caracal-triage test CA');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'redis.key', '-out', 'redis.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'san.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  ssl('x509', '-req', '-in', 'redis.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'redis.pem', '-days', '1', '-extfile', 'san.cnf');
  tlsPort = await freePort();
  redis = await startRedis({
    port: tlsPort,
    args: ['--port', '0', '--tls-port', String(tlsPort), '--tls-cert-file', join(dir, 'redis.pem'), '--tls-key-file', join(dir, 'redis.key'), '--tls-ca-cert-file', join(dir, 'ca.pem'), '--tls-auth-clients', 'no'],
  });
});
afterAll(async () => {
  await redis.destroy();
  rmSync(dir, { recursive: true, force: true });
  removeWorkDirs();
});

test('serve is ready over rediss:// with the CA trusted, and refuses in one line without it', async () => {
  const url = `rediss://127.0.0.1:${tlsPort}`;
  const untrusted = await runBinary(['serve'], { REDIS_URL: url, TRIAGE_SIGNING_KEY: KEY, REDIS_STARTUP_TIMEOUT_MS: '0', LOG_LEVEL: 'warn' });
  expect(untrusted.code).toBe(2);
  expect(lines(untrusted.stderr)).toEqual([expect.stringMatching(new RegExp(`^caracal-triage: REDIS_URL: cannot reach Redis at rediss://127\\.0\\.0\\.1:${tlsPort} \\(`))]);

  const port = await freePort();
  const child = spawnBinary(['serve'], { env: { REDIS_URL: url, NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem'), TRIAGE_SIGNING_KEY: KEY, PORT: String(port), LOG_LEVEL: 'warn' } });
  try {
    await waitForOutput(child, /serving health, readiness and metrics only/);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(await ready.json()).toEqual({ ready: true, checks: [{ name: 'redis', ok: true }] });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}, 45_000);
