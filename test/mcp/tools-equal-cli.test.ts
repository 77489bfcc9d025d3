/**
 * An agent gets the same evidence-backed answer a person gets: for every simulator scenario, an
 * MCP client of the official SDK calls each tool over stdio (the built binary's `caracal-triage
 * mcp`) and over HTTP (the built binary's `serve` with MCP_TOKEN, `POST /mcp`), and each
 * structured result equals the CLI's `--json` for the same input (the built binary again):
 *
 *   triage_request {requestId, symptom?, error?}  = triage <requestId> [--symptom] [--error] --json
 *   get_bundle {zone}                             = bundle --zone Z --json
 *   explain_error {error}.triage                  = triage_request {error} (E holds the request ID),
 *                                                   the object `triage --error E --json` prints
 *
 * The CLI side runs in-process (`main` with captured stdout, the function the binary calls) for
 * every scenario, and through the built binary for one: the binary adds only its start and exit,
 * which test/cli/binary-*.test.ts prove, so 44 process starts here proved nothing more. The MCP
 * servers are the built binary throughout.
 *
 * One simulator, one stdio server, one web process for the whole file; each scenario is set on
 * the simulator in turn. No seeded secret, and no configured one, appears in any result, in its
 * structured content or in its text. Reports read moments apart differ only in measured
 * latencies (support/mcp.ts `sameMoment`).
 */
import type { ChildProcess } from 'node:child_process';
import { SCENARIOS, SEEDED_SECRETS, simulatorEnv, startSimulator, type Scenario, type Simulator } from '../../sim';
import { assertFreshBuild, removeWorkDirs, runCli, spawnBinary, waitForOutput } from '../support/binary';
import { callTool, connectHttp, connectStdio, sameMoment, secretsIn, type McpConnection } from '../support/mcp';
import { freePort } from '../support/redis-server';
import { runInProcess } from '../cli/io';

const MCP_TOKEN = 'mcp-token-of-the-tools-test-0123456789abcdef';
const SIGNING_KEY = 'k'.repeat(40);

let sim: Simulator;
let env: Record<string, string>;
let stdio: McpConnection;
let http: McpConnection;
let serve: ChildProcess;
/** Secret values the engine replaced, per scenario: proof the secret checks had something to find. */
const redacted: number[] = [];

beforeAll(async () => {
  assertFreshBuild();
  sim = await startSimulator();
  // Some 200 triages in a few minutes, spread over the CLI and both servers, take far more than the
  // default 500 Admin API calls a minute: the budget (tested on its own in test/caracal/budget*.test.ts
  // and test/store/caracal-budget.test.ts) held this file for minutes against a simulator that limits
  // nothing. The answers compared here do not depend on it.
  env = simulatorEnv(sim, { CARACAL_TIMEOUT_MS: '3000', CARACAL_API_BUDGET_PER_MIN: '100000' });
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

/** The CLI's `--json` for these arguments, parsed (its exit code is the CLI's own business here). */
async function cliJson(args: string[]): Promise<unknown> {
  const run = await runInProcess([...args, '--json'], env);
  expect({ args, stderr: run.stderr, code: run.code === 0 || run.code === 1 }).toEqual({ args, stderr: '', code: true });
  return JSON.parse(run.stdout);
}

/** The same, printed by the built binary. */
async function binaryJson(args: string[]): Promise<unknown> {
  const run = await runCli([...args, '--json'], { env, timeoutMs: 60_000 });
  expect({ args, stderr: run.stderr, code: run.code === 0 || run.code === 1 }).toEqual({ args, stderr: '', code: true });
  return JSON.parse(run.stdout);
}

/** The CLI arguments of a scenario's triage. */
function cliTriageArgs(s: Scenario): string[] {
  const { requestId, symptom, error } = s.input;
  return ['triage', requestId, ...(symptom ? ['--symptom', symptom] : []), ...(error ? ['--error', error] : [])];
}

/** The scenario's error text with its request ID in it (appended in the SDK's form when it lacks one). */
function errorWithRequestId(s: Scenario): string {
  const error = s.input.error ?? 'access_denied';
  return error.includes(s.input.requestId) ? error : `${error} (request_id=${s.input.requestId})`;
}

/** Every secret the bot must never show: the simulator's seeded ones and the configured ones. */
const secrets = (): string[] => [...SEEDED_SECRETS, sim.tokens.globalRead, sim.tokens.globalWrite, sim.tokens.zoneRead, sim.metricsBearer, sim.coordinatorToken, MCP_TOKEN, SIGNING_KEY];

describe('the tools', () => {
  it('are listed alike over stdio and HTTP: triage_request, explain_error, get_bundle, recent_denials, all read-only, each saying what it cannot know; serve has the store, so list_triages and get_triage too (test/mcp/stored-triages.test.ts)', async () => {
    for (const [c, store] of [[stdio, []], [http, ['list_triages', 'get_triage']]] as const) {
      const { tools } = await c.client.listTools();
      expect(tools.map((t) => t.name)).toEqual(['triage_request', 'explain_error', 'get_bundle', 'recent_denials', ...store]);
      for (const t of tools) {
        expect({ tool: t.name, readOnly: t.annotations?.readOnlyHint, destructive: t.annotations?.destructiveHint }).toEqual({ tool: t.name, readOnly: true, destructive: false });
        expect({ tool: t.name, says: /What it proves:[\s\S]*What it cannot know:/.test(t.description ?? '') }).toEqual({ tool: t.name, says: true });
        expect(t.outputSchema?.type).toBe('object');
      }
    }
  });
});

describe.each(SCENARIOS.map((s) => [s.name, s] as const))('scenario %s', (_name, scenario) => {
  it('each tool over stdio and HTTP answers what the CLI prints, with no secret in it', async () => {
    sim.setScenario(scenario);
    const { requestId, symptom, error } = scenario.input;
    const zone = sim.zoneIds[sim.zoneIds.length - 1]!;
    const explained = errorWithRequestId(scenario);
    const triageArgs = { requestId, ...(symptom ? { symptom } : {}), ...(error ? { error } : {}) };

    const [cliTriage, cliBundle, ...viaMcp] = await Promise.all([
      cliJson(cliTriageArgs(scenario)),
      cliJson(['bundle', '--zone', zone]),
      ...[stdio, http].flatMap((c) => [
        callTool(c, 'triage_request', triageArgs),
        callTool(c, 'get_bundle', { zone }),
        callTool(c, 'explain_error', { error: explained }),
        callTool(c, 'triage_request', { error: explained }),
      ]),
    ]);

    for (const [i, transport] of ['stdio', 'http'].entries()) {
      const [triage, bundle, explain, triageOfError] = viaMcp.slice(i * 4, i * 4 + 4) as Array<Awaited<ReturnType<typeof callTool>>>;
      for (const [tool, r] of [['triage_request', triage], ['get_bundle', bundle], ['explain_error', explain], ['triage_request {error}', triageOfError]] as const) {
        expect({ transport, tool, isError: r!.isError }).toEqual({ transport, tool, isError: false });
        expect({ transport, tool, leaked: secretsIn([r!.structured, r!.texts], secrets()) }).toEqual({ transport, tool, leaked: [] });
        // The same JSON follows the text, for clients that read no structured content.
        expect(JSON.parse(r!.texts[1]!)).toEqual(r!.structured);
      }
      expect({ transport, triage: sameMoment(triage!.structured) }).toEqual({ transport, triage: sameMoment(cliTriage) });
      expect({ transport, bundle: sameMoment(bundle!.structured) }).toEqual({ transport, bundle: sameMoment(cliBundle) });
      const explanation = explain!.structured as { symptom: unknown; surface: unknown; check: string; triage: unknown };
      expect({ transport, triage: sameMoment(explanation.triage) }).toEqual({ transport, triage: sameMoment(triageOfError!.structured) });
      expect((explanation.triage as { requestId: string }).requestId).toBe(requestId);
      expect(explanation.check).toContain(`Triaged request ${requestId}: `);
      redacted.push((triage!.structured as { bundle: { redactions: number } }).bundle.redactions, (bundle!.structured as { redactions: number }).redactions);
      // The text leads with the headline the report carries.
      const report = triage!.structured as { headline: { text: string } };
      expect(triage!.texts[0]!.split('\n')[0]).toBe(report.headline.text);
    }
  }, 120_000);
});

describe('the built CLI', () => {
  it('prints what the tools answer too (one scenario through the binary; the rest compare in-process above)', async () => {
    const scenario = SCENARIOS.find((s) => s.expect.surface !== null)!;
    sim.setScenario(scenario);
    const zone = sim.zoneIds[sim.zoneIds.length - 1]!;
    const [cliTriage, cliBundle, triage, bundle] = await Promise.all([
      binaryJson(cliTriageArgs(scenario)),
      binaryJson(['bundle', '--zone', zone]),
      callTool(stdio, 'triage_request', { requestId: scenario.input.requestId, ...(scenario.input.symptom ? { symptom: scenario.input.symptom } : {}), ...(scenario.input.error ? { error: scenario.input.error } : {}) }),
      callTool(stdio, 'get_bundle', { zone }),
    ]);
    expect(sameMoment(triage.structured)).toEqual(sameMoment(cliTriage));
    expect(sameMoment(bundle.structured)).toEqual(sameMoment(cliBundle));
  }, 120_000);
});

describe('the seeded secrets', () => {
  it('were there to leak: the scenarios above redacted some (so the checks for them could fail)', () => {
    expect(redacted.length).toBe(SCENARIOS.length * 4);
    expect(redacted.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });
});
