/**
 * One MCP exchange at `POST /mcp`, past the edge (http.ts): the body checked to be one JSON-RPC
 * message or a non-empty batch (400 otherwise, before the SDK sees it), then a new `McpServer`
 * and a new stateless `StreamableHTTPServerTransport` answer it, both closed when the response
 * closes. Loaded with the first request (http.ts), so the SDK does not load with the web process.
 */
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { createMcpServer } from './server';
import type { McpToolDeps } from './tools/tool';

/** One JSON-RPC message, or a non-empty batch of them (zod: the SDK's own message schema). */
const McpBody = z.union([JSONRPCMessageSchema as unknown as z.ZodType<unknown>, z.array(JSONRPCMessageSchema as unknown as z.ZodType<unknown>).min(1)]);

function parseBody(raw: Buffer): { ok: true; body: unknown } | { ok: false; code: number; message: string } {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    return { ok: false, code: -32700, message: 'Parse error: the body is not JSON' };
  }
  const parsed = McpBody.safeParse(json);
  return parsed.success ? { ok: true, body: json } : { ok: false, code: -32600, message: 'Invalid Request: the body is not a JSON-RPC message' };
}

export async function answerMcp(req: Request, res: Response, raw: Buffer, tools: McpToolDeps, log: Logger): Promise<void> {
  const read = parseBody(raw);
  if (!read.ok) {
    res.status(400).json({ jsonrpc: '2.0', error: { code: read.code, message: read.message }, id: null });
    return;
  }
  const server = createMcpServer({ deployments: tools.deployments, denials: tools.denials, triages: tools.triages });
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  res.on('close', () => {
    void transport.close();
    void server.close();
  });
  try {
    await server.connect(transport);
    await transport.handleRequest(req, res, read.body);
  } catch (e) {
    log.error({ err: e instanceof Error ? e.message : String(e) }, 'MCP request failed');
    if (!res.headersSent) res.status(500).json({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal error' }, id: null });
  }
}
