/**
 * A fake Slack Web API: a real HTTP server on loopback, reached through SLACK_API_URL
 * (`url` below). It records every call (form-urlencoded bodies as sent by @slack/web-api,
 * `blocks` still JSON-stringified), answers the methods the bot uses, can answer 429 with
 * Retry-After or a platform error on demand, hosts the file-upload URL of files.uploadV2 and
 * stands in for `response_url` (POST /response/<id>).
 */
import { once } from 'node:events';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlackCall {
  method: string;
  /** Form fields as sent; JSON-valued fields (blocks) are still strings. */
  body: Record<string, string>;
  token: string | null;
  at: number;
}

export interface ResponseUrlPost {
  id: string;
  body: Record<string, unknown>;
  at: number;
}

export interface FakeChannel {
  id: string;
  name: string;
  topic?: string;
  purpose?: string;
  is_member?: boolean;
  is_private?: boolean;
}

type Override = { status: 429; retryAfter: number } | { error: string };

export interface FakeSlackApi {
  /** Web API base, e.g. http://127.0.0.1:1234/api/ */
  url: string;
  /** Base for response_url values: `${responseUrlBase}<id>` */
  responseUrlBase: string;
  botUserId: string;
  botId: string;
  teamId: string;
  calls: SlackCall[];
  responses: ResponseUrlPost[];
  uploads: Array<{ fileId: string; content: string }>;
  channels: Map<string, FakeChannel>;
  usergroups: Map<string, string[]>;
  callsTo(method: string): SlackCall[];
  /** The next `times` calls to `method` answer 429 with Retry-After seconds. */
  rateLimit(method: string, retryAfter: number, times?: number): void;
  /** The next `times` calls to `method` answer `{ok:false, error}`. */
  failWith(method: string, error: string, times?: number): void;
  /** Delay every answer by this many ms (auth.test included). */
  latencyMs: number;
  /** What `apps.connections.open` (Socket Mode, called with the app token) returns as `url`. */
  socketUrl: string | null;
  waitFor<T>(check: () => T | undefined | false | null, timeoutMs?: number): Promise<T>;
  reset(): void;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The upload arrives as multipart/form-data with one part: return that part's content. */
function fileContent(raw: string, contentType: string | undefined): string {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType ?? '');
  if (!boundary) return raw;
  const delimiter = `--${boundary[1] ?? boundary[2]}`;
  const part = raw.split(delimiter).find((p) => p.includes('\r\n\r\n'));
  if (!part) return raw;
  return part.slice(part.indexOf('\r\n\r\n') + 4).replace(/\r\n$/, '');
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export async function startFakeSlackApi(opts: { token?: string; appToken?: string } = {}): Promise<FakeSlackApi> {
  const token = opts.token ?? 'xoxb-test-token';
  const appToken = opts.appToken ?? 'xapp-1-test-token';
  let seq = 0;
  let fileSeq = 0;
  const overrides = new Map<string, Override[]>();
  let server: Server;

  const api: FakeSlackApi = {
    url: '',
    responseUrlBase: '',
    botUserId: 'UBOT0001',
    botId: 'BBOT0001',
    teamId: 'T0TEST01',
    calls: [],
    responses: [],
    uploads: [],
    channels: new Map(),
    usergroups: new Map(),
    latencyMs: 0,
    socketUrl: null,
    callsTo: (method) => api.calls.filter((c) => c.method === method),
    rateLimit(method, retryAfter, times = 1) {
      overrides.set(method, [...(overrides.get(method) ?? []), ...Array.from({ length: times }, () => ({ status: 429 as const, retryAfter }))]);
    },
    failWith(method, error, times = 1) {
      overrides.set(method, [...(overrides.get(method) ?? []), ...Array.from({ length: times }, () => ({ error }))]);
    },
    async waitFor(check, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const v = check();
        if (v) return v;
        if (Date.now() > deadline) throw new Error(`fake Slack: condition not met within ${timeoutMs} ms; calls: ${api.calls.map((c) => c.method).join(', ')}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    reset() {
      api.calls.length = 0;
      api.responses.length = 0;
      api.uploads.length = 0;
      overrides.clear();
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };

  const channel = (id: string): FakeChannel => {
    let c = api.channels.get(id);
    if (!c) {
      c = { id, name: `chan-${id.toLowerCase()}`, is_member: true };
      api.channels.set(id, c);
    }
    return c;
  };

  const answer = (method: string, body: Record<string, string>): { status?: number; body: Record<string, unknown>; headers?: Record<string, string> } => {
    const ts = () => `1700000000.${String(++seq).padStart(6, '0')}`;
    switch (method) {
      case 'apps.connections.open':
        return api.socketUrl ? { body: { ok: true, url: api.socketUrl } } : { body: { ok: false, error: 'not_allowed_token_type' } };
      case 'auth.test':
        return { body: { ok: true, url: 'https://test.slack.com/', team: 'Test', user: 'caracal', team_id: api.teamId, user_id: api.botUserId, bot_id: api.botId } };
      case 'chat.postMessage': {
        const c = api.channels.get(body.channel);
        if (c && c.is_member === false) return { body: { ok: false, error: 'not_in_channel' } };
        return { body: { ok: true, channel: body.channel, ts: ts(), message: { text: body.text } } };
      }
      case 'chat.update':
        return { body: { ok: true, channel: body.channel, ts: body.ts, text: body.text } };
      case 'chat.postEphemeral':
        return { body: { ok: true, message_ts: ts() } };
      case 'conversations.join': {
        const c = channel(body.channel);
        if (c.is_private) return { body: { ok: false, error: 'method_not_supported_for_channel_type' } };
        c.is_member = true;
        return { body: { ok: true, channel: { id: c.id, name: c.name, is_member: true } } };
      }
      case 'conversations.info': {
        const c = channel(body.channel);
        return {
          body: {
            ok: true,
            channel: { id: c.id, name: c.name, is_member: c.is_member !== false, is_private: !!c.is_private, topic: { value: c.topic ?? '' }, purpose: { value: c.purpose ?? '' } },
          },
        };
      }
      case 'usergroups.users.list': {
        const users = api.usergroups.get(body.usergroup);
        return users ? { body: { ok: true, users } } : { body: { ok: false, error: 'no_such_subteam' } };
      }
      case 'files.getUploadURLExternal': {
        const fileId = `F${String(++fileSeq).padStart(8, '0')}`;
        return { body: { ok: true, upload_url: `${api.url.replace(/\/api\/$/, '')}/upload/${fileId}`, file_id: fileId } };
      }
      case 'files.completeUploadExternal': {
        const files = JSON.parse(body.files ?? '[]') as Array<{ id: string; title?: string }>;
        return { body: { ok: true, files: files.map((f) => ({ id: f.id, title: f.title ?? '' })) } };
      }
      default:
        return { body: { ok: false, error: 'unknown_method' } };
    }
  };

  server = createServer(async (req, res) => {
    const raw = await readBody(req);
    if (api.latencyMs > 0) await new Promise((r) => setTimeout(r, api.latencyMs));
    const path = (req.url ?? '').split('?')[0];
    if (path.startsWith('/upload/')) {
      api.uploads.push({ fileId: path.slice('/upload/'.length), content: fileContent(raw, req.headers['content-type']) });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('OK - ' + raw.length);
      return;
    }
    if (path.startsWith('/response/')) {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(raw);
      } catch {
        body = { raw };
      }
      api.responses.push({ id: path.slice('/response/'.length), body, at: Date.now() });
      send(res, 200, { ok: true });
      return;
    }
    if (!path.startsWith('/api/')) {
      send(res, 404, { ok: false, error: 'not_found' });
      return;
    }
    const method = path.slice('/api/'.length);
    const body = Object.fromEntries(new URLSearchParams(raw));
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? null;
    const callToken = bearer ?? body.token ?? null;
    api.calls.push({ method, body, token: callToken, at: Date.now() });
    // Socket Mode's apps.connections.open is the one method called with the app-level token.
    if (callToken !== (method === 'apps.connections.open' ? appToken : token)) {
      send(res, 200, { ok: false, error: 'invalid_auth' });
      return;
    }
    const queued = overrides.get(method);
    const o = queued?.shift();
    if (o) {
      if ('status' in o) {
        send(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(o.retryAfter) });
      } else {
        send(res, 200, { ok: false, error: o.error });
      }
      return;
    }
    const a = answer(method, body);
    send(res, a.status ?? 200, a.body, a.headers);
  });
  server.keepAliveTimeout = 1000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  api.url = `http://127.0.0.1:${port}/api/`;
  api.responseUrlBase = `http://127.0.0.1:${port}/response/`;
  return api;
}

/** `blocks` of a recorded call, parsed. */
export function blocksOf(call: SlackCall): Array<Record<string, unknown>> {
  return call.body.blocks ? (JSON.parse(call.body.blocks) as Array<Record<string, unknown>>) : [];
}
