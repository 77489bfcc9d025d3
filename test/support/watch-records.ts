/**
 * A deny pattern as the watcher hands it to the incident desk (its view, the notice) and the
 * record of the triage it opens, for tests of watch cards: each test gives the fields it draws.
 */
import { triageForWatch, watchIncidentView, type WatchNotice } from '../../src/incidents/from-watch';
import { newTriage } from '../../src/triage/machine';
import type { TriageRecord, WatchPatternView } from '../../src/triage/record';

/** A firing pattern of one application in `zone-prod`, over whatever `over` sets. */
export function watchView(over: Partial<WatchPatternView> = {}): WatchPatternView {
  return {
    zoneId: 'zone-prod',
    applicationId: 'app-anton',
    applicationName: null,
    resource: 'resource://payments',
    reason: 'role_scope_mismatch',
    windowCount: 6,
    windowMs: 300_000,
    total: 6,
    firstAt: '2026-12-01T13:58:00.000Z',
    latestAt: '2026-12-01T14:02:11.000Z',
    applications: 1,
    lastHour: new Array(12).fill(0),
    bucketMs: 300_000,
    thresholds: { minDenials: 5, windowMs: 300_000, baselineFactor: 3 },
    previous: null,
    quietSince: null,
    quietMs: 900_000,
    ...over,
  };
}

/** The watcher's notice of `view` (its pattern ID made of `idPart`). */
export function watchNotice(view: WatchPatternView, o: { idPart: string; requestId: string; signal?: 'firing' | 'resolved' }): WatchNotice {
  return { patternId: o.idPart.repeat(20), key: { zoneId: view.zoneId, applicationId: view.applicationId, resource: view.resource, reason: view.reason }, signal: o.signal ?? 'firing', requestId: o.requestId, stateDigest: 'd', occurredAt: view.latestAt, view };
}

/** The new triage the notice opens, as the desk would store it. */
export function watchTriageRecord(id: string, n: WatchNotice, now: Date): TriageRecord {
  const t = triageForWatch(n);
  return newTriage(id, t.input, now, watchIncidentView(t, n)).record;
}
