/**
 * A fake Bot Connector (the Teams side of the Bot Framework REST API): a real HTTP server on
 * loopback whose URL is the activities' `serviceUrl`. It records every call with its
 * Authorization header, answers `{id}` like the connector, and can, on demand, answer the
 * failures Teams gives (429 with or without Retry-After, 412, 502, 504, 413
 * MessageSizeTooBig, 403/404 "bot is not part of the conversation roster") or hold an answer
 * until the test releases it (a crash while Teams has stored a message but not yet answered).
 *
 *   POST /v3/conversations                                   new conversation / channel post
 *   POST /v3/conversations/{conversationId}/activities       send to a conversation
 *   POST /v3/conversations/{conversationId}/activities/{id}  reply to an activity
 *   PUT  /v3/conversations/{conversationId}/activities/{id}  update an activity
 *   GET  /v3/conversations/{conversationId}/members          roster
 */
import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ConnectorCallKind = 'create_conversation' | 'send' | 'reply' | 'update' | 'members' | 'other';

export interface ConnectorCall {
  seq: number;
  method: string;
  path: string;
  kind: ConnectorCallKind;
  /** Decoded conversation id from the path. */
  conversationId: string | null;
  /** The activity id in the path (replied to, or updated). */
  activityId: string | null;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  authorization: string | null;
  /** Bytes of the request body as sent. */
  bytes: number;
  /** Status the fake answered. */
  status: number;
  /** The id the fake answered with, for calls that created an activity. */
  createdId: string | null;
  at: number;
}

export type ConnectorFailure =
  | { status: 429; retryAfter?: number | string }
  | { status: 412 | 502 | 504 | 500 }
  | { status: 413 }
  | { status: 403 | 404; roster: true }
  | { status: 400 | 401 | 403 | 404; code: string; message: string };

type Match = (call: Pick<ConnectorCall, 'method' | 'kind' | 'conversationId' | 'activityId' | 'body'>) => boolean;

export interface Hold {
  /** Resolves once a matching call has arrived and is being held. */
  arrived: Promise<ConnectorCall>;
  /** Lets the held call answer (with its ordinary answer). */
  release(): void;
}

export interface FakeBotConnector {
  /** serviceUrl, with a trailing slash as Teams sends it: http://127.0.0.1:PORT/teams/ */
  url: string;
  calls: ConnectorCall[];
  /** Calls that created a message (send, reply, create_conversation) and were answered 2xx, in order. */
  posted(conversationId?: string): ConnectorCall[];
  updates(activityId?: string): ConnectorCall[];
  /** The next `times` calls matching `match` (default: any) get `failure`. */
  failNext(failure: ConnectorFailure, times?: number, match?: Match): void;
  /** The next call matching `match` is recorded and its answer held until released. */
  hold(match?: Match): Hold;
  /** Delay every answer by this many ms. */
  latencyMs: number;
  waitFor<T>(check: () => T | undefined | false | null, timeoutMs?: number): Promise<T>;
  reset(): void;
  close(): Promise<void>;
}

const PREFIX = '/teams';

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function classify(method: string, path: string): Pick<ConnectorCall, 'kind' | 'conversationId' | 'activityId'> {
  const parts = path.replace(/^\/v3\//, '').split('/');
  if (parts[0] !== 'conversations') return { kind: 'other', conversationId: null, activityId: null };
  if (parts.length === 1) return { kind: method === 'POST' ? 'create_conversation' : 'other', conversationId: null, activityId: null };
  const conversationId = decodeURIComponent(parts[1]);
  if (parts[2] === 'members') return { kind: 'members', conversationId, activityId: null };
  if (parts[2] !== 'activities') return { kind: 'other', conversationId, activityId: null };
  const activityId = parts[3] ? decodeURIComponent(parts[3]) : null;
  if (method === 'PUT' && activityId) return { kind: 'update', conversationId, activityId };
  if (method === 'POST') return { kind: activityId ? 'reply' : 'send', conversationId, activityId };
  return { kind: 'other', conversationId, activityId };
}

function failureAnswer(f: ConnectorFailure): { status: number; body: unknown; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  if ('roster' in f) {
    return { status: f.status, headers, body: { error: { code: 'BotNotInConversationRoster', message: 'The bot is not part of the conversation roster.' } } };
  }
  if ('code' in f) return { status: f.status, headers, body: { error: { code: f.code, message: f.message } } };
  switch (f.status) {
    case 429:
      if (f.retryAfter !== undefined) headers['retry-after'] = String(f.retryAfter);
      return { status: 429, headers, body: { error: { code: 'Throttled', message: 'Too many requests' } } };
    case 413:
      return { status: 413, headers, body: { error: { code: 'MessageSizeTooBig', message: 'Message size too big' } } };
    case 412:
      return { status: 412, headers, body: { error: { code: 'PreconditionFailed', message: 'Precondition failed' } } };
    default:
      return { status: f.status, headers, body: { error: { code: 'ServiceError', message: 'Upstream failure' } } };
  }
}

export async function startFakeBotConnector(): Promise<FakeBotConnector> {
  let seq = 0;
  let idSeq = 0;
  const failures: Array<{ failure: ConnectorFailure; match: Match }> = [];
  const holds: Array<{ match: Match; arrive: (c: ConnectorCall) => void; released: Promise<void> }> = [];
  let server: Server;

  const api: FakeBotConnector = {
    url: '',
    calls: [],
    latencyMs: 0,
    posted: (conversationId) =>
      api.calls.filter(
        (c) => (c.kind === 'send' || c.kind === 'reply' || c.kind === 'create_conversation') && c.status < 300 && (conversationId === undefined || c.conversationId === conversationId),
      ),
    updates: (activityId) => api.calls.filter((c) => c.kind === 'update' && c.status < 300 && (activityId === undefined || c.activityId === activityId)),
    failNext(failure, times = 1, match = () => true) {
      for (let i = 0; i < times; i++) failures.push({ failure, match });
    },
    hold(match = () => true) {
      let arrive!: (c: ConnectorCall) => void;
      let release!: () => void;
      const arrived = new Promise<ConnectorCall>((r) => (arrive = r));
      const released = new Promise<void>((r) => (release = r));
      holds.push({ match, arrive, released });
      return { arrived, release };
    },
    async waitFor(check, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const v = check();
        if (v) return v;
        if (Date.now() > deadline) throw new Error(`fake connector: condition not met within ${timeoutMs} ms; calls: ${api.calls.map((c) => `${c.method} ${c.kind} ${c.status}`).join(', ')}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    reset() {
      api.calls.length = 0;
      failures.length = 0;
      holds.length = 0;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };

  server = createServer(async (req, res) => {
    const raw = await readBody(req);
    const method = req.method ?? 'GET';
    const path = (req.url ?? '').split('?')[0].replace(PREFIX, '');
    let body: unknown = null;
    try {
      body = raw ? JSON.parse(raw) : null;
    } catch {
      body = raw;
    }
    const where = classify(method, path);
    const call: ConnectorCall = {
      seq: ++seq,
      method,
      path,
      ...where,
      body,
      authorization: req.headers.authorization ?? null,
      bytes: Buffer.byteLength(raw),
      status: 0,
      createdId: null,
      at: Date.now(),
    };
    api.calls.push(call);
    if (api.latencyMs > 0) await new Promise((r) => setTimeout(r, api.latencyMs));

    const fi = failures.findIndex((f) => f.match(call));
    if (fi >= 0) {
      const [{ failure }] = failures.splice(fi, 1);
      const a = failureAnswer(failure);
      call.status = a.status;
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
      res.end(JSON.stringify(a.body));
      return;
    }
    const hi = holds.findIndex((h) => h.match(call));
    if (hi >= 0) {
      const [h] = holds.splice(hi, 1);
      h.arrive(call);
      await h.released;
    }

    const newId = () => `${1_700_000_000_000 + ++idSeq}`;
    let answer: unknown = {};
    switch (call.kind) {
      case 'create_conversation': {
        const b = (body ?? {}) as { channelData?: { channel?: { id?: string } }; activity?: unknown };
        const activityId = newId();
        const channel = b.channelData?.channel?.id;
        call.createdId = activityId;
        answer = channel ? { id: `${channel};messageid=${activityId}`, activityId } : { id: `a:conversation-${activityId}`, activityId };
        break;
      }
      case 'send':
      case 'reply':
        call.createdId = newId();
        answer = { id: call.createdId };
        break;
      case 'update':
        answer = { id: call.activityId };
        break;
      case 'members':
        answer = [{ id: '29:member-1', name: 'Member One', aadObjectId: 'aad-member-1' }];
        break;
      default:
        call.status = 404;
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'NotFound', message: `no route ${method} ${path}` } }));
        return;
    }
    call.status = call.kind === 'create_conversation' || call.kind === 'send' || call.kind === 'reply' ? 201 : 200;
    res.writeHead(call.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer));
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${PREFIX}/`;
  return api;
}
