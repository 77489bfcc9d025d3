/**
 * PagerDuty, as the escalation job calls it (platform-notes §11.4):
 *
 *   Events API v2   POST <PAGERDUTY_EVENTS_URL> {routing_key, event_action, dedup_key, payload, links}
 *                   → 202 {status, message, dedup_key}; no auth header (the routing key is the credential)
 *   REST API        POST <PAGERDUTY_API_URL>/incidents/{id}/notes {note: {content}} → 201 {note}
 *                   GET  <PAGERDUTY_API_URL>/incidents/{id}/notes → {notes: [...]}
 *                   with `Authorization: Token token=…`, the v2 Accept header and `From: <email>`
 *
 * Every answer comes back as a value that says whether trying again can help: 429 (honouring
 * Retry-After when PagerDuty sends one), 5xx and no answer at all can; 400 (an event PagerDuty
 * will never take) and any other refusal cannot. Bodies are checked with zod. Built on Node's
 * fetch: two small JSON calls need no client library, and nothing else in the bot talks to PagerDuty.
 */
import { z } from 'zod';
import type { PagerDutyEventsSettings, PagerDutyNotesSettings } from './config';

export type CallResult<T> = { ok: true; value: T } | { ok: false; retry: boolean; retryAfterMs?: number; reason: string };

export interface PagerDutyEvent {
  event_action: 'trigger' | 'acknowledge' | 'resolve';
  dedup_key: string;
  payload?: {
    summary: string;
    source: string;
    severity: 'critical' | 'error' | 'warning' | 'info';
    component?: string;
    group?: string;
    class?: string;
    custom_details?: Record<string, unknown>;
  };
  links?: Array<{ href: string; text?: string }>;
  client?: string;
  client_url?: string;
}

const Accepted = z.looseObject({ status: z.string().optional(), message: z.string().optional(), dedup_key: z.string().optional() });
const Refused = z.looseObject({ status: z.string().optional(), message: z.string().optional(), errors: z.array(z.string()).optional() });
const NoteBody = z.looseObject({ note: z.looseObject({ id: z.string() }) });
const NotesPage = z.looseObject({ notes: z.array(z.looseObject({ id: z.string(), content: z.string().optional() })) });
const RestError = z.looseObject({ error: z.looseObject({ message: z.string().optional(), errors: z.array(z.string()).optional() }) });

const TIMEOUT_MS = 10_000;

async function call(url: string, init: RequestInit, timeoutMs: number): Promise<{ status: number; headers: Headers; body: unknown } | { error: string }> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
    const text = await res.text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = null;
    }
    return { status: res.status, headers: res.headers, body };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    const why = err.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (err.cause?.code ?? err.message);
    return { error: why };
  }
}

function retryAfterMs(h: Headers): number | undefined {
  const v = h.get('retry-after');
  if (!v) return undefined;
  const s = Number(v);
  return Number.isFinite(s) && s >= 0 ? Math.min(s, 3600) * 1000 : undefined;
}

/** What went wrong, in a sentence; `retry` when PagerDuty asks to try again (429, 5xx) or did not answer. */
function failure<T>(r: { status: number; headers: Headers; body: unknown } | { error: string }, what: string, detail: (body: unknown) => string): CallResult<T> {
  if ('error' in r) return { ok: false, retry: true, reason: `${what}: no answer from PagerDuty (${r.error})` };
  const more = detail(r.body);
  const reason = `${what}: PagerDuty answered ${r.status}${more ? ` (${more})` : ''}`;
  if (r.status === 429) return { ok: false, retry: true, retryAfterMs: retryAfterMs(r.headers), reason };
  if (r.status >= 500) return { ok: false, retry: true, reason };
  return { ok: false, retry: false, reason };
}

const clip = (s: string, n = 300): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function sendEvent(settings: PagerDutyEventsSettings, event: PagerDutyEvent, timeoutMs = TIMEOUT_MS): Promise<CallResult<{ dedupKey: string }>> {
  return call(settings.eventsUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ routing_key: settings.routingKey, ...event }) }, timeoutMs).then((r) => {
    if (!('error' in r) && r.status === 202) {
      const body = Accepted.safeParse(r.body);
      return { ok: true, value: { dedupKey: (body.success && body.data.dedup_key) || event.dedup_key } };
    }
    return failure(r, `the ${event.event_action} event`, (body) => {
      const b = Refused.safeParse(body);
      return b.success ? clip([b.data.message, ...(b.data.errors ?? [])].filter(Boolean).join('; ')) : '';
    });
  });
}

function restHeaders(s: PagerDutyNotesSettings): Record<string, string> {
  return { authorization: `Token token=${s.token}`, accept: 'application/vnd.pagerduty+json;version=2', 'content-type': 'application/json', from: s.from };
}

const restDetail = (body: unknown): string => {
  const b = RestError.safeParse(body);
  return b.success ? clip([b.data.error.message, ...(b.data.error.errors ?? [])].filter(Boolean).join('; ')) : '';
};

const notesUrl = (s: PagerDutyNotesSettings, incidentId: string): string => `${s.apiUrl}/incidents/${encodeURIComponent(incidentId)}/notes`;

export function addNote(s: PagerDutyNotesSettings, incidentId: string, content: string, timeoutMs = TIMEOUT_MS): Promise<CallResult<{ id: string }>> {
  return call(notesUrl(s, incidentId), { method: 'POST', headers: restHeaders(s), body: JSON.stringify({ note: { content } }) }, timeoutMs).then((r) => {
    if (!('error' in r) && (r.status === 201 || r.status === 200)) {
      const body = NoteBody.safeParse(r.body);
      if (body.success) return { ok: true, value: { id: body.data.note.id } };
      return { ok: false, retry: false, reason: 'the incident note: PagerDuty answered without the note' };
    }
    return failure(r, 'the incident note', restDetail);
  });
}

/** The note on the incident whose content holds `tag`, if any (a run that died after adding it). */
export function findNote(s: PagerDutyNotesSettings, incidentId: string, tag: string, timeoutMs = TIMEOUT_MS): Promise<CallResult<{ id: string } | null>> {
  return call(notesUrl(s, incidentId), { method: 'GET', headers: restHeaders(s) }, timeoutMs).then((r) => {
    if (!('error' in r) && r.status === 200) {
      const body = NotesPage.safeParse(r.body);
      if (!body.success) return { ok: false, retry: false, reason: 'listing the incident notes: PagerDuty answered something else' };
      const hit = body.data.notes.find((n) => n.content?.includes(tag));
      return { ok: true, value: hit ? { id: hit.id } : null };
    }
    return failure(r, 'listing the incident notes', restDetail);
  });
}
