/**
 * Locating a request: Caracal has no cross-zone index, so the request is looked up
 * in every candidate zone in parallel and the first zone (in listing order) that knows it wins.
 * Candidate zones are the given zone, else `GET /v1/zones`, else — when a zone-scoped token
 * cannot list zones — CARACAL_ZONE_IDS. IDs the by-request path cannot carry (outside
 * `[A-Za-z0-9_.\-:]{1,128}`, e.g. a Gateway ID with `/`) are looked up through the audit list
 * (`?request_id=`) and the trace rebuilt from its rows.
 */
import type { CaracalClient } from '../caracal/client-api';
import type { CallCache } from './call-cache';
import { REQUEST_ID_PATTERN } from './model';
import { nearest } from './request-facts';

/** What the API accepts as an ID in a path (FACTS §2); anything else given as a zone is a name or slug. */
const ZONE_ID_PATTERN = REQUEST_ID_PATTERN;
import type { Failure, Location, ZoneAttempt, ZoneSource } from './evidence-model';
import { traceFromExplain, traceFromRows, type Trace } from './trace';

interface Candidates {
  zoneIds: string[];
  source: ZoneSource | null;
  problem: Failure | null;
  listError: Failure | null;
}

/** What a zone list says of a zone a person named: its ID, or why none matches (naming the nearest). */
export type ZoneByRef = { ok: true; id: string } | { ok: false; message: string };

/** The zone `given` names in `zones`: by ID, else slug, else name (both case-insensitive). */
export function zoneByRef(zones: ReadonlyArray<{ id: string; name?: string | null; slug?: string | null }>, given: string): ZoneByRef {
  const folded = given.toLowerCase();
  const match = zones.find((z) => z.id === given) ?? zones.find((z) => z.slug?.toLowerCase() === folded) ?? zones.find((z) => z.name?.toLowerCase() === folded);
  if (match) return { ok: true, id: match.id };
  const labelled = zones.flatMap((z) => [z.id, z.slug, z.name].filter((v): v is string => !!v).map((v) => ({ v, z })));
  const near = nearest(given, labelled.map((l) => l.v)).map((v) => labelled.find((l) => l.v === v)!.z);
  const names = [...new Map(near.map((z) => [z.id, z])).values()].map((z) => `${z.name ?? z.slug ?? z.id} (${[z.slug && `slug ${z.slug}`, `id ${z.id}`].filter(Boolean).join(', ')})`);
  return { ok: false, message: `no zone has the ID, name or slug "${given}"${names.length > 0 ? `; nearest: ${names.join('; ')}` : ` (zones: ${zones.map((z) => z.slug ?? z.name ?? z.id).join(', ') || 'none visible'})`}` };
}

/** Whether a zone given as text can be used as an ID when zones cannot be listed. */
export const isZoneIdShaped = (given: string): boolean => ZONE_ID_PATTERN.test(given);

/**
 * A zone the user named: its ID, or its name or slug (case-insensitive), resolved through
 * `GET /v1/zones`. One that matches nothing is a `zone_not_found` problem naming the nearest
 * zones, rather than a zone ID every later read would answer 404 for. When zones cannot be
 * listed (a zone-scoped token), a value shaped like a zone ID is used as given.
 */
async function givenZone(client: CaracalClient, cache: CallCache, given: string): Promise<Candidates> {
  const listed = await cache.read(client, 'listZones');
  if (!listed.ok) {
    if (ZONE_ID_PATTERN.test(given)) return { zoneIds: [given], source: 'given', problem: null, listError: listed.error };
    const problem: Failure = { kind: 'not_applicable', code: 'zone_not_resolved', message: `"${given}" is not a zone ID, and zone names and slugs are resolved through GET /v1/zones, which could not be read (${listed.error.message}); give the zone's ID.` };
    return { zoneIds: [], source: 'given', problem, listError: listed.error };
  }
  const found = zoneByRef(listed.value, given);
  if (found.ok) return { zoneIds: [found.id], source: 'given', problem: null, listError: null };
  const problem: Failure = { kind: 'api', code: 'zone_not_found', status: 404, message: found.message };
  return { zoneIds: [], source: 'given', problem, listError: null };
}

export async function candidateZones(client: CaracalClient, cache: CallCache, givenZoneId: string | null): Promise<Candidates> {
  if (givenZoneId) return givenZone(client, cache, givenZoneId);
  const listed = await cache.read(client, 'listZones');
  const configured = [...client.configuredZoneIds];
  if (listed.ok) {
    // Configured zones first: the operator named them because requests usually live there.
    const ids = [...new Set([...configured, ...listed.value.map((z) => z.id)])];
    return { zoneIds: ids, source: 'listed', problem: null, listError: null };
  }
  if (configured.length > 0) return { zoneIds: configured, source: 'configured', problem: null, listError: listed.error };
  const problem: Failure =
    listed.error.code === 'admin_token_zone_mismatch'
      ? { ...listed.error, message: 'the admin token is zone-scoped and cannot list zones; set CARACAL_ZONE_IDS or pass --zone.' }
      : listed.error;
  return { zoneIds: [], source: null, problem, listError: listed.error };
}

/**
 * explain answered in a way that says "this path cannot name that request" rather than "no such
 * request": 400 `invalid_params`, or a framework 404 for a route that did not match (an encoded
 * `/` can split the path). The audit list takes any request ID as a query parameter.
 */
function pathRejected(error: Failure): boolean {
  return error.code === 'invalid_params' || (error.status === 404 && error.code !== 'request_not_found' && error.code !== 'zone_not_found') || error.code === 'http_400';
}

async function lookIn(client: CaracalClient, cache: CallCache, zoneId: string, requestId: string): Promise<{ attempt: ZoneAttempt; trace: Trace | null }> {
  // IDs outside the API's path pattern go straight to the audit list: explain would answer 400.
  if (REQUEST_ID_PATTERN.test(requestId)) {
    const explained = await cache.read(client, 'explain', zoneId, requestId);
    if (explained.ok) return { attempt: { zoneId, outcome: 'found', via: 'explain' }, trace: traceFromExplain(explained.value) };
    if (explained.error.code === 'request_not_found') return { attempt: { zoneId, outcome: 'not_found', via: 'explain' }, trace: null };
    if (!pathRejected(explained.error)) return { attempt: { zoneId, outcome: 'error', via: 'explain', error: explained.error }, trace: null };
  }

  const rows = await cache.read(client, 'auditForRequest', zoneId, requestId);
  if (!rows.ok) return { attempt: { zoneId, outcome: 'error', via: 'audit_list', error: rows.error }, trace: null };
  if (rows.value.length === 0) return { attempt: { zoneId, outcome: 'not_found', via: 'audit_list' }, trace: null };
  return { attempt: { zoneId, outcome: 'found', via: 'audit_list' }, trace: traceFromRows(zoneId, requestId, rows.value) };
}

export async function locateRequest(client: CaracalClient, cache: CallCache, requestId: string | null, givenZoneId: string | null): Promise<Location> {
  const base: Location = {
    requestId,
    zoneId: givenZoneId,
    trace: null,
    zoneSource: givenZoneId ? 'given' : null,
    zonesSearched: [],
    attempts: [],
    problem: null,
    listError: null,
  };
  if (givenZoneId) {
    const c = await candidateZones(client, cache, givenZoneId);
    if (c.problem) return { ...base, zoneId: null, problem: c.problem, listError: c.listError };
    base.zoneId = c.zoneIds[0]!;
    if (!requestId) return base;
  }
  if (!requestId) {
    // Without a request ID, a single candidate zone is still worth checking (config, policy sets).
    const c = await candidateZones(client, cache, null);
    return { ...base, zoneId: c.zoneIds.length === 1 ? c.zoneIds[0]! : null, zoneSource: c.source, listError: c.listError };
  }
  const c = await candidateZones(client, cache, base.zoneId);
  if (c.problem) return { ...base, zoneSource: c.source, problem: c.problem, listError: c.listError };
  const results = await Promise.all(c.zoneIds.map((z) => lookIn(client, cache, z, requestId)));
  const found = results.find((r) => r.trace !== null);
  return {
    ...base,
    zoneId: found?.attempt.zoneId ?? base.zoneId,
    trace: found?.trace ?? null,
    zoneSource: c.source,
    zonesSearched: c.zoneIds,
    attempts: results.map((r) => r.attempt),
    listError: c.listError,
  };
}
