/**
 * A process-wide, short-lived read cache in front of a `CaracalClient`, for the worker.
 *
 * Why: a triage makes ~25 Caracal calls, and the Admin API allows 600 requests/min per IP and
 * per actor. During an incident many people triage at once, and most of those calls
 * read the same deployment state (readiness, metrics, zones, resources, grants, policy sets…).
 * Sharing those reads for a couple of seconds across every triage in the process keeps the bot
 * under the limit, and makes each triage far cheaper for the worker.
 *
 * What is shared: reads that do not depend on the request being triaged (probes, metrics,
 * coordinator stats, zones, resources, applications, providers, grants, policy sets and their
 * versions, activation status, a zone's audit list when no request ID filters it), and
 * admin-audit pages (their window is part of the key: triages of the same denial share them),
 * keyed by method and every argument. Never shared: the request trace (`explain`, the audit
 * list of one request, `auditForRequest`), sessions and authority records (revocation is about
 * what changed just now), and `simulate`: those always call Caracal, except that a simulate
 * refused with `admin_token_read_only` (a property of the token, not of the request) is answered
 * with that refusal for ten minutes without asking again.
 *
 * Rules:
 * - Single flight: concurrent identical reads make one call and share its answer.
 * - A success is kept for `ttlMs` (default 2 s). A failure (a rejection, or a probe that says
 *   not ready) is shared only by the callers that joined while it was in flight, then dropped,
 *   so a dead service is not hammered by concurrent triages but a recovered one is seen at once.
 * - Shared answers are frozen (deep): one triage cannot change what another one reads.
 * - Bounded: at most `maxEntries` keys; expired entries go first, then the oldest. With a TTL of
 *   seconds, insertion order is as good as recency, so this is a plain Map rather than an LRU
 *   (and the in-flight/failure rules are the part a cache library would not give us).
 * - `fresh` is the same client reading past the cache ("Fixed, re-check" must see the fix): its
 *   reads always call Caracal; a success replaces the shared answer and a failure drops it, so
 *   triages that follow see what the re-check saw.
 * - `ttlMs` 0 disables it: every read goes straight to the client.
 * - With a stall clock (the Caracal call budget's pressure, src/caracal/budget.ts: calls waiting,
 *   or the window at least half used), that time does not age an Admin API answer: while calls
 *   queue for the budget, a second fresh call would only queue too, and every call it saves is
 *   one more triage read.
 *   An answer is never shared once it is `maxAgeMs` old (default 60 s), however long the wait.
 *   Probes, metrics and Coordinator stats are not Admin API calls and age by the clock alone.
 */
import type { StallClock } from '../time/race';
import { callKey } from './call-key';
import type { CaracalClient, ProbeResult } from './client-api';
import { CaracalApiError } from './errors';

export interface SharedReadCacheOptions {
  /** How long a successful read is shared (ms, default 2000; 0 disables the cache). */
  ttlMs?: number;
  /** Most keys kept at once (default 1000). */
  maxEntries?: number;
  /** Clock (ms), for tests. */
  now?: () => number;
  /** Time spent waiting for the call budget: it does not age Admin API answers (see above). */
  stall?: StallClock;
  /** An answer is never shared past this age (ms, default 60 000). */
  maxAgeMs?: number;
}

export interface SharedReadCache extends CaracalClient {
  /** The same client, reading past the cache; what it reads refreshes the cache for everyone. */
  readonly fresh: CaracalClient;
  readonly ttlMs: number;
  /** Keys held (answers and calls in flight). */
  readonly size: number;
  /** Forget everything (calls in flight still answer their callers). */
  clear(): void;
}

export const DEFAULT_CACHE_TTL_MS = 2000;
export const DEFAULT_CACHE_MAX_ENTRIES = 1000;
export const DEFAULT_CACHE_MAX_AGE_MS = 60_000;
/** How long a read-only token's refusal to simulate is remembered. */
const READ_ONLY_MEMO_MS = 600_000;

interface Entry {
  promise: Promise<unknown>;
  /** Until when the answer may be shared (by the clock); Infinity while the call is in flight. */
  expires: number;
  /** For answers that age only while the budget is not waited for: the stall clock when stored. */
  stalledAt?: number;
  /** Never shared past this time, however long the budget was waited for. */
  hardExpiry?: number;
}

function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const v of Object.values(value as object)) deepFreeze(v);
  return value;
}

/** `call()` as a promise, also when it throws before returning one. */
function settle<T>(call: () => Promise<T>): Promise<T> {
  try {
    return call();
  } catch (e) {
    return Promise.reject(e);
  }
}

const always = (): boolean => true;
/** Not Admin API calls: outside the budget, so they age by the clock alone. */
const UNBUDGETED = new Set(['probe', 'metricsJson', 'coordinatorStats']);
/** A probe never throws; one that says "not ready" is a failure for caching purposes. */
const probeOk = (r: ProbeResult): boolean => r.ok;

export function createSharedReadCache(client: CaracalClient, opts: SharedReadCacheOptions = {}): SharedReadCache {
  const ttlMs = Math.max(0, opts.ttlMs ?? DEFAULT_CACHE_TTL_MS);
  const maxEntries = Math.max(1, opts.maxEntries ?? DEFAULT_CACHE_MAX_ENTRIES);
  const now = opts.now ?? Date.now;
  const stall = opts.stall;
  const maxAgeMs = Math.max(ttlMs, opts.maxAgeMs ?? DEFAULT_CACHE_MAX_AGE_MS);
  const entries = new Map<string, Entry>();

  /** Whether an entry may still be shared: by the clock, or (budgeted) by time not spent waiting. */
  function isFresh(e: Entry, t: number): boolean {
    if (e.expires > t) return true;
    if (e.stalledAt === undefined || e.hardExpiry === undefined || !stall) return false;
    return t < e.hardExpiry && e.expires + (stall.stalledMs() - e.stalledAt) > t;
  }

  /** Stamps a settled entry: ttl by the clock, plus the stall clock for budgeted reads. */
  function stamp(e: Entry, budgeted: boolean): void {
    const t = now();
    e.expires = t + ttlMs;
    if (budgeted && stall) {
      e.stalledAt = stall.stalledMs();
      e.hardExpiry = t + maxAgeMs;
    }
  }

  function makeRoom(): void {
    if (entries.size < maxEntries) return;
    const t = now();
    for (const [k, e] of entries) if (!isFresh(e, t)) entries.delete(k);
    for (const k of entries.keys()) {
      if (entries.size < maxEntries) break;
      entries.delete(k);
    }
  }

  /** Calls `call` and settles `entry` under `key` (unless something replaced it meanwhile). */
  function track<T>(key: string, call: () => Promise<T>, keep: (v: T) => boolean, entry: Entry, budgeted: boolean): Promise<T> {
    const promise = settle(call).then(
      (value) => {
        if (entries.get(key) === entry) {
          if (keep(value)) {
            deepFreeze(value);
            stamp(entry, budgeted);
          } else entries.delete(key);
        }
        return value;
      },
      (err: unknown) => {
        if (entries.get(key) === entry) entries.delete(key);
        throw err;
      },
    );
    entry.promise = promise;
    return promise;
  }

  function shared<T>(method: string, args: readonly unknown[], call: () => Promise<T>, keep: (v: T) => boolean = always): Promise<T> {
    if (ttlMs === 0) return call();
    const key = callKey(method, args);
    const hit = entries.get(key);
    if (hit && isFresh(hit, now())) return hit.promise as Promise<T>;
    if (hit) entries.delete(key);
    makeRoom();
    const entry: Entry = { promise: Promise.resolve(), expires: Number.POSITIVE_INFINITY };
    entries.set(key, entry);
    return track(key, call, keep, entry, !UNBUDGETED.has(method));
  }

  /** A read past the cache whose answer then replaces (or, failing, drops) the shared one. */
  function refresh<T>(method: string, args: readonly unknown[], call: () => Promise<T>, keep: (v: T) => boolean = always): Promise<T> {
    if (ttlMs === 0) return call();
    const key = callKey(method, args);
    return settle(call).then(
      (value) => {
        if (keep(value)) {
          deepFreeze(value);
          entries.delete(key);
          makeRoom();
          const e: Entry = { promise: Promise.resolve(value), expires: 0 };
          stamp(e, !UNBUDGETED.has(method));
          entries.set(key, e);
        } else entries.delete(key);
        return value;
      },
      (err: unknown) => {
        entries.delete(key);
        throw err;
      },
    );
  }

  /** The cacheable half of the client, reading through `via` (shared or refresh). */
  function reads(via: typeof shared) {
    return {
      probe: (service, path) => via('probe', [service, path], () => client.probe(service, path), probeOk),
      metricsJson: (service) => via('metricsJson', [service], () => client.metricsJson(service)),
      coordinatorStats: () => via('coordinatorStats', [], () => client.coordinatorStats()),
      listZones: () => via('listZones', [], () => client.listZones()),
      getZone: (z) => via('getZone', [z], () => client.getZone(z)),
      zoneOverview: (z) => via('zoneOverview', [z], () => client.zoneOverview(z)),
      listResources: (z) => via('listResources', [z], () => client.listResources(z)),
      listArchivedResources: (z) => via('listArchivedResources', [z], () => client.listArchivedResources(z)),
      getResource: (z, id) => via('getResource', [z, id], () => client.getResource(z, id)),
      listApplications: (z) => via('listApplications', [z], () => client.listApplications(z)),
      getApplication: (z, id) => via('getApplication', [z, id], () => client.getApplication(z, id)),
      getProvider: (z, id) => via('getProvider', [z, id], () => client.getProvider(z, id)),
      listGrants: (z, q) => via('listGrants', [z, q], () => client.listGrants(z, q)),
      listPolicySets: (z) => via('listPolicySets', [z], () => client.listPolicySets(z)),
      listPolicyVersions: (z, id) => via('listPolicyVersions', [z, id], () => client.listPolicyVersions(z, id)),
      activationStatus: (z, id) => via('activationStatus', [z, id], () => client.activationStatus(z, id)),
      listAdminAudit: (z, q) => via('listAdminAudit', [z, q], () => client.listAdminAudit(z, q)),
      // A zone's recent rows (the Doctor's audit query, the last denials) are the same for every
      // triage; the rows of one request are its trace, never shared.
      listAudit: (z, q) => (q.request_id !== undefined ? client.listAudit(z, q) : via('listAudit', [z, q], () => client.listAudit(z, q))),
    } satisfies Partial<CaracalClient>;
  }

  /**
   * A read-only token's refusal to simulate, remembered (until when). Until the token has been
   * seen to simulate, one simulate goes first and the others wait for its answer, so a burst of
   * triages on a read token asks once, not once per triage in flight.
   */
  let readOnlyUntil = 0;
  let readOnlyRefusal: CaracalApiError | null = null;
  let canSimulate = false;
  let firstSimulate: Promise<unknown> | null = null;
  async function simulate(z: string, id: string, body: { version_id: string; input?: unknown }): Promise<Record<string, unknown>> {
    if (!canSimulate && firstSimulate) await firstSimulate.catch(() => undefined);
    if (readOnlyRefusal && now() < readOnlyUntil) throw readOnlyRefusal;
    const call = client.simulate(z, id, body).then(
      (v) => {
        canSimulate = true;
        return v;
      },
      (e: unknown) => {
        if (e instanceof CaracalApiError && e.code === 'admin_token_read_only') {
          readOnlyRefusal = e;
          readOnlyUntil = now() + READ_ONLY_MEMO_MS;
        }
        throw e;
      },
    );
    if (!canSimulate && !firstSimulate) {
      firstSimulate = call;
      void call.catch(() => undefined).finally(() => {
        firstSimulate = null;
      });
    }
    return call;
  }

  /** Always asked of Caracal: the request trace, revocation state and simulation. */
  const uncached = {
    explain: (z, rid) => client.explain(z, rid),
    auditForRequest: (z, rid) => client.auditForRequest(z, rid),
    listSessions: (z, q) => client.listSessions(z, q),
    listAuthorityRecords: (z, q) => client.listAuthorityRecords(z, q),
    simulate: (z, id, body) => (ttlMs === 0 ? client.simulate(z, id, body) : simulate(z, id, body)),
  } satisfies Partial<CaracalClient>;

  const fresh: CaracalClient = {
    endpoints: client.endpoints,
    configuredZoneIds: client.configuredZoneIds,
    ...reads(refresh),
    ...uncached,
  };

  return {
    endpoints: client.endpoints,
    configuredZoneIds: client.configuredZoneIds,
    ...reads(shared),
    ...uncached,
    fresh,
    ttlMs,
    get size() {
      return entries.size;
    },
    clear: () => entries.clear(),
  };
}
