/**
 * `recent_denials {zone?, since?}` as an agent calls it: an MCP client of the official SDK over
 * stdio (the built binary's `caracal-triage mcp`) and over HTTP (the built binary's `serve` with
 * MCP_TOKEN), against the simulator serving denied rows as Caracal writes them. Its structured
 * result equals the built CLI's `watch --once [--zone] [--since] --json` for the same input (the
 * two read moments apart, so only the clock of the call, `since` and `until`, may differ), no
 * seeded or configured secret comes back (one sits in a resource, one in an application ID), and
 * bad input is refused as the terminal refuses it.
 *
 * The MCP servers are the built binary throughout; the CLI side is the built binary for the
 * first comparison and `main` in this process (test/cli/io.ts) for the rest, as
 * tools-equal-cli.test.ts does: the binary adds only its start and exit, which
 * test/cli/binary-watch.test.ts proves for `watch --once`.
 */
import type { ChildProcess } from 'node:child_process';
import { SEEDED_ADMIN_TOKEN, SEEDED_SECRETS, denialRows, simulatorEnv, startSimulator, watchScenario, watchZoneId, type AuditRowData, type DenialSpec, type Simulator } from '../../sim';
import { assertFreshBuild, removeWorkDirs, runCli, spawnBinary, waitForOutput } from '../support/binary';
import { runInProcess } from '../cli/io';
import { callTool, connectHttp, connectStdio, secretsIn, type McpConnection } from '../support/mcp';
import { freePort } from '../support/redis-server';

const MCP_TOKEN = 'mcp-token-of-the-denials-test-0123456789abcdef';
const SIGNING_KEY = 'k'.repeat(40);
const Z0 = watchZoneId(0);
const Z1 = watchZoneId(1);
const MIN = 60_000;

let sim: Simulator;
let env: Record<string, string>;
let stdio: McpConnection;
let http: McpConnection;
let serve: ChildProcess;

interface Report {
  since: string;
  until: string;
  patterns: Array<{ zoneId: string; applicationId: string | null; resource: string | null; reason: string; count: number; requestIds: string[]; overThreshold: boolean }>;
}

function rows(now: number): AuditRowData[] {
  const burst: Omit<DenialSpec, 'requestId' | 'occurredAt'> = { zoneId: Z0, applicationId: 'app-anton', resource: 'resource://payments', reason: 'role_scope_mismatch', kind: 'policy' };
  // A configured secret (the metrics bearer) and a seeded one, where Caracal's rows carry outside text.
  const leaky: Omit<DenialSpec, 'requestId' | 'occurredAt'> = { zoneId: Z1, applicationId: 'app-berta', resource: `resource://vault/${sim.metricsBearer}`, reason: 'scope_mismatch', kind: 'pre_policy' };
  const out: AuditRowData[] = [];
  for (let i = 0; i < 8; i++) out.push(...denialRows({ ...burst, requestId: `req-burst-${i}`, occurredAt: now - 4 * MIN + i * 15_000 }));
  for (let i = 0; i < 3; i++) out.push(...denialRows({ ...leaky, requestId: `req-leaky-${i}`, occurredAt: now - 6 * MIN + i * MIN }));
  out.push(...denialRows({ zoneId: Z1, applicationId: `client/${SEEDED_ADMIN_TOKEN}`, resource: 'resource://mail', reason: 'replay_detected', kind: 'replay', requestId: 'req-replay-1', occurredAt: now - 3 * MIN }));
  return out;
}

beforeAll(async () => {
  assertFreshBuild();
  sim = await startSimulator({ scenario: watchScenario(2) });
  sim.streamAudit(rows(Date.now()));
  env = simulatorEnv(sim, { CARACAL_TIMEOUT_MS: '3000' });
  const port = await freePort();
  serve = spawnBinary(['serve'], { env: { ...env, REDIS_URL: process.env.REDIS_URL!, TRIAGE_SIGNING_KEY: SIGNING_KEY, PORT: String(port), MCP_TOKEN, LOG_LEVEL: 'info' } });
  const [connected] = await Promise.all([connectStdio(env), waitForOutput(serve, /"msg":"web running"/, 20_000)]);
  stdio = connected;
  http = await connectHttp(`http://127.0.0.1:${port}/mcp`, { Authorization: `Bearer ${MCP_TOKEN}` });
}, 60_000);

afterAll(async () => {
  await Promise.all([stdio?.close(), http?.close()]);
  if (serve && serve.exitCode === null) {
    const exited = new Promise((r) => serve.once('exit', r));
    serve.kill('SIGTERM');
    await exited;
  }
  await sim?.close();
  removeWorkDirs();
});

const secrets = (): string[] => [...SEEDED_SECRETS, sim.tokens.globalRead, sim.metricsBearer, sim.coordinatorToken, MCP_TOKEN, SIGNING_KEY];

/** The report with the clock of the call set aside, after checking the range is the one asked for. */
function atAnyMoment(r: Report, rangeMs: number): Omit<Report, 'since' | 'until'> {
  expect(Date.parse(r.until) - Date.parse(r.since)).toBe(rangeMs);
  expect(Math.abs(Date.parse(r.until) - Date.now())).toBeLessThan(60_000);
  return { patterns: r.patterns };
}

describe('recent_denials', () => {
  it('is listed over stdio and HTTP, read-only, saying what it proves and what it cannot know', async () => {
    for (const c of [stdio, http]) {
      const tool = (await c.client.listTools()).tools.find((t) => t.name === 'recent_denials');
      expect(tool?.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
      expect(tool?.description).toMatch(/What it proves:[\s\S]*What it cannot know:[\s\S]*before STS[\s\S]*no audit row/);
      expect(Object.keys((tool?.inputSchema as { properties: object }).properties).sort()).toEqual(['deployment', 'since', 'zone']);
    }
  });

  it.each<[string, Record<string, string>, string[], number, 'binary' | 'in-process']>([
    ['every watched zone, the last 15 min', {}, [], 15 * MIN, 'binary'],
    ['one zone by its slug, the last 30 min', { zone: 'watch-1', since: '30m' }, ['--zone', 'watch-1', '--since', '30m'], 30 * MIN, 'in-process'],
  ])('%s: over stdio and HTTP, what `watch --once --json` prints, with no secret in it', async (_what, args, flags, rangeMs, where) => {
    const watch = ['watch', '--once', ...flags, '--json'];
    const [cli, ...viaMcp] = await Promise.all([where === 'binary' ? runCli(watch, { env, timeoutMs: 60_000 }) : runInProcess(watch, env), callTool(stdio, 'recent_denials', args), callTool(http, 'recent_denials', args)]);
    // Exit 1: a pattern crossed (the burst in zone 0, the replay in zone 1).
    expect({ code: cli.code, stderr: cli.stderr }).toEqual({ code: 1, stderr: '' });
    const printed = JSON.parse(cli.stdout) as Report;
    for (const [i, r] of viaMcp.entries()) {
      const transport = ['stdio', 'http'][i];
      expect({ transport, isError: r.isError }).toEqual({ transport, isError: false });
      expect({ transport, report: atAnyMoment(r.structured as Report, rangeMs) }).toEqual({ transport, report: atAnyMoment(printed, rangeMs) });
      expect(JSON.parse(r.texts[1]!)).toEqual(r.structured);
      expect({ transport, leaked: secretsIn([r.structured, r.texts], secrets()) }).toEqual({ transport, leaked: [] });
      // The text leads with what crossed, and sends the agent to triage_request for the why.
      expect(r.texts[0]).toMatch(/^\d+ of \d+ denial pattern\(s\) crossed/);
      expect(r.texts[0]).toContain('call triage_request with one of its requestIds');
    }
    expect(secretsIn(cli.stdout, secrets())).toEqual([]);
    // The secrets were there to leak: the patterns that carried them came back redacted.
    const zones = new Set(printed.patterns.map((p) => p.zoneId));
    expect(zones.has(Z1)).toBe(true);
    const byReason = new Map(printed.patterns.map((p) => [p.reason, p]));
    expect(byReason.get('scope_mismatch')).toMatchObject({ resource: 'resource://vault/[redacted]', count: 3, overThreshold: false });
    expect(byReason.get('replay_detected')).toMatchObject({ applicationId: 'client/[redacted]', overThreshold: true, requestIds: ['req-replay-1'] });
    if (flags.includes('--zone')) expect([...zones]).toEqual([Z1]);
    else expect(byReason.get('role_scope_mismatch')).toMatchObject({ zoneId: Z0, count: 8, overThreshold: true });
  }, 90_000);

  it('refuses what the terminal refuses: a since that is no duration, a zone that matches none', async () => {
    for (const c of [stdio, http]) {
      const badSince = await callTool(c, 'recent_denials', { since: '15' });
      expect(badSince.isError).toBe(true);
      expect(badSince.texts[0]).toContain('give a duration from 1s to 7d');
      const noZone = await callTool(c, 'recent_denials', { zone: 'watch-9' });
      expect(noZone.isError).toBe(true);
      expect(noZone.texts[0]).toMatch(/^no zone has the ID, name or slug "watch-9"; nearest: Watch \d/);
    }
    const cli = await runInProcess(['watch', '--once', '--zone', 'watch-9'], env);
    expect({ code: cli.code, stdout: cli.stdout }).toEqual({ code: 2, stdout: '' });
    expect(cli.stderr).toMatch(/^caracal-triage: no zone has the ID, name or slug "watch-9"; nearest: Watch \d/);
  });
});
