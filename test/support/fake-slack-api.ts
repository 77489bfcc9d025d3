/**
 * A fake Slack Web API: a real HTTP server on loopback, reached through SLACK_API_URL
 * (`url` below). It records every call (form-urlencoded bodies as sent by @slack/web-api,
 * `blocks` still JSON-stringified), answers the methods the bot uses, can answer 429 with
 * Retry-After or a platform error on demand, hosts the file-upload URL of files.uploadV2 and
 * stands in for `response_url` (POST /response/<id>).
 *
 * Like Slack it keeps the messages it accepted (channel, ts, thread_ts, metadata, files) and
 * answers conversations.history / conversations.replies from them (metadata only with
 * include_all_metadata), can enforce Slack's ~1 message/s/channel on chat.postMessage with
 * 429 + Retry-After, and can hold its answer to a post it has already stored (the window in
 * which a worker dies having posted but not heard back).
 *
 * It opens dialogs (views.open, kept in `dialogs`; Home tabs published with views.publish are
 * in `views`) and can hold the app to its scopes: with `scopes` set, usergroups.users.list
 * without `usergroups:read` answers `missing_scope` as Slack does.
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
  /** Set when the fake refused the call: the error it answered (`ratelimited` for a 429). */
  refused?: string;
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

type Override = ({ status: 429; retryAfter: number } | { error: string }) & { match?: (body: Record<string, string>) => boolean };

/** A message as the fake keeps it (what conversations.history / replies return). */
export interface FakeMessage {
  channel: string;
  ts: string;
  /** Set on thread replies (the parent's ts). */
  thread_ts?: string;
  text: string;
  /** JSON, as sent. */
  blocks?: string;
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  bot_id: string;
  files?: Array<{ id: string; name: string; title: string }>;
  /** Date.now() when stored. */
  at: number;
}

export interface RateRule {
  /** Messages accepted per channel within any `windowMs`. */
  perWindow: number;
  windowMs: number;
}

export interface HoldRule {
  method: string;
  /** Calls to hold (default: every matching one until release). */
  times?: number;
  match?: (body: Record<string, string>) => boolean;
}

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
  /** The bot token's scopes; null (default): every method is allowed. */
  scopes: Set<string> | null;
  /** Dialogs opened with views.open: the trigger and the view as sent (parsed). */
  dialogs: Array<{ triggerId: string; view: Record<string, unknown> }>;
  /** users.conversations: the channels each user is in (as the bot sees them). */
  memberships: Map<string, string[]>;
  /** Home tabs published with views.publish, in order. */
  views: Array<{ userId: string; view: { type: string; blocks: Array<Record<string, unknown>> } }>;
  callsTo(method: string): SlackCall[];
  /** The next `times` calls to `method` (those `match` accepts) answer 429 with Retry-After seconds. */
  rateLimit(method: string, retryAfter: number, times?: number, match?: (body: Record<string, string>) => boolean): void;
  /** The next `times` calls to `method` answer `{ok:false, error}`. */
  failWith(method: string, error: string, times?: number): void;
  /** Delay every answer by this many ms (auth.test included). */
  latencyMs: number;
  /** Plus a random extra delay up to this many ms per answer (answers then arrive out of order). */
  jitterMs: number;
  /** What `apps.connections.open` (Socket Mode, called with the app token) returns as `url`. */
  socketUrl: string | null;
  /** Every message accepted, in order (cards, replies, file shares). */
  messages: FakeMessage[];
  /** Top-level messages of a channel, oldest first. */
  channelMessages(channel: string): FakeMessage[];
  /** A thread's replies (without its parent), oldest first. */
  replies(channel: string, ts: string): FakeMessage[];
  /** Enforce a per-channel message rate on chat.postMessage (null: off). */
  enforceRate(rule: RateRule | null): void;
  /** 429 answers given, by method (on demand or by the enforced rate). */
  rateLimited: Record<string, number>;
  /** Store the matching calls' messages but hold their answers until release() (or forever). */
  hold(rule: HoldRule): void;
  /** Calls whose answer is being held. */
  held: SlackCall[];
  /** Answer every held call and stop holding. */
  release(): void;
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
  const fileNames = new Map<string, string>();
  let rate: RateRule | null = null;
  let holds: HoldRule[] = [];
  let waiting: Array<() => void> = [];
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
    scopes: null,
    dialogs: [],
    memberships: new Map(),
    views: [],
    latencyMs: 0,
    jitterMs: 0,
    socketUrl: null,
    messages: [],
    channelMessages: (channel) => api.messages.filter((m) => m.channel === channel && !m.thread_ts),
    replies: (channel, ts) => api.messages.filter((m) => m.channel === channel && m.thread_ts === ts),
    enforceRate(rule) {
      rate = rule;
    },
    rateLimited: {},
    hold(rule) {
      holds.push({ ...rule });
    },
    held: [],
    release() {
      holds = [];
      api.held.length = 0;
      for (const w of waiting.splice(0)) w();
    },
    callsTo: (method) => api.calls.filter((c) => c.method === method),
    rateLimit(method, retryAfter, times = 1, match) {
      overrides.set(method, [...(overrides.get(method) ?? []), ...Array.from({ length: times }, () => ({ status: 429 as const, retryAfter, ...(match ? { match } : {}) }))]);
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
      api.messages.length = 0;
      api.views.length = 0;
      api.dialogs.length = 0;
      api.rateLimited = {};
      overrides.clear();
      rate = null;
      api.release();
    },
    close: () =>
      new Promise((resolve) => {
        api.release();
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

  // Time-based like Slack's (conversations.history filters on them), unique and increasing.
  const ts = (): string => `${Math.floor(Date.now() / 1000)}.${String(++seq).padStart(6, '0')}`;
  const store = (m: Omit<FakeMessage, 'ts' | 'at' | 'bot_id'>): FakeMessage => {
    const message: FakeMessage = { ...m, ts: ts(), bot_id: api.botId, at: Date.now() };
    api.messages.push(message);
    return message;
  };
  const parseJson = <T>(raw: string | undefined): T | undefined => {
    if (!raw) return undefined;
    try {
      return JSON.parse(raw) as T;
    } catch {
      return undefined;
    }
  };
  const asSlack = (m: FakeMessage, metadata: boolean): Record<string, unknown> => ({
    type: 'message',
    ts: m.ts,
    text: m.text,
    bot_id: m.bot_id,
    ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
    ...(m.files ? { files: m.files } : {}),
    ...(metadata && m.metadata ? { metadata: m.metadata } : {}),
  });
  const page = (list: FakeMessage[], body: Record<string, string>, extra: Record<string, unknown> = {}) => {
    const limit = Math.min(Number(body.limit ?? 100) || 100, 1000);
    const start = Number(body.cursor ?? 0) || 0;
    const slice = list.slice(start, start + limit);
    const more = start + limit < list.length;
    return { ok: true, ...extra, messages: slice.map((m) => asSlack(m, body.include_all_metadata === 'true')), has_more: more, response_metadata: { next_cursor: more ? String(start + limit) : '' } };
  };
  /** 429 when this post would exceed the enforced per-channel rate. */
  const overRate = (channel: string): number | null => {
    if (!rate) return null;
    const now = Date.now();
    const recent = api.messages.filter((m) => m.channel === channel && !m.files && now - m.at < rate!.windowMs);
    if (recent.length < rate.perWindow) return null;
    return Math.max(1, Math.ceil((recent[0]!.at + rate.windowMs - now) / 1000));
  };

  const answer = (method: string, body: Record<string, string>): { status?: number; body: Record<string, unknown>; headers?: Record<string, string> } => {
    switch (method) {
      case 'apps.connections.open':
        return api.socketUrl ? { body: { ok: true, url: api.socketUrl } } : { body: { ok: false, error: 'not_allowed_token_type' } };
      case 'auth.test':
        return { body: { ok: true, url: 'https://test.slack.com/', team: 'Test', user: 'caracal', team_id: api.teamId, user_id: api.botUserId, bot_id: api.botId } };
      case 'chat.postMessage': {
        const c = api.channels.get(body.channel);
        if (c && c.is_member === false) return { body: { ok: false, error: 'not_in_channel' } };
        const wait = overRate(body.channel);
        if (wait !== null) return { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': String(wait) } };
        const metadata = parseJson<FakeMessage['metadata']>(body.metadata);
        const m = store({ channel: body.channel, text: body.text ?? '', ...(body.blocks ? { blocks: body.blocks } : {}), ...(body.thread_ts ? { thread_ts: body.thread_ts } : {}), ...(metadata ? { metadata } : {}) });
        return { body: { ok: true, channel: body.channel, ts: m.ts, message: asSlack(m, true) } };
      }
      case 'chat.update': {
        const m = api.messages.find((x) => x.channel === body.channel && x.ts === body.ts);
        if (m) {
          m.text = body.text ?? m.text;
          if (body.blocks) m.blocks = body.blocks;
        }
        return { body: { ok: true, channel: body.channel, ts: body.ts, text: body.text } };
      }
      case 'conversations.history': {
        const oldest = Number(body.oldest ?? 0);
        const list = api.channelMessages(body.channel).filter((m) => Number(m.ts) > oldest).reverse();
        return { body: page(list, body) };
      }
      case 'conversations.replies': {
        const parent = api.messages.find((m) => m.channel === body.channel && m.ts === body.ts && !m.thread_ts);
        if (!parent) return { body: { ok: false, error: 'thread_not_found' } };
        return { body: page([parent, ...api.replies(body.channel, body.ts)], body) };
      }
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
      case 'views.open': {
        const view = parseJson<Record<string, unknown>>(body.view);
        if (!view || !body.trigger_id) return { body: { ok: false, error: 'invalid_arguments' } };
        api.dialogs.push({ triggerId: body.trigger_id, view });
        return { body: { ok: true, view: { id: `V${String(api.dialogs.length).padStart(8, '0')}`, ...view } } };
      }
      case 'views.publish': {
        const view = parseJson<FakeSlackApi['views'][number]['view']>(body.view);
        if (!body.user_id || !view || view.type !== 'home') return { body: { ok: false, error: 'invalid_arguments' } };
        if (view.blocks.length > 100) return { body: { ok: false, error: 'invalid_blocks' } };
        api.views.push({ userId: body.user_id, view });
        return { body: { ok: true, view: { id: `V${api.views.length}`, type: 'home' } } };
      }
      case 'users.conversations': {
        const ids = api.memberships.get(body.user ?? '');
        if (!ids) return { body: { ok: false, error: 'user_not_found' } };
        return { body: { ok: true, channels: ids.map((id) => ({ id })), response_metadata: { next_cursor: '' } } };
      }
      case 'usergroups.users.list': {
        if (api.scopes && !api.scopes.has('usergroups:read')) return { body: { ok: false, error: 'missing_scope', needed: 'usergroups:read' } };
        const users = api.usergroups.get(body.usergroup);
        return users ? { body: { ok: true, users } } : { body: { ok: false, error: 'no_such_subteam' } };
      }
      case 'files.getUploadURLExternal': {
        const fileId = `F${String(++fileSeq).padStart(8, '0')}`;
        fileNames.set(fileId, body.filename ?? fileId);
        return { body: { ok: true, upload_url: `${api.url.replace(/\/api\/$/, '')}/upload/${fileId}`, file_id: fileId } };
      }
      case 'files.completeUploadExternal': {
        const files = JSON.parse(body.files ?? '[]') as Array<{ id: string; title?: string }>;
        const shared = files.map((f) => ({ id: f.id, name: fileNames.get(f.id) ?? f.id, title: f.title ?? '' }));
        // Shared into the channel (or thread) as a message of its own, as Slack does.
        if (body.channel_id) store({ channel: body.channel_id, text: '', files: shared, ...(body.thread_ts ? { thread_ts: body.thread_ts } : {}) });
        return { body: { ok: true, files: shared.map((f) => ({ id: f.id, title: f.title })) } };
      }
      default:
        return { body: { ok: false, error: 'unknown_method' } };
    }
  };

  server = createServer(async (req, res) => {
    const raw = await readBody(req);
    const delay = api.latencyMs + (api.jitterMs > 0 ? Math.random() * api.jitterMs : 0);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
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
    const call: SlackCall = { method, body, token: callToken, at: Date.now() };
    api.calls.push(call);
    // Socket Mode's apps.connections.open is the one method called with the app-level token.
    if (callToken !== (method === 'apps.connections.open' ? appToken : token)) {
      call.refused = 'invalid_auth';
      send(res, 200, { ok: false, error: 'invalid_auth' });
      return;
    }
    const queued = overrides.get(method) ?? [];
    const at = queued.findIndex((x) => !x.match || x.match(body));
    const o = at >= 0 ? queued.splice(at, 1)[0] : undefined;
    if (o) {
      if ('status' in o) {
        api.rateLimited[method] = (api.rateLimited[method] ?? 0) + 1;
        call.refused = 'ratelimited';
        send(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(o.retryAfter) });
      } else {
        call.refused = o.error;
        send(res, 200, { ok: false, error: o.error });
      }
      return;
    }
    const a = answer(method, body);
    if (a.status === 429) api.rateLimited[method] = (api.rateLimited[method] ?? 0) + 1;
    if (a.body.ok === false) call.refused = a.status === 429 ? 'ratelimited' : String(a.body.error);
    const rule = a.status === undefined ? holds.find((h) => h.method === method && (h.times === undefined || h.times > 0) && (!h.match || h.match(body))) : undefined;
    if (rule) {
      // Stored, but the answer waits: the caller cannot know whether its post went through.
      if (rule.times !== undefined) rule.times--;
      api.held.push(call);
      await new Promise<void>((r) => waiting.push(r));
      if (res.destroyed) return;
    }
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
