/**
 * list_triages and get_triage: the triages the bot has recorded, for an agent. Triages are
 * started through the TriageService (as chat starts them) in a redis-server of this file's own,
 * with secrets seeded into what the bot stored; then an MCP client of the official SDK calls
 * the tools over stdio (the built binary's `caracal-triage mcp` with REDIS_URL) and over HTTP
 * (the built binary's `serve` with MCP_TOKEN, whose tools read through its own service), and
 * each structured result equals the CLI's `list [--open] [--limit N] --json` and
 * `show <id> --json` (same settings). Page links are signed at the moment of each read, so
 * their `exp` and `sig` are compared as "a valid link" only.
 *
 * Without REDIS_URL the stdio server does not offer the two tools and its instructions say
 * what to set; with a REDIS_URL that does not answer it offers them and each call is one
 * sentence naming REDIS_URL; a bad REDIS_URL stops it before it serves, as every bad setting does.
 *
 * The MCP servers are the built binary (`mcp` over stdio, `serve` over HTTP), and so is the run
 * where `mcp` must exit 2 before it serves rather than wait on stdin. The CLI's `--json` they are
 * compared with runs `main` in this process (test/cli/io.ts), as test/mcp/tools-equal-cli.test.ts
 * does: its exit code and shape through the binary are test/cli/binary-find.test.ts's to prove.
 */
import type { ChildProcess } from 'node:child_process';
import { assertFreshBuild, lines, removeWorkDirs, runCli, spawnBinary, waitForOutput } from '../support/binary';
import { runInProcess } from '../cli/io';
import { openService } from '../support/halves';
import { callTool, connectHttp, connectStdio, secretsIn, type McpConnection } from '../support/mcp';
import { freePort, startRedis, type TestRedis } from '../support/redis-server';
import { checkPageLink } from '../../src/report/page-link';
import type { RedisTriageService } from '../../src/service/triage-service';
import { DEFAULT_PREFIX } from '../../src/store/keys';

const KEY = 'stored-triages-signing-key-0123456789abcdef';
const MCP_TOKEN = 'mcp-token-of-the-stored-triages-test-0123456789';
const ADMIN_TOKEN = `cat_${'A1b2C3d4'.repeat(6)}`;
const PUBLIC_URL = 'https://triage.example.test';
const ZONE = '01a21de5-aaaa-4000-8000-000000000001';
const CHANNEL = 'C0MCPSTORED';

/** Secrets written into what the bot stored: a configured one by value, and the shapes redaction knows. */
const SEEDED = {
  jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZ2VudC03In0.c2lnbmF0dXJlLW9mLXRoZS10ZXN0',
  clientSecret: 'client-secret-value-of-the-seed-42',
  bearer: 'opaqueBearerValue0123456789',
};
const NEVER = [SEEDED.jwt, SEEDED.clientSecret, SEEDED.bearer, MCP_TOKEN, ADMIN_TOKEN, KEY];

let redis: TestRedis;
let service: RedisTriageService;
let serve: ChildProcess;
let env: Record<string, string>;
let stdio: McpConnection;
let http: McpConnection;
let bare: McpConnection;
const ids = { resolved: '', open: '', collecting: '' };

async function start(requestId: string, name: string): Promise<string> {
  const r = await service.start({
    input: { requestId, zoneId: null, symptom: null, error: null },
    destination: { platform: 'slack', channel: CHANNEL },
    actor: { kind: 'user', id: 'U0MCP0001', name },
    dedupeKey: `mcp-stored-${requestId}`,
    source: 'slack_command',
  });
  // Distinct start times, so "newest first" has one answer.
  await new Promise((res) => setTimeout(res, 5));
  return r.triageId;
}

async function finish(id: string, summary: string): Promise<void> {
  const r = await service.store.apply(id, {
    type: 'collection_finished',
    zoneId: ZONE,
    symptom: 'token_exchange_denied',
    surface: 'resource_definition',
    diagnosis: { surface: 'resource_definition', step: 'requested_scopes', cause: 'scope_mismatch', summary, confidence: 'high' },
    bundle: { items: [{ id: 'config_summary', status: 'ok', summary: `Configured with Bearer ${SEEDED.bearer}`, evidence: { client_secret: SEEDED.clientSecret } }], redactions: 0 },
    names: { zones: { [ZONE]: 'Payments EU' }, applications: {}, resources: {}, policySets: {} },
  });
  expect(r.ok).toBe(true);
}

beforeAll(async () => {
  assertFreshBuild();
  redis = await startRedis();
  service = await openService({ redisUrl: redis.url, signingKey: KEY, prefix: DEFAULT_PREFIX });
  ids.resolved = await start('req-stored-1', 'ada');
  expect((await service.store.apply(ids.resolved, { type: 'step_collected', result: { id: 'readiness', verdict: 'pass', summary: `API ready; the agent sent ${SEEDED.jwt}`, evidence: { token: SEEDED.jwt } } })).ok).toBe(true);
  await finish(ids.resolved, `Scope \`payments:wirte\` is not defined in zone ${ZONE}; admin token ${ADMIN_TOKEN} read it.`);
  expect((await service.apply(ids.resolved, { type: 'resolve', actor: { kind: 'user', id: 'U0BOB0001', name: 'bob' } }, 'slack_button')).ok).toBe(true);
  ids.open = await start('req-stored-2', 'grace');
  await finish(ids.open, `Scope \`payments:read\` is not defined in zone ${ZONE} (MCP_TOKEN=${MCP_TOKEN}).`);
  ids.collecting = await start('req-stored-3', 'linus');

  env = {
    CARACAL_API_URL: 'http://127.0.0.1:9',
    CARACAL_ADMIN_TOKEN: ADMIN_TOKEN,
    CARACAL_CONSOLE_URL: 'https://console.example.test/acme/platform',
    TRIAGE_PUBLIC_URL: PUBLIC_URL,
    REDIS_URL: redis.url,
    TRIAGE_SIGNING_KEY: KEY,
    MCP_TOKEN,
  };
  const port = await freePort();
  serve = spawnBinary(['serve'], { env: { ...env, PORT: String(port), LOG_LEVEL: 'info' } });
  const withoutRedis = { CARACAL_API_URL: env.CARACAL_API_URL!, CARACAL_ADMIN_TOKEN: ADMIN_TOKEN };
  [stdio, bare] = await Promise.all([connectStdio(env), connectStdio(withoutRedis), waitForOutput(serve, /"msg":"web running"/, 20_000)]);
  http = await connectHttp(`http://127.0.0.1:${port}/mcp`, { Authorization: `Bearer ${MCP_TOKEN}` });
}, 60_000);

afterAll(async () => {
  await Promise.all([stdio?.close(), http?.close(), bare?.close()]);
  if (serve && serve.exitCode === null) {
    const exited = new Promise((r) => serve.once('exit', r));
    serve.kill('SIGTERM');
    await exited;
  }
  await service?.close();
  await redis?.destroy();
  removeWorkDirs();
});

/** The CLI's `--json`, parsed; it must have run cleanly. */
async function cliJson(args: string[]): Promise<unknown> {
  const run = await runInProcess([...args, '--json'], env);
  expect({ args, code: run.code, stderr: run.stderr }).toEqual({ args, code: 0, stderr: '' });
  return JSON.parse(run.stdout);
}

/** Page links are signed when read: each must be a valid link to its triage; then they compare as placeholders. */
function signedAtRead(value: unknown): unknown {
  const text = JSON.stringify(value).replace(/"(https:\/\/triage\.example\.test\/triage\/[^"]+)"/g, (_m, link: string) => {
    const url = new URL(link);
    const check = checkPageLink(url.pathname + url.search, KEY, new Date());
    expect({ link, ok: check.ok }).toEqual({ link, ok: true });
    return `"${url.pathname}?<signed>"`;
  });
  return JSON.parse(text);
}

const both = (): Array<[string, McpConnection]> => [['stdio', stdio], ['http', http]];

describe('with the store', () => {
  it('both transports offer list_triages and get_triage: read-only, about the bot\'s own records, saying what they cannot know', async () => {
    for (const [transport, c] of both()) {
      const { tools } = await c.client.listTools();
      expect({ transport, names: tools.map((t) => t.name) }).toEqual({ transport, names: ['triage_request', 'explain_error', 'get_bundle', 'recent_denials', 'list_triages', 'get_triage'] });
      for (const t of tools.filter((x) => x.name === 'list_triages' || x.name === 'get_triage')) {
        expect({ tool: t.name, ...t.annotations }).toMatchObject({ tool: t.name, readOnlyHint: true, destructiveHint: false, openWorldHint: false });
        expect(t.description).toMatch(/What it proves:[\s\S]*What it cannot know:[\s\S]*not a fresh read of Caracal/);
        expect(t.outputSchema?.type).toBe('object');
      }
      expect(c.client.getInstructions()).toContain('list_triages and get_triage read the triages the bot has recorded');
    }
  });

  it.each([
    ['every triage', {}, [], ['collecting', 'open', 'resolved'], false],
    ['open ones (by latest activity)', { open: true }, ['--open'], ['collecting', 'open'], false],
    ['a limit', { limit: 2 }, ['--limit', '2'], ['collecting', 'open'], true],
  ] as const)('list_triages, %s: the CLI\'s list --json over stdio and HTTP', async (_what, args, flags, expected, more) => {
    const [cli, ...viaMcp] = await Promise.all([cliJson(['list', ...flags]), ...both().map(([, c]) => callTool(c, 'list_triages', args))]);
    expect(cli).toMatchObject({ triages: expected.map((k) => ({ id: ids[k] })), more });
    for (const [i, [transport]] of both().entries()) {
      const r = viaMcp[i]!;
      expect({ transport, isError: r.isError, leaked: secretsIn([r.structured, r.texts], NEVER) }).toEqual({ transport, isError: false, leaked: [] });
      expect({ transport, list: signedAtRead(r.structured) }).toEqual({ transport, list: signedAtRead(cli) });
      expect(JSON.parse(r.texts[1]!)).toEqual(r.structured);
      expect(r.texts[0]).toContain('not a fresh read of Caracal');
    }
    expect(secretsIn(cli, NEVER)).toEqual([]);
  });

  it('list_triages text says where each stands, in the bot\'s words', async () => {
    const r = await callTool(http, 'list_triages', {});
    expect(r.texts[0]!.split('\n')[0]).toBe('3 triages in the bot\'s store, newest first:');
    expect(r.texts[0]).toContain(`- ${ids.resolved}: Resolved by bob. request req-stored-1, zone Payments EU, cause scope_mismatch, card in slack:${CHANNEL}`);
  });

  it('get_triage: the CLI\'s show --json for each, over stdio and HTTP, with the seeded secrets redacted', async () => {
    for (const id of [ids.resolved, ids.open, ids.collecting]) {
      const [cli, ...viaMcp] = await Promise.all([cliJson(['show', id]), ...both().map(([, c]) => callTool(c, 'get_triage', { triageId: id }))]);
      expect(secretsIn(cli, NEVER)).toEqual([]);
      for (const [i, [transport]] of both().entries()) {
        const r = viaMcp[i]!;
        expect({ transport, id, isError: r.isError, leaked: secretsIn([r.structured, r.texts], NEVER) }).toEqual({ transport, id, isError: false, leaked: [] });
        expect({ transport, id, show: signedAtRead(r.structured) }).toEqual({ transport, id, show: signedAtRead(cli) });
      }
    }
    // The secrets were there to leak: what came out in their place is the redaction mark.
    const resolved = await callTool(stdio, 'get_triage', { triageId: ` ${ids.resolved.toUpperCase()} ` });
    const shown = resolved.structured as { id: string; diagnosis: { summary: string }; steps: unknown[]; bundle: { items: unknown[] }; links: Record<string, unknown> };
    expect(shown.id).toBe(ids.resolved);
    // The web's links as the terminal's: its signed page (checked above) and the Console's request trace.
    expect(shown.links).toMatchObject({ page: expect.stringMatching(/^https:\/\/triage\.example\.test\/triage\/tri-\w+\?exp=\d+&sig=/), requestTrace: `https://console.example.test/acme/platform/${ZONE}/app/audit?request=req-stored-1` });
    expect(shown.diagnosis.summary).toContain('admin token [redacted] read it');
    expect(shown.steps[0]).toMatchObject({ summary: 'API ready; the agent sent [redacted]', evidence: { token: '[redacted]' } });
    expect(shown.bundle.items[0]).toMatchObject({ summary: 'Configured with Bearer [redacted]', evidence: { client_secret: '[redacted]' } });
    expect(resolved.texts[0]).toMatch(new RegExp(`^${ids.resolved}: Resolved by bob\\.\\nRequest req-stored-1, zone Payments EU`));
    expect(resolved.texts[0]).toContain('Cause (as recorded): Scope `payments:wirte` is not defined in zone Payments EU');
    expect(resolved.texts[0]).toContain('not a fresh read of Caracal');
  });

  it('get_triage of a triage the store does not have: one clear not-found; a malformed ID is refused by the schema', async () => {
    for (const [transport, c] of both()) {
      const none = await callTool(c, 'get_triage', { triageId: 'tri-0000000000000000000000000a' });
      expect({ transport, isError: none.isError, texts: none.texts }).toEqual({ transport, isError: true, texts: ["No triage tri-0000000000000000000000000a in the bot's store (finished triages are kept 7 days; list_triages shows the ones there are)."] });
      const bad = await callTool(c, 'get_triage', { triageId: 'req-stored-1' });
      expect({ transport, isError: bad.isError }).toEqual({ transport, isError: true });
      expect(bad.texts.join(' ')).toContain('a triage ID looks like tri-');
    }
  });
});

describe('without the store', () => {
  it('without REDIS_URL the stdio server does not offer them, and its instructions say what to set', async () => {
    const { tools } = await bare.client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['triage_request', 'explain_error', 'get_bundle', 'recent_denials']);
    expect(bare.client.getInstructions()).toContain('list_triages and get_triage (the triages the bot has recorded) are not offered: this server was started without REDIS_URL');
  });

  it('with a REDIS_URL that does not answer, each call is one sentence naming it; the server keeps serving', async () => {
    const down = await connectStdio({ ...env, REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
    try {
      for (const [tool, args] of [['list_triages', {}], ['get_triage', { triageId: ids.open }]] as const) {
        const r = await callTool(down, tool, args);
        expect({ tool, isError: r.isError }).toEqual({ tool, isError: true });
        expect(r.texts).toEqual([expect.stringMatching(/^REDIS_URL: cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)$/)]);
      }
      expect((await down.client.listTools()).tools).toHaveLength(6);
    } finally {
      await down.close();
    }
  });

  it('a bad REDIS_URL is reported before anything is served, with every other problem, exit 2', async () => {
    const run = await runCli(['mcp'], { env: { CARACAL_ADMIN_TOKEN: ADMIN_TOKEN, REDIS_URL: 'http://127.0.0.1:6379' } });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(lines(run.stderr)).toEqual([
      'caracal-triage: CARACAL_API_URL: is required but not set (e.g. https://caracal.example.com)',
      expect.stringMatching(/^caracal-triage: REDIS_URL: /),
    ]);
  });
});
