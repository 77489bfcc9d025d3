/**
 * Whether Caracal rejected the bot's admin token outright, as opposed to one endpoint refusing
 * it. Every Admin API route (`/v1/*`) authenticates the token before anything else, so a token
 * Caracal does not know answers 401 everywhere, while a token it knows gets a real answer
 * (data, or a 403/404/429) from at least one route.
 *
 * The rule: the token is rejected outright when at least one Admin API read answered 401 and
 * none answered anything else (no data, no other status). A read that timed out or could not be
 * read says nothing about the token either way. One 401 among readable answers (say, only the
 * grants list) is that endpoint's refusal: the steps that need it are `unknown` with its code,
 * and the triage goes on.
 *
 * The watch wraps the client a session reads through and only observes: answers and errors
 * pass through unchanged.
 */
import type { CaracalClient } from '../caracal/client-api';
import { CaracalApiError } from '../caracal/errors';

export class AdminTokenWatch {
  /** Some Admin API read got an answer that was not a 401: Caracal knows the token. */
  private accepted = false;
  private firstRejection: CaracalApiError | null = null;

  /** The first 401, when every Admin API answer so far was a 401; null otherwise. */
  get outrightRejection(): CaracalApiError | null {
    return this.accepted ? null : this.firstRejection;
  }

  observe<T>(read: Promise<T>): Promise<T> {
    read.then(
      () => {
        this.accepted = true;
      },
      (e: unknown) => {
        // Timeouts and unreadable bodies say nothing about the token; only API answers count.
        if (!(e instanceof CaracalApiError)) return;
        if (e.status === 401) this.firstRejection ??= e;
        else this.accepted = true;
      },
    );
    return read;
  }
}

/** The same client with every Admin API read observed by `watch` (probes and metrics are not Admin API reads). */
export function watchAdminToken(client: CaracalClient, watch: AdminTokenWatch): CaracalClient {
  const w = <T>(read: () => Promise<T>): Promise<T> => watch.observe(read());
  return {
    endpoints: client.endpoints,
    configuredZoneIds: client.configuredZoneIds,
    probe: (service, path) => client.probe(service, path),
    metricsJson: (service) => client.metricsJson(service),
    coordinatorStats: () => client.coordinatorStats(),
    listZones: () => w(() => client.listZones()),
    getZone: (z) => w(() => client.getZone(z)),
    zoneOverview: (z) => w(() => client.zoneOverview(z)),
    explain: (z, rid) => w(() => client.explain(z, rid)),
    listAudit: (z, q) => w(() => client.listAudit(z, q)),
    auditForRequest: (z, rid) => w(() => client.auditForRequest(z, rid)),
    listAdminAudit: (z, q) => w(() => client.listAdminAudit(z, q)),
    listResources: (z) => w(() => client.listResources(z)),
    listArchivedResources: (z) => w(() => client.listArchivedResources(z)),
    getResource: (z, id) => w(() => client.getResource(z, id)),
    listApplications: (z) => w(() => client.listApplications(z)),
    getApplication: (z, id) => w(() => client.getApplication(z, id)),
    getProvider: (z, id) => w(() => client.getProvider(z, id)),
    listGrants: (z, q) => w(() => client.listGrants(z, q)),
    listPolicySets: (z) => w(() => client.listPolicySets(z)),
    listPolicyVersions: (z, id) => w(() => client.listPolicyVersions(z, id)),
    activationStatus: (z, id) => w(() => client.activationStatus(z, id)),
    listSessions: (z, q) => w(() => client.listSessions(z, q)),
    listAuthorityRecords: (z, q) => w(() => client.listAuthorityRecords(z, q)),
    simulate: (z, id, body) => w(() => client.simulate(z, id, body)),
  };
}
