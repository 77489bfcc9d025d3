/**
 * The small HTTP layer the simulator's fake services share (node:http only, so the demo runs
 * without test dependencies): request-ID rules per service, route results, and a
 * loopback server on an ephemeral port.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SimService } from './types';

/** What a route answers: JSON `body` (none when undefined) or raw `text`. */
export interface RouteResult {
  status: number;
  body?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

export interface RouteContext {
  service: SimService;
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** The `x-request-id` this response carries. */
  requestId: string;
  /** The request body read as JSON (undefined when empty or not JSON). */
  body?: unknown;
}

const API_ID = /^[A-Za-z0-9_.\-:]{1,128}$/;
const GATEWAY_ID = /^[\x21-\x7e]{1,128}$/;

/** API/Coordinator keep a caller ID matching their regex, Gateway any printable ASCII, STS any; otherwise a fresh UUID. */
export function responseRequestId(service: SimService, incoming: string | string[] | undefined): string {
  const v = Array.isArray(incoming) ? incoming[0] : incoming;
  if (v) {
    if (service === 'gateway' && GATEWAY_ID.test(v)) return v;
    if (service === 'sts' && v.length <= 128) return v;
    if (API_ID.test(v)) return v;
  }
  return randomUUID();
}

export const json = (status: number, body: unknown, headers?: Record<string, string>): RouteResult => ({ status, body, headers });
export const err = (status: number, code: string): RouteResult => ({ status, body: { error: code } });

/** Replace the `'$requestId'` marker in canned envelopes with the response's request ID. */
export function fillRequestId(body: unknown, requestId: string): unknown {
  if (body && typeof body === 'object' && !Array.isArray(body) && (body as Record<string, unknown>).requestId === '$requestId') {
    return { ...(body as Record<string, unknown>), requestId };
  }
  return body;
}

export function writeResult(res: ServerResponse, requestId: string, r: RouteResult): void {
  const headers: Record<string, string> = { 'x-request-id': requestId, ...r.headers };
  let payload = '';
  if (r.text !== undefined) {
    payload = r.text;
    headers['content-type'] ??= 'text/plain; charset=utf-8';
  } else if (r.body !== undefined) {
    payload = JSON.stringify(fillRequestId(r.body, requestId));
    headers['content-type'] = 'application/json; charset=utf-8';
  }
  headers['content-length'] = String(Buffer.byteLength(payload));
  res.writeHead(r.status, headers);
  res.end(payload);
}

export interface LoopbackServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export async function listenLoopback(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<LoopbackServer> {
  const server = createServer(handler);
  // Hung requests must not keep the test process alive past close().
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Bodies past this are read and dropped (the simulator's routes take small JSON bodies). */
const MAX_BODY = 1024 * 1024;

/** Reads a request body as JSON: undefined when empty, not JSON, or over 1 MiB (still drained). */
export function readJsonBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (): void => {
      if (size === 0 || size > MAX_BODY) return resolve(undefined);
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        resolve(undefined);
      }
    };
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', done);
    req.on('error', () => resolve(undefined));
    req.on('close', done);
  });
}
