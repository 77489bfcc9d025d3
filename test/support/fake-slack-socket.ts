/**
 * Slack's side of Socket Mode, on loopback: a WebSocket server (the `ws` package) whose URL the
 * fake Web API hands out from `apps.connections.open`. It greets each connection with `hello`,
 * sends envelopes (`slash_commands`, `interactive`, `events_api`) as Slack does, and resolves
 * each send with the client's acknowledgement (`{envelope_id, payload?}`) and how long it took.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

export interface Envelope {
  envelope_id: string;
  type: 'slash_commands' | 'interactive' | 'events_api';
  payload: Record<string, unknown>;
  accepts_response_payload?: boolean;
  retry_attempt?: number;
  retry_reason?: string;
}

export interface Ack {
  envelope_id: string;
  payload?: Record<string, unknown>;
  ms: number;
}

export interface FakeSlackSocket {
  url: string;
  /** Connections opened so far. */
  readonly connections: number;
  waitForConnection(n: number, timeoutMs?: number): Promise<void>;
  /** Send on the newest open connection; resolves with the ack, rejects after `timeoutMs`. */
  send(envelope: Envelope, timeoutMs?: number): Promise<Ack>;
  /** Drop the open connection without a close handshake (a network failure). */
  drop(): void;
  close(): Promise<void>;
}

export async function startFakeSlackSocket(): Promise<FakeSlackSocket> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  const { port } = wss.address() as AddressInfo;
  let current: WebSocket | null = null;
  let connections = 0;
  const waiting = new Map<string, (ack: Omit<Ack, 'ms'>) => void>();

  wss.on('connection', (ws) => {
    connections++;
    current = ws;
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { envelope_id?: string; payload?: Record<string, unknown> };
      if (msg.envelope_id) waiting.get(msg.envelope_id)?.({ envelope_id: msg.envelope_id, ...(msg.payload ? { payload: msg.payload } : {}) });
    });
    ws.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0TEST01' }, debug_info: { host: 'fake', approximate_connection_time: 3600 } }));
  });

  return {
    url: `ws://127.0.0.1:${port}/link/?ticket=fake`,
    get connections() {
      return connections;
    },
    async waitForConnection(n, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (connections < n || current?.readyState !== 1) {
        if (Date.now() > deadline) throw new Error(`fake Slack socket: ${connections} connection(s), wanted ${n}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    send(envelope, timeoutMs = 3000) {
      const ws = current;
      if (!ws || ws.readyState !== 1) return Promise.reject(new Error('fake Slack socket: no open connection'));
      const started = Date.now();
      return new Promise<Ack>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(envelope.envelope_id);
          reject(new Error(`envelope ${envelope.envelope_id} (${envelope.type}) not acknowledged within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.set(envelope.envelope_id, (ack) => {
          clearTimeout(timer);
          waiting.delete(envelope.envelope_id);
          resolve({ ...ack, ms: Date.now() - started });
        });
        ws.send(JSON.stringify({ accepts_response_payload: envelope.type !== 'events_api', ...envelope }));
      });
    },
    drop() {
      current?.terminate();
      current = null;
    },
    async close() {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
    },
  };
}
