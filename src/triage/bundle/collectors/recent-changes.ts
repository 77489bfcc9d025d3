/**
 * Bundle item `recent_changes`: the triage's zone's admin-audit rows in the window before the
 * denial (TRIAGE_CHANGES_WINDOW, default 24 h; before now without a request), successful writes
 * only, newest first, with the request they are judged against (its resource, application,
 * provider, grants, policy sets: all evidence the steps read too, so no call is made twice).
 * `ok` with the changes, `ok` when the window holds none, `unavailable` with the reason when
 * the admin audit cannot be read (the token may not, or an older Caracal has no such route).
 * Which change is the cause is decided with the diagnosis (src/triage/changes/conclude.ts).
 */
import { formatDuration } from '../../../config/duration';
import { DEFAULT_CHANGES_WINDOW_MS } from '../../../caracal/config';
import { readChangeWindow, windowEnd } from '../../changes/read';
import { changeSubject } from '../../changes/subject';
import { count, whyUnavailable } from '../../steps/step';
import { item, unavailable } from '../checks';
import type { Collector } from '../source';

/** Rows kept in the item (the newest); a busier window says how many were left out. */
export const MAX_KEPT_CHANGES = 100;

const ANCHOR_WORDS = { denial: 'the denial', request: 'the request', now: 'now' } as const;

export const collectRecentChanges: Collector = async (src) => {
  const { gatherer } = src;
  const location = await gatherer.get('location');
  const zoneId = location.zoneId;
  if (!zoneId) {
    const why = src.requestId ? `${src.requestId} was not located in any zone, so there is no zone to read admin changes from.` : 'No single zone selected, so there are no admin changes to read; name a zone (--zone).';
    return unavailable('recent_changes', why, location.problem ?? undefined);
  }
  const windowMs = src.changesWindowMs ?? DEFAULT_CHANGES_WINDOW_MS;
  const end = windowEnd(location, src.now());
  const [read, resources, grants, policySets] = await Promise.all([
    readChangeWindow(gatherer.client, gatherer.calls, zoneId, end, windowMs),
    gatherer.get('resources'),
    gatherer.get('grants'),
    gatherer.get('policySets'),
  ]);
  const since = new Date(Date.parse(end.until) - windowMs).toISOString();
  const span = `the ${formatDuration(windowMs)} before ${ANCHOR_WORDS[end.anchor]} (${since} to ${end.until})`;
  if (!read.ok) {
    return unavailable('recent_changes', `The admin audit of zone ${zoneId} could not be read, so changes before ${ANCHOR_WORDS[end.anchor]} are unknown: ${whyUnavailable(read)}.`, read.error);
  }
  const r = read.value;
  const kept = r.changes.slice(0, MAX_KEPT_CHANGES);
  const evidence = {
    window: r.window,
    subject: changeSubject(location, resources, grants, policySets),
    changes: kept,
    rowsRead: r.rowsRead,
    failedRequests: r.failedRequests,
    ...(r.changes.length > kept.length ? { omitted: r.changes.length - kept.length } : {}),
    ...(r.truncated ? { truncated: true } : {}),
  };
  const partial = r.truncated ? ' (only the newest rows were read: the window holds more than the bot reads)' : '';
  if (r.changes.length === 0) {
    return item('recent_changes', 'ok', `No changes in zone ${zoneId} in ${span}${partial}.`, evidence);
  }
  const newest = r.changes[0]!;
  return item('recent_changes', 'ok', `${count(r.changes.length, 'change')} in zone ${zoneId} in ${span}${partial}; the newest at ${newest.at}.`, evidence);
};
