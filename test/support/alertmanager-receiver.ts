/**
 * A recording HTTP server on loopback that plays the bot's webhook route for a real
 * Alertmanager: it keeps every request (method, path, headers, raw body bytes) and answers
 * with the status the test chooses (200 by default), so a test can check exactly what
 * Alertmanager sent and how it reacts to refusals.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  at: number;
}

export interface RecordingReceiver {
  /** `http://127.0.0.1:<port>` */
  url: string;
  readonly requests: RecordedRequest[];
  /** The status (and body) the next requests get. */
  respondWith(status: number, body?: string): void;
  /** Resolves with the first recorded request (from index `from`) that matches, or rejects after `timeoutMs`. */
  waitFor(match: (r: RecordedRequest) => boolean, opts?: { from?: number; timeoutMs?: number }): Promise<RecordedRequest>;
  close(): Promise<void>;
}

export async function startRecordingReceiver(): Promise<RecordingReceiver> {
  const requests: RecordedRequest[] = [];
  const waiters = new Set<() => void>();
  let status = 200;
  let reply = '';
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks), at: Date.now() });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(reply);
      for (const w of waiters) w();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respondWith(s, body = '') {
      status = s;
      reply = body;
    },
    waitFor(match, opts = {}) {
      const from = opts.from ?? 0;
      const timeoutMs = opts.timeoutMs ?? 10_000;
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const hit = requests.slice(from).find(match);
          if (!hit) return false;
          waiters.delete(onRequest);
          clearTimeout(timer);
          resolve(hit);
          return true;
        };
        const onRequest = (): void => void check();
        const timer = setTimeout(() => {
          waiters.delete(onRequest);
          reject(new Error(`no matching request within ${timeoutMs} ms (${requests.length - from} seen)`));
        }, timeoutMs);
        waiters.add(onRequest);
        check();
      });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
