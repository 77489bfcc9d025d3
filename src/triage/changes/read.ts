/**
 * Reading a zone's admin audit for a window before the denial: where the window ends (the
 * denial's `occurred_at`; the request's last event when it has no denial; else now, rounded up
 * to the minute so triages started together read, and share, the same pages), and every page
 * of `GET …/admin-audit?since&until` (newest first, following `next_cursor`, bounded), each
 * page read once through the session's call cache like any other Caracal read. The range asked
 * of Caracal is widened to whole minutes, so the triages of denials in the same minute share
 * its pages through the worker's read cache; the rows are then cut to the exact window.
 */
import type { CaracalClient } from '../../caracal/client-api';
import type { AdminAuditRow } from '../../caracal/schemas';
import type { CallCache } from '../call-cache';
import type { Fetched, Location } from '../evidence-model';
import { causalDenial } from '../trace';
import type { Anchor, ChangeRow, ChangeWindow } from './change';
import { changeFromRow } from './normalize';

/** Admin-audit's largest page (FACTS §2: audit, admin-audit, sessions: 1000). */
export const ADMIN_AUDIT_PAGE = 1000;
/** Pages read at most; a zone busier than this in the window is read from its newest rows. */
export const MAX_ADMIN_AUDIT_PAGES = 10;

export interface WindowRead {
  window: ChangeWindow;
  /** Successful writes, newest first. */
  changes: ChangeRow[];
  /** Rows read in all (changes, failed requests, rows without a time). */
  rowsRead: number;
  /** Rows of failed requests (status >= 400): recorded by Caracal, not changes. */
  failedRequests: number;
  /** More rows were in the window than MAX_ADMIN_AUDIT_PAGES pages hold. */
  truncated: boolean;
}

/** The end of the window: the denial, else the request's last event, else now (to the next whole minute). */
export function windowEnd(location: Location, now: Date): { anchor: Anchor; until: string } {
  const trace = location.trace;
  const denial = trace ? causalDenial(trace) : null;
  const valid = (t: string | null | undefined): t is string => !!t && Number.isFinite(Date.parse(t));
  if (valid(denial?.occurredAt)) return { anchor: 'denial', until: new Date(Date.parse(denial.occurredAt)).toISOString() };
  const last = trace?.events.map((e) => e.occurredAt).filter(valid).sort().at(-1);
  if (last) return { anchor: 'request', until: new Date(Date.parse(last)).toISOString() };
  const minute = 60_000;
  return { anchor: 'now', until: new Date(Math.ceil(now.getTime() / minute) * minute).toISOString() };
}

export async function readChangeWindow(
  client: CaracalClient,
  calls: CallCache,
  zoneId: string,
  end: { anchor: Anchor; until: string },
  windowMs: number,
): Promise<Fetched<WindowRead>> {
  const since = new Date(Date.parse(end.until) - windowMs).toISOString();
  const window: ChangeWindow = { zoneId, since, until: end.until, anchor: end.anchor, windowMs };
  const minute = 60_000;
  const range = {
    since: new Date(Math.floor(Date.parse(since) / minute) * minute).toISOString(),
    until: new Date(Math.ceil(Date.parse(end.until) / minute) * minute).toISOString(),
  };
  const rows: AdminAuditRow[] = [];
  let cursor: string | undefined;
  let limit: number | undefined = ADMIN_AUDIT_PAGE;
  let truncated = false;
  for (let page = 0; ; page++) {
    if (page === MAX_ADMIN_AUDIT_PAGES) {
      truncated = true;
      break;
    }
    const query = { ...range, ...(limit ? { limit } : {}), ...(cursor ? { cursor } : {}) };
    let read = await calls.read(client, 'listAdminAudit', zoneId, query);
    // An API that refuses the page size is asked again with its default (as the client's list reads do).
    if (!read.ok && read.error.code === 'invalid_query' && limit) {
      limit = undefined;
      read = await calls.read(client, 'listAdminAudit', zoneId, { ...range, ...(cursor ? { cursor } : {}) });
    }
    if (!read.ok) {
      // A later page failing still leaves the newest rows: say the window was not read to its start.
      if (page === 0) return read;
      truncated = true;
      break;
    }
    rows.push(...read.value.items);
    const next = read.value.next_cursor || undefined;
    if (!next || next === cursor || read.value.items.length === 0) break;
    cursor = next;
  }
  const changes: ChangeRow[] = [];
  let failedRequests = 0;
  const [from, to] = [Date.parse(since), Date.parse(end.until)];
  for (const row of rows) {
    const c = changeFromRow(row);
    if (c === 'failed_request') failedRequests++;
    // The range asked was widened to whole minutes (and an API may ignore it): only the window counts.
    else if (c !== 'no_time' && Date.parse(c.at) >= from && Date.parse(c.at) < to) changes.push(c);
  }
  // Newest first, as Caracal sends them; sorted again so a page boundary cannot reorder them.
  changes.sort((a, b) => b.at.localeCompare(a.at));
  return { ok: true, value: { window, changes, rowsRead: rows.length, failedRequests, truncated } };
}
