/**
 * `POST /mcp` as the web host mounts it (the MCP ingress on the real host, the tools reading
 * the simulator): who is refused and how, before the body is read; what an allowed client
 * gets; and that nothing pasted or read leaves with a secret in it, nor a mostly unchecked
 * triage as a confident answer.
 */
import { request } from 'node:http';
import pino from 'pino';
import { Registry } from 'prom-client';
import { SEEDED_ADMIN_TOKEN, SEEDED_SECRETS, simulatorConfig, startSimulator, type Simulator } from '../../sim';
import { DEFAULT_THRESHOLDS } from '../../src/incidents/watch/thresholds';
import { createMcpIngress, MCP_MAX_BODY_BYTES } from '../../src/mcp/http';
import { createWebServer, type WebServer } from '../../src/server/web-server';
import { openDeployments } from '../../src/triage/deployments';
import { callTool, connectHttp, secretsIn, type McpConnection } from '../support/mcp';

const TOKEN = 'mcp-token-of-the-http-test-0123456789abcdef';
const ALLOWED = 'https://console.example.test';

let sim: Simulator;
let web: WebServer;
let base: string;
let port: number;
let client: McpConnection;

beforeAll(async () => {
  sim = await startSimulator({ scenario: 'scope_mismatch' });
  const caracal = simulatorConfig(sim);
  const deployments = openDeployments([{ name: 'default', caracal, consoleUrl: null, channels: [] }], [caracal.adminToken, caracal.metricsBearer!, caracal.coordinatorToken!, TOKEN]);
  web = createWebServer({ ingresses: [createMcpIngress({ settings: { token: TOKEN, allowedOrigins: [ALLOWED] }, denials: { thresholds: DEFAULT_THRESHOLDS, rules: [] }, deployments, triages: null, logger: pino({ level: 'silent' }) })], registry: new Registry() });
  port = await web.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${port}`;
  client = await connectHttp(`${base}/mcp`, { Authorization: `Bearer ${TOKEN}` });
});

afterAll(async () => {
  await client?.close();
  await web?.close();
  await sim?.close();
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Sends the headers declaring `declared` bytes, then `body` or nothing: a refusal must come from the headers alone. */
function send(headers: Record<string, string>, declared: number, body?: Buffer, method = 'POST'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path: '/mcp', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'content-length': String(declared), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.on('end', () => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text });
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no answer within 5 s${body ? '' : ' (waiting for a body it was never sent?)'}`));
    }, 5000);
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    if (body) req.end(body);
    else req.flushHeaders();
  });
}

const bearer = { authorization: `Bearer ${TOKEN}` };
const LIST = Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }));

describe('POST /mcp refuses, from the headers alone', () => {
  it.each([
    ['no Authorization header', {}, 'missing_credentials'],
    ['a scheme other than Bearer', { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` }, 'malformed_credentials'],
    ['a wrong bearer', { authorization: `Bearer ${TOKEN}x` }, 'wrong_credentials'],
  ])('%s: 401', async (_what, headers, reason) => {
    const answer = await send(headers, 1024);
    expect({ status: answer.status, error: JSON.parse(answer.body).error }).toEqual({ status: 401, error: reason });
    expect(answer.body).not.toContain(TOKEN);
  });

  it('a foreign Origin, even with the bearer: 403 (a page cannot reach the tools by rebinding a name to this host)', async () => {
    for (const origin of ['https://evil.example', 'null', `${ALLOWED}.evil.example`, 'http://console.example.test']) {
      const answer = await send({ ...bearer, origin }, 1024);
      expect({ origin, status: answer.status, error: JSON.parse(answer.body).error }).toEqual({ origin, status: 403, error: 'forbidden_origin' });
    }
  });

  it('a body over 1 MiB: 413', async () => {
    const answer = await send(bearer, MCP_MAX_BODY_BYTES + 1);
    expect(answer.status).toBe(413);
  });
});

describe('POST /mcp, authenticated', () => {
  it('a listed Origin is served like an agent without one', async () => {
    for (const headers of [bearer, { ...bearer, origin: ALLOWED }]) {
      const answer = await send(headers, LIST.length, LIST);
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body).result.tools.map((t: { name: string }) => t.name)).toEqual(['triage_request', 'explain_error', 'get_bundle', 'recent_denials']);
    }
  });

  it('a body that is not one JSON-RPC message: 400 with a JSON-RPC error', async () => {
    for (const body of ['[]', 'not json', '{"hello":"world"}']) {
      const answer = await send(bearer, Buffer.byteLength(body), Buffer.from(body));
      expect({ body, status: answer.status, jsonrpc: JSON.parse(answer.body).jsonrpc }).toEqual({ body, status: 400, jsonrpc: '2.0' });
    }
  });

  it('GET and DELETE: 405 with Allow: POST (nothing to stream, no session to end)', async () => {
    for (const method of ['GET', 'DELETE']) {
      const res = await fetch(`${base}/mcp`, { method, headers: bearer });
      expect({ method, status: res.status, allow: res.headers.get('allow') }).toEqual({ method, status: 405, allow: 'POST' });
    }
  });
});

describe('what the tools answer over HTTP', () => {
  it('a secret pasted in an error, configured or of a known shape, never comes back, in the structured content or the text', async () => {
    const caracalError = `{"error":"access_denied","error_description":"policy denied (scope_mismatch) token=${sim.tokens.globalRead} ${SEEDED_ADMIN_TOKEN}","requestId":"req-scope-1"}`;
    for (const [tool, args] of [['triage_request', { error: caracalError }], ['explain_error', { error: caracalError }]] as const) {
      const r = await callTool(client, tool, args);
      expect({ tool, isError: r.isError }).toEqual({ tool, isError: false });
      expect({ tool, leaked: secretsIn([r.structured, r.texts], [...SEEDED_SECRETS, sim.tokens.globalRead, TOKEN]) }).toEqual({ tool, leaked: [] });
    }
    // Text with nothing of Caracal's in it is quoted back in the refusal: redacted there too.
    for (const secret of [sim.tokens.globalRead, SEEDED_ADMIN_TOKEN]) {
      const r = await callTool(client, 'triage_request', { error: `gave up after ${secret}` });
      expect(r.isError).toBe(true);
      expect(r.texts[0]).toContain('error "gave up after [redacted]"');
      expect(secretsIn(r.texts, [secret])).toEqual([]);
    }
  });

  it('a triage that could check little says "Not determined" first, never a clean bill of health', async () => {
    const r = await callTool(client, 'triage_request', {});
    const report = r.structured as { headline: { state: string; text: string } };
    expect(report.headline.state).toBe('undetermined');
    expect(r.texts[0]).toMatch(/^Not determined: \d of 8 steps could not be checked/);
    expect(r.texts[0]).toContain('This is not a clean bill of health');
  });

  it('explains the line a Caracal-protected MCP server answers with, and says the request cannot be traced without its ID', async () => {
    const r = await callTool(client, 'explain_error', { error: 'insufficient_scope: Required scope is missing' });
    expect(r.structured).toMatchObject({ symptom: 'resource_denied', surface: 'resource_verifier', triage: null });
    expect((r.structured as { check: string }).check).toMatch(/insufficient_scope[\s\S]*no request ID[\s\S]*triage_request/);
  });

  it('an error text with nothing of Caracal in it is refused as the terminal refuses it, naming the symptom argument instead', async () => {
    const r = await callTool(client, 'triage_request', { error: 'something went wrong' });
    expect(r.isError).toBe(true);
    expect(r.texts[0]).toBe(
      'error "something went wrong": no Caracal error code, HTTP status or request ID found in it; give a code (e.g. access_denied) or the whole error body, or name what the caller saw with symptom (one of config_error, unauthenticated, token_exchange_denied, resource_denied, scope_insufficient_after_allow, no_audit_event, access_after_revocation).',
    );
  });

  it('bad arguments are refused by the zod schemas the terminal uses, as an isError result', async () => {
    const r = await callTool(client, 'triage_request', { requestId: '..' });
    expect(r.isError).toBe(true);
    expect(r.texts[0]).toContain('a request ID cannot be "." or ".."');
  });
});
