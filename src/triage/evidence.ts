/**
 * Evidence gathering: the only part of the triage that does I/O. Each piece of evidence is
 * produced at most once per session (and each Caracal call at most once, via the shared
 * CallCache); independent pieces are fetched in parallel, dependent ones (grants need the
 * resource, activation needs the active set) wait only for what they need.
 */
import { SERVICES, type CaracalClient, type ProbeResult, type ServiceName } from '../caracal/client-api';
import { CallCache } from './call-cache';
import {
  notApplicable,
  notConfigured,
  type EvidenceFor,
  type EvidenceKey,
  type Fetched,
  type Location,
  type MetricsService,
  type TriageEvidence,
} from './evidence-model';
import { candidateZones, locateRequest } from './locate';
import type { Symptom } from './model';
import { requestFacts } from './request-facts';

export interface GatherInput {
  requestId: string | null;
  zoneId: string | null;
  symptom: Symptom | null;
}

export interface EvidenceGatherer {
  readonly client: CaracalClient;
  readonly calls: CallCache;
  get<K extends EvidenceKey>(key: K): Promise<TriageEvidence[K]>;
  /** The evidence if it has already arrived; never starts a fetch. */
  peek<K extends EvidenceKey>(key: K): TriageEvidence[K] | undefined;
  gather<K extends EvidenceKey>(keys: readonly K[]): Promise<EvidenceFor<K>>;
}

const METRICS_SERVICES: readonly MetricsService[] = ['sts', 'gateway', 'audit'];
/** Bound the application lists read when looking for an expired application across zones. */
const MAX_APPLICATION_ZONES = 25;

/** `probe` never throws by contract; if it does anyway, the failure still reads as a probe result. */
export async function probeOnce(client: CaracalClient, calls: CallCache, service: ServiceName, path: '/ready' | '/health'): Promise<ProbeResult> {
  const r = await calls.read(client, 'probe', service, path);
  if (r.ok) return r.value;
  return { service, configured: !!client.endpoints[service], ok: false, reason: r.error.code, ms: 0 };
}

export function createEvidenceGatherer(client: CaracalClient, input: GatherInput, calls: CallCache = new CallCache()): EvidenceGatherer {
  const memo = new Map<EvidenceKey, Promise<unknown>>();
  const arrived = new Map<EvidenceKey, unknown>();

  const zoneOf = async (): Promise<string | null> => (await get('location')).zoneId;
  const noZone = notApplicable('no_zone', 'no zone: the request was not located and no zone was given');
  /** The zone and its active policy set, which the version list and the activation status are read for. */
  const activeSet = async (): Promise<Fetched<{ zone: string; setId: string }>> => {
    const zone = await zoneOf();
    if (!zone) return noZone;
    const sets = await get('policySets');
    if (!sets.ok) return sets;
    const active = sets.value.find((s) => !!s.active_version_id);
    return active ? { ok: true, value: { zone, setId: active.id } } : notApplicable('no_active_policy_set', 'no policy set is active');
  };

  const producers: { [K in EvidenceKey]: () => Promise<TriageEvidence[K]> } = {
    readiness: () => Promise.all(SERVICES.map((s) => probeOnce(client, calls, s, '/ready'))),

    adminApi: () => calls.read(client, 'listZones'),

    metrics: async () => {
      const entries = await Promise.all(
        METRICS_SERVICES.map(async (s): Promise<[MetricsService, Fetched<Record<string, unknown>>]> => [
          s,
          client.endpoints[s] ? await calls.read(client, 'metricsJson', s) : notConfigured(`no ${s} URL configured`),
        ]),
      );
      return Object.fromEntries(entries) as Record<MetricsService, Fetched<Record<string, unknown>>>;
    },

    location: (): Promise<Location> => locateRequest(client, calls, input.requestId, input.zoneId),

    zone: async () => {
      const z = await zoneOf();
      return z ? calls.read(client, 'getZone', z) : noZone;
    },

    resources: async () => {
      const z = await zoneOf();
      return z ? calls.read(client, 'listResources', z) : noZone;
    },

    archivedResources: async () => {
      const [location, resources] = await Promise.all([get('location'), get('resources')]);
      const facts = requestFacts(location, resources);
      if (!location.zoneId) return noZone;
      if (!facts?.resourceIdentifier || !resources.ok || facts.resource) return notApplicable('not_relevant', 'only read when the request names a resource the active list lacks');
      return calls.read(client, 'listArchivedResources', location.zoneId);
    },

    application: async () => {
      const location = await get('location');
      const appId = requestFacts(location)?.applicationId;
      if (!location.zoneId) return noZone;
      if (!appId) return notApplicable('no_application', 'the trace names no application');
      return calls.read(client, 'getApplication', location.zoneId!, appId);
    },

    grants: async () => {
      const [location, resources] = await Promise.all([get('location'), get('resources')]);
      const facts = requestFacts(location, resources);
      if (!location.zoneId) return noZone;
      if (!facts?.resource) return notApplicable('no_resource', 'the request names no resource registered in the zone');
      const query = { ...(facts.applicationId ? { application_id: facts.applicationId } : {}), resource_id: facts.resource.id };
      return calls.read(client, 'listGrants', location.zoneId!, query);
    },

    zoneApplications: async () => {
      const zoneIds = await untracedUnauthenticatedZones();
      if (!Array.isArray(zoneIds)) return zoneIds;
      const lists = await Promise.all(zoneIds.map((z) => calls.read(client, 'listApplications', z).then((r) => ({ z, r }))));
      const read = lists.filter((l) => l.r.ok);
      if (read.length === 0) return lists[0]?.r.ok === false ? lists[0].r : noZone;
      return { ok: true, value: read.flatMap((l) => (l.r.ok ? l.r.value.map((application) => ({ zoneId: l.z, application })) : [])) };
    },

    zoneOverviews: async () => {
      const zoneIds = await untracedUnauthenticatedZones();
      if (!Array.isArray(zoneIds)) return zoneIds;
      const reads = await Promise.all(zoneIds.map((z) => calls.read(client, 'zoneOverview', z).then((r) => ({ z, r }))));
      const read = reads.filter((o) => o.r.ok);
      if (read.length === 0) return reads[0]?.r.ok === false ? reads[0].r : noZone;
      return { ok: true, value: read.flatMap((o) => (o.r.ok ? [{ zoneId: o.z, overview: o.r.value }] : [])) };
    },

    provider: async () => {
      const [location, resources] = await Promise.all([get('location'), get('resources')]);
      const pid = requestFacts(location, resources)?.resource?.credential_provider_id;
      if (!location.zoneId) return noZone;
      if (!pid) return notApplicable('no_provider', 'the request names no resource with a credential provider');
      return calls.read(client, 'getProvider', location.zoneId!, pid);
    },

    policySets: async () => {
      const z = await zoneOf();
      return z ? calls.read(client, 'listPolicySets', z) : noZone;
    },

    policyVersions: async () => {
      const a = await activeSet();
      return a.ok ? calls.read(client, 'listPolicyVersions', a.value.zone, a.value.setId) : a;
    },

    activation: async () => {
      const a = await activeSet();
      return a.ok ? calls.read(client, 'activationStatus', a.value.zone, a.value.setId) : a;
    },

    sessions: async () => {
      if (input.symptom !== 'access_after_revocation') return notApplicable('not_relevant', 'only read for access after revocation');
      const z = await zoneOf();
      return z ? calls.read(client, 'listSessions', z, { status: 'terminated' }) : noZone;
    },

    authorityRecords: async () => {
      if (input.symptom !== 'access_after_revocation') return notApplicable('not_relevant', 'only read for access after revocation');
      const z = await zoneOf();
      return z ? calls.read(client, 'listAuthorityRecords', z, { status: 'revoked' }) : noZone;
    },
  };

  /**
   * The zones whose applications could explain a 401 that left no trace (STS refuses an
   * expired application's credentials before it audits anything): the located or given zone,
   * else the zones searched, else every candidate zone. Not applicable otherwise.
   */
  async function untracedUnauthenticatedZones(): Promise<string[] | Fetched<never>> {
    if (input.symptom !== 'unauthenticated') return notApplicable('not_relevant', 'only read when a 401 left no trace');
    const location = await get('location');
    if (location.trace) return notApplicable('traced', 'the trace names the application');
    const zoneIds = location.zoneId
      ? [location.zoneId]
      : location.zonesSearched.length > 0
        ? location.zonesSearched
        : (await candidateZones(client, calls, null)).zoneIds;
    return zoneIds.slice(0, MAX_APPLICATION_ZONES);
  }

  function get<K extends EvidenceKey>(key: K): Promise<TriageEvidence[K]> {
    let p = memo.get(key) as Promise<TriageEvidence[K]> | undefined;
    if (!p) {
      p = producers[key]();
      memo.set(key, p);
      p.then((v) => arrived.set(key, v), () => undefined);
    }
    return p;
  }

  async function gather<K extends EvidenceKey>(keys: readonly K[]): Promise<EvidenceFor<K>> {
    const values = await Promise.all(keys.map((k) => get(k)));
    return Object.fromEntries(keys.map((k, i) => [k, values[i]])) as unknown as EvidenceFor<K>;
  }

  const peek = <K extends EvidenceKey>(key: K): TriageEvidence[K] | undefined => arrived.get(key) as TriageEvidence[K] | undefined;

  return { client, calls, get, peek, gather };
}
