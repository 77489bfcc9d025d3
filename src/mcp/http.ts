/**
 * The MCP server over Streamable HTTP at `POST /mcp`, mounted on the web host as an Ingress like
 * every other route, only when MCP_TOKEN is set (config.ts). Stateless: each POST gets a new
 * `McpServer` and a new `StreamableHTTPServerTransport` (no session ID, JSON answers rather than
 * an event stream), both closed when the response closes; GET and DELETE get 405 from the host
 * (nothing to stream, no session to end).
 *
 * The edge, from the headers alone, before a byte of the body is read (src/server/guarded-body.ts):
 *   401  no `Authorization: Bearer <MCP_TOKEN>` (missing, malformed or wrong)
 *   403  an `Origin` header not listed in MCP_ALLOWED_ORIGINS (browsers send it; agents do not):
 *        a page a user visits cannot reach the tools by rebinding a name to this host
 *   413  a body over 1 MiB
 * then 400 for a body that is not one JSON-RPC message (or a non-empty list of them), before
 * the SDK sees it; the SDK answers the rest (406 without the Accept it needs, 415 without JSON).
 */
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { BODY_NOT_SIGNED, headerValue, refuse, sameSecret, type HeaderBag, type Precheck } from '../ingress/edge';
import type { Ingress, RawBodyRequest } from '../ingress/ingress';
import type { DenialReadSettings } from '../incidents/watch/recent';
import type { Deployments } from '../triage/deployments';
import type { McpHttpSettings } from './config';
import { createMcpServer } from './server';
import type { StoredTriages } from './triages';

export const MCP_PATH = '/mcp';
/** The largest body taken: a tool call's arguments are small (an error body at most 64 KiB). */
export const MCP_MAX_BODY_BYTES = 1024 * 1024;

const BEARER = /^Bearer +(\S+)$/i;

/** The same answer a browser's page would get for any origin not listed; `null` (opaque origins) included. */
function originAllowed(origin: string, allowed: readonly string[]): boolean {
  let normal: string;
  try {
    normal = new URL(origin).origin;
  } catch {
    return false;
  }
  return normal !== 'null' && allowed.includes(normal);
}

export function precheckMcp(headers: HeaderBag, settings: McpHttpSettings): Precheck {
  const authorization = headerValue(headers, 'authorization')?.trim();
  if (!authorization) return refuse('missing_credentials', 'Authorization header is missing (send Authorization: Bearer <MCP_TOKEN>)');
  const given = BEARER.exec(authorization)?.[1];
  if (given === undefined) return refuse('malformed_credentials', 'Authorization header is not "Bearer <token>"');
  if (!sameSecret(given, settings.token)) return refuse('wrong_credentials', 'Authorization header does not carry MCP_TOKEN');
  const origin = headerValue(headers, 'origin');
  if (origin !== undefined && !originAllowed(origin.trim(), settings.allowedOrigins)) {
    return refuse('forbidden_origin', 'the Origin header names an origin not listed in MCP_ALLOWED_ORIGINS', 403);
  }
  return { ok: true, body: BODY_NOT_SIGNED };
}

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

export interface McpIngressOptions {
  settings: McpHttpSettings;
  /** Every deployment the tools read; owned by the ingress from here on: closed when it stops. */
  deployments: Deployments;
  /** The thresholds `recent_denials` applies (WATCH_* and the routes file's). */
  denials: DenialReadSettings;
  /** The stored triages, read through the web process's service (list_triages, get_triage). */
  triages: StoredTriages | null;
  logger: Logger;
}

export function createMcpIngress(o: McpIngressOptions): Ingress {
  const log = o.logger.child({ component: 'mcp' });
  const handler = async (req: Request, res: Response): Promise<void> => {
    const read = parseBody((req as RawBodyRequest).rawBody ?? Buffer.alloc(0));
    if (!read.ok) {
      res.status(400).json({ jsonrpc: '2.0', error: { code: read.code, message: read.message }, id: null });
      return;
    }
    const server = createMcpServer({ deployments: o.deployments, denials: o.denials, triages: o.triages });
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
  };
  return {
    name: 'mcp',
    routes: [{ method: 'POST', path: MCP_PATH, maxBodyBytes: MCP_MAX_BODY_BYTES, precheck: (headers) => precheckMcp(headers, o.settings), handler, kindOf: () => 'mcp' }],
    readiness: [],
    start: async () => undefined,
    stop: () => o.deployments.close(),
  };
}
