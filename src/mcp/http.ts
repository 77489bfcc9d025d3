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
 *
 * The SDK (with its JSON Schema validator, some 140 modules) loads with the first request that
 * passed the edge (http-exchange.ts), not with the web process: a host without MCP_TOKEN, or
 * whose agents have not called yet, does not start it.
 */
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { BODY_NOT_SIGNED, headerValue, refuse, sameSecret, type HeaderBag, type Precheck } from '../ingress/edge';
import type { Ingress, RawBodyRequest } from '../ingress/ingress';
import type { McpHttpSettings } from './config';
import type { McpToolDeps } from './tools/tool';

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

/**
 * What the tools read (McpToolDeps: the stored triages through the web process's service), and
 * the edge's settings. `deployments` is owned by the ingress from here on: closed when it stops.
 */
export interface McpIngressOptions extends McpToolDeps {
  settings: McpHttpSettings;
  logger: Logger;
}

export function createMcpIngress(o: McpIngressOptions): Ingress {
  const log = o.logger.child({ component: 'mcp' });
  let exchange: Promise<typeof import('./http-exchange')> | undefined;
  const handler = async (req: Request, res: Response): Promise<void> => {
    exchange ??= import('./http-exchange.js');
    const { answerMcp } = await exchange;
    await answerMcp(req, res, (req as RawBodyRequest).rawBody ?? Buffer.alloc(0), o, log);
  };
  return {
    name: 'mcp',
    routes: [{ method: 'POST', path: MCP_PATH, maxBodyBytes: MCP_MAX_BODY_BYTES, precheck: (headers) => precheckMcp(headers, o.settings), handler, kindOf: () => 'mcp' }],
    readiness: [],
    start: async () => undefined,
    stop: () => o.deployments.close(),
  };
}
