/**
 * A fake PagerDuty on loopback: the Events API v2 enqueue endpoint and the two REST calls the
 * bot makes on an incident's notes, answering as PagerDuty does (platform-notes §11.4). It
 * records every request with its headers, keeps notes per incident, and can be told to answer
 * the next calls with a failure (429 with or without Retry-After, 5xx, 400 with PagerDuty's
 * error body), or to store a note and still answer 500 (a crash between PagerDuty's write and
 * its answer, as a retried job meets it).
 *
 *   POST /v2/enqueue                   → 202 {status: 'success', message: 'Event processed', dedup_key}
 *   POST /incidents/{id}/notes         → 201 {note: {id, content, created_at}}
 *   GET  /incidents/{id}/notes         → 200 {notes: [...]}
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PagerDutyCall {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  status: number;
  at: number;
}

export type PagerDutyFailure = { status: 429; retryAfter?: number } | { status: 500 | 502 | 503 } | { status: 400 } | { status: 'stored-then-500' };

export interface FakePagerDuty {
  /** http://127.0.0.1:PORT */
  url: string;
  /** The full enqueue URL (PAGERDUTY_EVENTS_URL). */
  eventsUrl: string;
  calls: PagerDutyCall[];
  /** Events PagerDuty accepted (202), in order. */
  accepted(): PagerDutyCall[];
  notes(incidentId: string): Array<{ id: string; content: string }>;
  /** The next `times` calls to `kind` get `failure`. */
  failNext(kind: 'events' | 'notes', failure: PagerDutyFailure, times?: number): void;
  waitFor<T>(check: () => T | undefined | null | false, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakePagerDuty(): Promise<FakePagerDuty> {
  const calls: PagerDutyCall[] = [];
  const notes = new Map<string, Array<{ id: string; content: string; created_at: string }>>();
  const failures: Record<'events' | 'notes', Array<PagerDutyFailure>> = { events: [], notes: [] };
  let noteSeq = 0;

  const server: Server = createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req);
      let body: unknown = null;
      try {
        body = raw ? JSON.parse(raw) : null;
      } catch {
        body = raw;
      }
      const path = req.url ?? '/';
      const answer = (status: number, json: unknown, headers: Record<string, string> = {}): void => {
        calls.push({ method: req.method ?? '', path, headers: req.headers, body, status, at: Date.now() });
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(json));
      };
      const fail = (kind: 'events' | 'notes', onStored?: () => void): boolean => {
        const f = failures[kind].shift();
        if (!f) return false;
        if (f.status === 'stored-then-500') {
          onStored?.();
          answer(500, { error: { message: 'Internal Server Error' } });
        } else if (f.status === 429) answer(429, { status: 'throttle event', message: 'Requests for this service are arriving too quickly' }, f.retryAfter !== undefined ? { 'retry-after': String(f.retryAfter) } : {});
        else if (f.status === 400) answer(400, kind === 'events' ? { status: 'invalid event', message: 'Event object is invalid', errors: ["'payload.summary' is missing or blank"] } : { error: { message: 'Invalid Input Provided', code: 2001, errors: ['Note content is invalid'] } });
        else answer(f.status, { error: { message: 'Service Unavailable' } });
        return true;
      };

      if (req.method === 'POST' && path === '/v2/enqueue') {
        if (fail('events')) return;
        const e = body as { dedup_key?: string };
        answer(202, { status: 'success', message: 'Event processed', dedup_key: e?.dedup_key ?? 'generated-key' });
        return;
      }
      const m = /^\/incidents\/([^/]+)\/notes$/.exec(path);
      if (m) {
        const id = decodeURIComponent(m[1]!);
        const list = notes.get(id) ?? [];
        notes.set(id, list);
        if (req.headers.authorization?.startsWith('Token token=') !== true || !req.headers.from) {
          answer(401, { error: { message: 'Unauthorized', code: 2006 } });
          return;
        }
        if (req.method === 'GET') {
          answer(200, { notes: list });
          return;
        }
        const store = (): { id: string; content: string; created_at: string } => {
          const note = { id: `PNOTE${++noteSeq}`, content: String((body as { note?: { content?: unknown } })?.note?.content ?? ''), created_at: new Date().toISOString() };
          list.push(note);
          return note;
        };
        if (fail('notes', store)) return;
        answer(201, { note: store() });
        return;
      }
      answer(404, { error: { message: 'Not Found' } });
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    eventsUrl: `${url}/v2/enqueue`,
    calls,
    accepted: () => calls.filter((c) => c.path === '/v2/enqueue' && c.status === 202),
    notes: (id) => (notes.get(id) ?? []).map(({ id: nid, content }) => ({ id: nid, content })),
    failNext(kind, failure, times = 1) {
      for (let i = 0; i < times; i++) failures[kind].push(failure);
    },
    async waitFor(check, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const v = check();
        if (v) return v;
        if (Date.now() > deadline) throw new Error(`fake PagerDuty: timed out after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
