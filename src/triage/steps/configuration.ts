/**
 * Step 2, configuration: the zone exists, the resource identifier the request named is
 * registered in it, and the application has not expired. A wrong resource or zone produces
 * denials that look like policy failures, so this is checked before policy. For a config
 * error the SDK's local profile is the usual culprit and only a person can read it.
 */
import { requestFacts, closest } from '../request-facts';
import { defineStep, fail, list, manual, pass, shown, unknown, whyUnavailable } from './step';

const SDK_PROFILE_CHECKLIST = [
  'CARACAL_WORKLOAD_ID is set to the application ID',
  'the workload secret source (CARACAL_WORKLOAD_SECRET or CARACAL_WORKLOAD_SECRET_FILE) exists and is readable',
  'CARACAL_STS_URL or CARACAL_ZONE_URL points at this deployment',
  'CARACAL_ENV names the intended environment',
];

export const configurationStep = defineStep({
  id: 'configuration',
  needs: ['location', 'zone', 'resources', 'application'],
  judge({ location, zone, resources, application }, ctx) {
    const zoneId = location.zoneId;
    const profile = ctx.symptom === 'config_error' ? { sdkProfileChecklist: SDK_PROFILE_CHECKLIST } : {};
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

    if (facts?.sts?.evaluationStatus === 'resource_not_found' || (facts?.resourceIdentifier && resources.ok && !facts.resource)) {
      const identifier = facts.resourceIdentifier ?? '(not recorded)';
      const known = resources.ok ? resources.value.filter((r) => !r.archived_at).map((r) => r.identifier) : [];
      const hint = facts.resourceIdentifier ? closest(facts.resourceIdentifier, known) : null;
      return fail(
        'configuration',
        'resource_not_found',
        `STS denied the exchange because ${identifier} is not a resource of zone ${zoneId}${hint ? ` (did you mean ${hint}?)` : ''}; fix the resource identifier the SDK or Gateway route uses, or register the resource.`,
        { ...evidence, requestedResource: identifier, registeredResources: known, ...(hint ? { didYouMean: hint } : {}) },
      );
    }
    if (facts?.resource?.archived_at) {
      return fail('configuration', 'resource_archived', `Resource ${facts.resource.identifier} was archived at ${facts.resource.archived_at}; restore it or point the SDK at its replacement.`, {
        ...evidence,
        resource: facts.resource,
      });
    }
    if (application.ok && application.value.expires_at && Date.parse(application.value.expires_at) <= ctx.now.getTime()) {
      return fail(
        'configuration',
        'application_expired',
        `Application ${application.value.name ?? application.value.id} expired at ${application.value.expires_at}; renew it or register a new one.`,
        { ...evidence, application: application.value },
      );
    }
    if (!resources.ok) {
      return unknown('configuration', `Zone ${zoneId} exists, but its resources could not be read: ${whyUnavailable(resources)}.`, { ...evidence, resources: shown(resources) }, resources.error.code);
    }
    if (ctx.symptom === 'config_error') {
      return manual('configuration', `Zone ${zoneId} is fine on the server side; check the SDK's runtime profile: ${SDK_PROFILE_CHECKLIST.join('; ')}.`, evidence);
    }
    if (!facts?.resource) {
      return pass('configuration', `Zone ${zoneId} exists with ${resources.value.length} resource(s): ${list(resources.value.map((r) => r.identifier))}.`, evidence);
    }
    const app = application.ok ? `; application ${application.value.name ?? application.value.id} is current` : '';
    return pass('configuration', `Zone ${zoneId} exists and ${facts.resource.identifier} is registered in it${app}.`, {
      ...evidence,
      resource: { id: facts.resource.id, identifier: facts.resource.identifier, scopes: facts.resource.scopes },
      ...(application.ok ? { application: application.value } : { application: shown(application) }),
    });
  },
});
