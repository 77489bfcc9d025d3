/**
 * MCP clients of the official SDK, as an agent connects: over stdio to the built binary
 * (`caracal-triage mcp` as a child, given exactly the environment the test names, as
 * StdioClientTransport passes only HOME, LOGNAME, PATH, SHELL, TERM, USER besides it) and over
 * Streamable HTTP to a `/mcp` URL with a bearer. Plus the comparison rule for reports taken at
 * different moments, and a search for secrets in everything a client receives.
 */
import { dirname } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { BIN, workDir } from './binary';

export interface McpConnection {
  client: Client;
  /** What the server wrote on stderr (stdio only). */
  stderr(): string;
  close(): Promise<void>;
}

/** `caracal-triage mcp` (the built binary) as a client's child, from an empty directory. */
export async function connectStdio(env: Record<string, string>): Promise<McpConnection> {
  const transport = new StdioClientTransport({
    command: BIN,
    args: ['mcp'],
    cwd: workDir(),
    env: { PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, NO_COLOR: '1', ...env },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const client = new Client({ name: 'caracal-triage-tests', version: '1.0.0' });
  await client.connect(transport);
  return { client, stderr: () => stderr, close: () => client.close() };
}

/** A client of `POST /mcp` at `url`, sending `headers` (the bearer) with every request. */
export async function connectHttp(url: string, headers: Record<string, string>): Promise<McpConnection> {
  const client = new Client({ name: 'caracal-triage-tests', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return { client, stderr: () => '', close: () => client.close() };
}

/** Calls a tool; the structured content, every text block, and whether it was an error. */
export async function callTool(c: McpConnection, name: string, args: Record<string, unknown>): Promise<{ structured: unknown; texts: string[]; isError: boolean }> {
  const r = (await c.client.callTool({ name, arguments: args })) as CallToolResult;
  return { structured: r.structuredContent ?? null, texts: r.content.filter((b) => b.type === 'text').map((b) => (b as { text: string }).text), isError: r.isError === true };
}

type Node = Record<string, unknown>;

function visit(value: unknown, fn: (o: Node) => void): void {
  if (Array.isArray(value)) value.forEach((v) => visit(v, fn));
  else if (value !== null && typeof value === 'object') {
    fn(value as Node);
    Object.values(value).forEach((v) => visit(v, fn));
  }
}

/**
 * A report with what differs between two reads of the same Caracal moments apart replaced by a
 * placeholder, and nothing else: measured latencies (`(200, 217 ms)`); the clock skew against
 * the API, read from its HTTP Date header (`~1s vs api`), with the status it gives that check and
 * the readiness item's count of statuses; and the admin-change window that ends at "now" (whole
 * minutes, so two reads may straddle a minute). Everything else must be equal.
 */
export function sameMoment(value: unknown): unknown {
  const nowWindow = new Set<string>();
  visit(value, (o) => {
    if (o.anchor !== 'now') return;
    for (const k of ['since', 'until']) if (typeof o[k] === 'string') nowWindow.add(o[k] as string);
  });
  let text = JSON.stringify(value)
    .replace(/\b\d+(?:\.\d+)? ?ms\b/g, '<ms>')
    .replace(/~-?\d+s vs /g, '~<s> vs ');
  for (const t of nowWindow) text = text.split(t).join('<now-window>');
  const out = JSON.parse(text) as unknown;
  visit(out, (o) => {
    if (o.check === 'clock skew') o.status = '<measured>';
    const checks = (o.evidence as Node | undefined)?.checks;
    if (o.id === 'readiness' && Array.isArray(checks) && checks.some((c: Node) => c.check === 'clock skew')) {
      o.status = '<measured>';
      o.summary = '<measured>';
    }
  });
  return out;
}

/** Which of `secrets` occur anywhere in `value` (structured content and text alike). */
export function secretsIn(value: unknown, secrets: readonly string[]): string[] {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return secrets.filter((s) => text.includes(s));
}
