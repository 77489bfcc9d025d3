/**
 * The MCP tools with two Caracal deployments, against the CLI's `--json` for the same input
 * (the two-deployment case of tools-equal-cli.test.ts): two simulators as `staging`
 * (grant_missing: holds req-grant-1) and `production` (healthy_allow: holds req-allow-1) in a
 * CARACAL_DEPLOYMENTS_FILE, the built binary's `caracal-triage mcp` over stdio and the CLI.
 * Without `deployment`, triage_request looks for the request in every deployment as `triage`
 * does, and recent_denials reads them all naming each pattern's deployment; with it, only that
 * deployment is read; an unknown one is a tool error naming those that exist; get_bundle asks
 * for one as `bundle` does. No token of either deployment is ever returned.
 *
 * The MCP server is the built binary; the CLI's `--json` it is compared with runs `main` in this
 * process (test/cli/io.ts), as tools-equal-cli.test.ts does: the CLI's exit codes and --json
 * through the binary are test/cli/binary-deployments.test.ts's to prove, and a spawn per
 * comparison here would prove nothing more.
 */
import { denialRows, startSimulator, ZONE_A, type Simulator } from '../../sim';
import { runInProcess } from '../cli/io';
import { assertFreshBuild, removeWorkDirs, workDir } from '../support/binary';
import { callTool, connectStdio, sameMoment, secretsIn, type McpConnection } from '../support/mcp';
import { writeDeploymentsFile } from '../support/deployments-file';

let staging: Simulator;
let production: Simulator;
let env: Record<string, string>;
let stdio: McpConnection;

function deploymentsFile(dir: string): string {
  return writeDeploymentsFile(dir, [
    { name: 'staging', sim: staging, observability: false },
    { name: 'production', sim: production, observability: false },
  ]);
}

beforeAll(async () => {
  assertFreshBuild();
  [staging, production] = await Promise.all([startSimulator({ scenario: 'grant_missing' }), startSimulator({ scenario: 'healthy_allow' })]);
  const now = Date.now();
  staging.streamAudit(
    Array.from({ length: 6 }, (_, i) =>
      denialRows({ zoneId: ZONE_A, applicationId: 'app-anton', resource: 'resource://payments', reason: 'role_scope_mismatch', kind: 'policy', requestId: `req-m-${i}`, occurredAt: now - 60_000 + i * 1000, ingestedAt: now - 60_000 + i * 1000 }),
    ).flat(),
  );
  env = { CARACAL_DEPLOYMENTS_FILE: deploymentsFile(workDir()), CARACAL_TIMEOUT_MS: '3000' };
  stdio = await connectStdio(env);
}, 60_000);

afterAll(async () => {
  await stdio?.close();
  await Promise.all([staging?.close(), production?.close()]);
  removeWorkDirs();
});

async function cliJson(args: string[]): Promise<unknown> {
  const run = await runInProcess([...args, '--json'], env);
  expect({ args, stderr: run.stderr, code: run.code === 0 || run.code === 1 }).toEqual({ args, stderr: '', code: true });
  return JSON.parse(run.stdout);
}

const secrets = (): string[] => [staging.tokens.globalRead, production.tokens.globalRead];

describe('triage_request across two deployments', () => {
  it('without deployment finds the request where it is, as `triage` does; with one reads only it', async () => {
    const [cli, viaMcp] = await Promise.all([cliJson(['triage', 'req-grant-1', '--symptom', 'token_exchange_denied']), callTool(stdio, 'triage_request', { requestId: 'req-grant-1', symptom: 'token_exchange_denied' })]);
    expect(viaMcp.isError).toBe(false);
    expect((viaMcp.structured as { deployment: string }).deployment).toBe('staging');
    expect(sameMoment(viaMcp.structured)).toEqual(sameMoment(cli));
    expect(viaMcp.texts[0]).toMatch(/^Found in staging \(searched staging and production\)\./);
    expect(secretsIn([viaMcp.structured, viaMcp.texts], secrets())).toEqual([]);

    production.clearRequests();
    staging.clearRequests();
    const [cliNamed, named] = await Promise.all([
      cliJson(['triage', 'req-grant-1', '--deployment', 'production']),
      callTool(stdio, 'triage_request', { requestId: 'req-grant-1', deployment: 'production' }),
    ]);
    expect(named.isError).toBe(false);
    expect(sameMoment(named.structured)).toEqual(sameMoment(cliNamed));
    expect((named.structured as { deployment: string }).deployment).toBe('production');
    expect(staging.requests.filter((r) => r.service === 'api')).toEqual([]);
  });

  it('an unknown deployment is a tool error naming those that exist, in every tool that takes one', async () => {
    for (const [tool, args] of [
      ['triage_request', { requestId: 'req-grant-1' }],
      ['explain_error', { error: 'access_denied (request_id=req-grant-1)' }],
      ['get_bundle', {}],
      ['recent_denials', {}],
    ] as const) {
      const r = await callTool(stdio, tool, { ...args, deployment: 'prod' });
      expect({ tool, isError: r.isError, text: r.texts[0] }).toEqual({ tool, isError: true, text: 'deployment "prod": no such deployment; the deployments are staging, production' });
    }
  });

  it('a request in neither: says which were searched and how to name one', async () => {
    const r = await callTool(stdio, 'triage_request', { requestId: 'req-nowhere-1' });
    expect(r.isError).toBe(true);
    expect(r.texts[0]).toBe('Request req-nowhere-1 is in none of the zones of staging and production. Which deployment is it in? Name it with deployment (one of staging, production).');
  });
});

describe('get_bundle and recent_denials across two deployments', () => {
  it('get_bundle asks for a deployment as `bundle` does, and equals `bundle --deployment` with one', async () => {
    const none = await callTool(stdio, 'get_bundle', {});
    expect(none.isError).toBe(true);
    expect(none.texts[0]).toBe('get_bundle reads one deployment and the bot serves 2 (staging, production): name one with deployment');
    const [cli, one] = await Promise.all([cliJson(['bundle', '--deployment', 'production']), callTool(stdio, 'get_bundle', { deployment: 'production' })]);
    expect(one.isError).toBe(false);
    expect(sameMoment(one.structured)).toEqual(sameMoment(cli));
  });

  it('recent_denials reads every deployment, each pattern naming its own, as `watch --once` does', async () => {
    const [cli, viaMcp] = await Promise.all([cliJson(['watch', '--once', '--since', '15m']), callTool(stdio, 'recent_denials', { since: '15m' })]);
    expect(viaMcp.isError).toBe(false);
    const strip = (r: unknown) => (r as { patterns: unknown[] }).patterns;
    expect(strip(viaMcp.structured)).toEqual(strip(cli));
    const patterns = strip(viaMcp.structured) as Array<{ deployment: string; requestIds: string[]; overThreshold: boolean }>;
    expect(patterns.filter((p) => p.requestIds.some((id) => id.startsWith('req-m-')))).toEqual([expect.objectContaining({ deployment: 'staging', overThreshold: true })]);
    expect(viaMcp.texts[0]).toContain('deployment staging · role_scope_mismatch');

    const only = await callTool(stdio, 'recent_denials', { since: '15m', deployment: 'production' });
    expect((only.structured as { patterns: Array<{ deployment: string }> }).patterns.every((p) => p.deployment === 'production')).toBe(true);
  });
});
