/**
 * Step 2, configuration: the zone exists, the resource identifier the request named is
 * registered in it, and the application has not expired. A wrong resource or zone produces
 * denials that look like policy failures, so this is checked before policy. An expired
 * application leaves no trace at all (STS refuses its credentials before auditing), so after a
 * 401 with no audit row the zones' applications are checked for one. For a config error the
 * SDK's local profile is the usual culprit and only a person can read it.
 */
import type { ApplicationView, Fetched, JudgeContext, ZoneApplicationView, ZoneOverviewView } from '../evidence-model';
import type { StepResult } from '../model';
import { requestFacts, closest } from '../request-facts';
import { count, defineStep, fail, list, manual, pass, shown, unknown, whyUnavailable } from './step';

const SDK_PROFILE_CHECKLIST = [
  'CARACAL_WORKLOAD_ID is set to the application ID',
  'the workload secret source (CARACAL_WORKLOAD_SECRET or CARACAL_WORKLOAD_SECRET_FILE) exists and is readable',
  'CARACAL_STS_URL or CARACAL_ZONE_URL points at this deployment',
  'CARACAL_ENV names the intended environment',
];

/** The caller got STS's own 401 (`access_denied`, or a bare 401): the application's credentials were refused. */
function stsCredentialsRefused(ctx: JudgeContext): boolean {
  return ctx.symptom === 'unauthenticated' && (!ctx.error?.code || ctx.error.code === 'access_denied');
}

const expired = (app: ApplicationView, at: number): boolean => !!app.expires_at && Date.parse(app.expires_at) <= at;

type Overviews = Fetched<Array<{ zoneId: string; overview: ZoneOverviewView }>>;

/** `applications.expired` per zone, as the API counts it (the database's clock, the one STS also uses). */
function expiredCounts(overviews: Overviews): Map<string, number> {
  const counts = new Map<string, number>();
  if (overviews.ok) for (const o of overviews.value) if (typeof o.overview.applications?.expired === 'number') counts.set(o.zoneId, o.overview.applications.expired);
  return counts;
}

/**
 * A 401 that left no audit row, with an expired application in the zones searched: STS looks
 * applications up with `expires_at > now()` and answers `invalid client credentials` before
 * auditing anything, so the expired application is the likely cause. The zone overviews'
 * `applications.expired` counts are read too: they confirm the applications list (a zone whose
 * overview counts none expired is not taken on our clock alone) and still show an expired
 * application when the list could not be read.
 */
function expiredWithoutTrace(apps: Fetched<ZoneApplicationView[]>, overviews: Overviews, ctx: JudgeContext): StepResult | null {
  const counts = expiredCounts(overviews);
  const overviewEvidence = counts.size > 0 ? { overviewExpired: Object.fromEntries(counts) } : {};
  const how = ctx.error?.code === 'access_denied' ? 'STS answered 401 `access_denied`' : 'The call got a 401';
  const why = 'which is how STS refuses an expired application (`invalid client credentials`, before auditing)';
  const hits = apps.ok ? apps.value.filter((a) => expired(a.application, ctx.now.getTime()) && counts.get(a.zoneId) !== 0) : [];
  if (hits.length > 0) {
    const named = hits.map((a) => `${a.application.name ?? a.application.id} (zone ${a.zoneId}, expired at ${a.application.expires_at})`);
    const confirmed = hits.every((a) => (counts.get(a.zoneId) ?? 0) > 0);
    return fail('configuration', 'application_expired', `${how} and audit has no row for it, ${why}. Expired: ${named.join('; ')}; renew the application the SDK uses or register a new one.`, {
      expiredApplications: hits.map((a) => ({ zoneId: a.zoneId, id: a.application.id, name: a.application.name ?? null, expires_at: a.application.expires_at })),
      ...overviewEvidence,
      confidence: hits.length === 1 && confirmed ? 'high' : hits.length === 1 ? 'medium' : 'low',
    });
  }
  const counted = [...counts].filter(([, n]) => n > 0);
  if (counted.length === 0) return null;
  const where = counted.map(([z, n]) => `zone ${z} counts ${count(n, 'expired application')}`).join('; ');
  const list = apps.ok ? 'its application list shows none expired by this clock' : `its applications could not be listed (${whyUnavailable(apps)})`;
  return fail('configuration', 'application_expired', `${how} and audit has no row for it, ${why}. The zone overview says so: ${where}, though ${list}; renew the application the SDK uses or register a new one.`, {
    ...overviewEvidence,
    ...(apps.ok ? {} : { applications: shown(apps) }),
    confidence: 'medium',
  });
}

export const configurationStep = defineStep({
  id: 'configuration',
  needs: ['location', 'zone', 'resources', 'archivedResources', 'application', 'zoneApplications', 'zoneOverviews'],
  judge({ location, zone, resources, archivedResources, application, zoneApplications, zoneOverviews }, ctx) {
    const zoneId = location.zoneId;
    const profile = ctx.symptom === 'config_error' ? { sdkProfileChecklist: SDK_PROFILE_CHECKLIST } : {};
    if (!location.trace && stsCredentialsRefused(ctx)) {
      const found = expiredWithoutTrace(zoneApplications, zoneOverviews, ctx);
      if (found) return found;
    }
    // The zone given matched no zone's ID, name or slug (locate.ts names the nearest ones).
    if (location.problem?.code === 'zone_not_found' || location.problem?.code === 'zone_not_resolved') {
      const found = location.problem.code === 'zone_not_found';
      const text = `The zone given: ${location.problem.message}${found ? '; fix the zone the command or the SDK profile names' : ''}.`;
      return found ? fail('configuration', 'zone_not_found', text, { zone: ctx.zoneId }) : unknown('configuration', text, { zone: ctx.zoneId }, 'zone_not_resolved');
    }
    if (!zoneId) {
      if (ctx.symptom === 'config_error') {
        return manual('configuration', `Check the SDK's runtime profile: ${SDK_PROFILE_CHECKLIST.join('; ')}.`, profile);
      }
      return unknown('configuration', 'No zone to check: give a request ID that audit knows, or --zone.', {}, 'no_zone');
    }
    if (!zone.ok) {
      if (zone.error.code === 'zone_not_found') {
        return fail('configuration', 'zone_not_found', `Zone ${zoneId} does not exist; fix the zone the SDK profile or the command names.`, { zoneId });
      }
      return unknown('configuration', `Could not read zone ${zoneId}: ${whyUnavailable(zone)}.`, { zone: shown(zone) }, zone.error.code);
    }
    const facts = requestFacts(location, resources);
    const evidence: Record<string, unknown> = { zone: { id: zone.value.id, name: zone.value.name ?? null }, ...profile };

    // STS does not find archived resources, and the active list does not show them: the archived list does.
    const archived =
      (facts?.resource?.archived_at ? facts.resource : null) ??
      (facts?.resourceIdentifier && archivedResources.ok ? (archivedResources.value.find((r) => r.identifier === facts.resourceIdentifier && r.archived_at) ?? null) : null);
    const allowed = facts?.sts?.decision === 'allow';
    if (facts?.sts?.evaluationStatus === 'resource_not_found' || (facts?.resourceIdentifier && resources.ok && !facts.resource && !allowed && !archived) || (archived && !allowed)) {
      const identifier = facts!.resourceIdentifier ?? '(not recorded)';
      if (archived) {
        return fail(
          'configuration',
          'resource_archived',
          `STS denied the exchange because ${identifier} was archived at ${archived.archived_at}, and STS does not find archived resources; restore it (its identifier stays reserved, so registering it again fails) or point the SDK or Gateway route at its replacement.`,
          { ...evidence, requestedResource: identifier, archivedResource: { id: archived.id, identifier: archived.identifier, archivedAt: archived.archived_at } },
        );
      }
      const known = resources.ok ? resources.value.filter((r) => !r.archived_at).map((r) => r.identifier) : [];
      const hint = facts!.resourceIdentifier ? closest(facts!.resourceIdentifier, known) : null;
      // The archived list could not be read: "not a resource" would be a guess.
      const unsure = !archivedResources.ok && archivedResources.error.kind !== 'not_applicable' ? ` (the archived resources could not be read: ${whyUnavailable(archivedResources)}; it may be archived)` : '';
      return fail(
        'configuration',
        'resource_not_found',
        `STS denied the exchange because ${identifier} is not an active resource of zone ${zoneId}${hint ? ` (did you mean ${hint}?)` : ''}${unsure}; fix the resource identifier the SDK or Gateway route uses, or register the resource.`,
        { ...evidence, requestedResource: identifier, registeredResources: known, ...(hint ? { didYouMean: hint } : {}), ...(unsure ? { archivedResources: shown(archivedResources) } : {}) },
      );
    }
    const allowedAt = allowed && facts?.sts?.occurredAt ? Date.parse(facts.sts.occurredAt) : null;
    const archivedLater = allowedAt !== null && !!archived?.archived_at && Date.parse(archived.archived_at) > allowedAt;
    if (archived?.archived_at && !archivedLater) {
      return fail('configuration', 'resource_archived', `Resource ${archived.identifier} was archived at ${archived.archived_at}; restore it or point the SDK at its replacement.`, {
        ...evidence,
        archivedResource: { id: archived.id, identifier: archived.identifier, archivedAt: archived.archived_at },
      });
    }
    // An allowed request made before the application expired (or the resource was archived) was not refused for it.
    // "Expired since" needs both halves: expired now, and not yet expired when STS allowed the request.
    const appNow = application.ok ? application.value : null;
    const expiredNow = !!appNow && expired(appNow, ctx.now.getTime());
    const expiredLater = !!appNow && expiredNow && allowedAt !== null && !expired(appNow, allowedAt);
    if (appNow && expiredNow && !expiredLater) {
      return fail(
        'configuration',
        'application_expired',
        `Application ${appNow.name ?? appNow.id} expired at ${appNow.expires_at}, so STS no longer accepts its credentials; renew it or register a new one.`,
        { ...evidence, application: appNow, confidence: 'high' },
      );
    }
    if (!resources.ok) {
      return unknown('configuration', `Zone ${zoneId} exists, but its resources could not be read: ${whyUnavailable(resources)}.`, { ...evidence, resources: shown(resources) }, resources.error.code);
    }
    if (ctx.symptom === 'config_error') {
      return manual('configuration', `Zone ${zoneId} is fine on the server side; check the SDK's runtime profile: ${SDK_PROFILE_CHECKLIST.join('; ')}.`, evidence);
    }
    if (archived && archivedLater) {
      return pass('configuration', `Zone ${zoneId} exists; ${archived.identifier} was archived at ${archived.archived_at}, after STS allowed this request, so new calls to it will be refused.`, {
        ...evidence,
        archivedResource: { id: archived.id, identifier: archived.identifier, archivedAt: archived.archived_at },
      });
    }
    if (!facts?.resource) {
      return pass('configuration', `Zone ${zoneId} exists with ${count(resources.value.length, 'resource')}: ${list(resources.value.map((r) => r.identifier))}.`, evidence);
    }
    const app = !application.ok
      ? ''
      : expiredLater
        ? `; application ${application.value.name ?? application.value.id} has expired since (at ${application.value.expires_at}), so new calls will be refused`
        : `; application ${application.value.name ?? application.value.id} is current`;
    return pass('configuration', `Zone ${zoneId} exists and ${facts.resource.identifier} is registered in it${app}.`, {
      ...evidence,
      resource: { id: facts.resource.id, identifier: facts.resource.identifier, scopes: facts.resource.scopes },
      ...(application.ok ? { application: application.value } : { application: shown(application) }),
    });
  },
});
