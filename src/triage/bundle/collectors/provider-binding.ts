/**
 * Bundle item `provider_binding`: Provider Preflight rebuilt from API reads for
 * the request's resource: the resource and its credential provider, the application's expiry,
 * requested scopes against the resource, the grant, and a dry-run policy simulate. Simulate
 * needs a write token and a live STS: a read token gets 403 `admin_token_read_only`, reported
 * as a check that could not run, never as a failure.
 */
import { requestFacts } from '../../request-facts';
import type { Fetched } from '../../evidence-model';
import { check, countLine, item, statusOf, unavailable, type Check } from '../checks';
import type { BundleSource, Collector } from '../source';
import { count } from '../../steps/step';

async function simulateCheck(src: BundleSource, zoneId: string, policyInput: Record<string, unknown> | null): Promise<Check> {
  const sets = await src.gatherer.get('policySets');
  if (!sets.ok) return check('policy simulate', 'unknown', `policy sets unavailable: ${sets.error.code}`);
  const active = sets.value.find((s) => !!s.active_version_id);
  if (!active) return check('policy simulate', 'fail', 'no active policy set to simulate');
  const { client, calls } = src.gatherer;
  const body = { version_id: active.active_version_id!, ...(policyInput ? { input: policyInput } : {}) };
  const sim: Fetched<Record<string, unknown>> = await calls.read(client, 'simulate', zoneId, active.id, body);
  if (!sim.ok) {
    if (sim.error.code === 'admin_token_read_only') return check('policy simulate', 'unknown', 'a read-only admin token cannot simulate (needs a write token)');
    return check('policy simulate', 'unknown', `${sim.error.code}: ${sim.error.message}`);
  }
  const result = sim.value.result as { decision?: string } | null | undefined;
  const explanation = sim.value.explanation as { evaluation?: string; reason?: string } | undefined;
  if (!result) return check('policy simulate', 'unknown', `not executed: ${explanation?.reason ?? explanation?.evaluation ?? 'no result'}`);
  return check('policy simulate', result.decision === 'allow' ? 'ok' : 'fail', `decision ${result.decision ?? 'unknown'}`);
}

export const collectProviderBinding: Collector = async (src) => {
  const { gatherer } = src;
  const [location, resources] = await Promise.all([gatherer.get('location'), gatherer.get('resources')]);
  const facts = requestFacts(location, resources);
  if (!location.zoneId || !facts) {
    return unavailable('provider_binding', 'No resource to check: give a request ID whose trace names a resource.', location.problem ?? undefined);
  }
  if (!resources.ok) return unavailable('provider_binding', `The zone's resources could not be read: ${resources.error.message}`, resources.error);
  if (!facts.resourceIdentifier) {
    return unavailable('provider_binding', `The trace of ${facts.trace.requestId} names no resource (STS denied it before looking one up), so there is no binding to check.`);
  }
  const resource = facts.resource;
  const checks: Check[] = [];
  if (!resource) {
    checks.push(check('resource', 'fail', `${facts.resourceIdentifier} is not registered in zone ${location.zoneId}`));
    return item('provider_binding', 'fail', checks[0]!.detail, { checks });
  }
  checks.push(check('resource', 'ok', `${resource.identifier} (${resource.id})`));

  // Everything below depends only on the trace and the resource list: read it all at once.
  const [provider, application, grants, simulate] = await Promise.all([
    gatherer.get('provider'),
    gatherer.get('application'),
    gatherer.get('grants'),
    simulateCheck(src, location.zoneId, facts.sts?.policyInput ?? null),
  ]);

  const pid = resource.credential_provider_id;
  if (!pid) checks.push(check('provider binding', 'ok', 'no credential provider bound'));
  else if (!provider.ok) {
    checks.push(check('provider binding', provider.error.code === 'provider_not_found' || provider.error.status === 404 ? 'fail' : 'unknown', `${pid}: ${provider.error.code}`));
  } else if (provider.value.connectivity_failed_at) {
    checks.push(check('provider binding', 'warn', `${provider.value.identifier ?? pid} (${provider.value.kind ?? '?'}) last failed connectivity at ${provider.value.connectivity_failed_at}`));
  } else checks.push(check('provider binding', 'ok', `${provider.value.identifier ?? pid} (${provider.value.kind ?? '?'})`));

  if (application.ok) {
    const expired = application.value.expires_at && Date.parse(application.value.expires_at) <= src.now().getTime();
    checks.push(check('application', expired ? 'fail' : 'ok', expired ? `expired at ${application.value.expires_at}` : `${application.value.name ?? application.value.id} is current`));
  } else checks.push(check('application', 'unknown', application.error.message));

  const requested = facts.requestedScopes;
  if (requested) {
    const undefinedScopes = requested.filter((s) => !resource.scopes.includes(s));
    checks.push(check('scopes', undefinedScopes.length > 0 ? 'fail' : 'ok', undefinedScopes.length > 0 ? `not defined on the resource: ${undefinedScopes.join(', ')}` : `${requested.join(', ')} defined`));
  } else {
    checks.push(check('scopes', facts.sts?.evaluationStatus === 'scope_mismatch' ? 'fail' : 'unknown', facts.sts?.evaluationStatus === 'scope_mismatch' ? 'STS reported scope_mismatch' : 'the trace does not record requested scopes'));
  }

  if (grants.ok) {
    const active = grants.value.filter((g) => g.status === 'active');
    const covered = new Set(active.flatMap((g) => g.scopes));
    const missing = (requested ?? []).filter((s) => !covered.has(s));
    checks.push(
      active.length === 0
        ? check('grant', 'fail', 'no active grant binds the application to the resource')
        : check('grant', missing.length > 0 ? 'warn' : 'ok', missing.length > 0 ? `the active ${active.length === 1 ? 'grant lacks' : 'grants lack'} ${missing.join(', ')}` : `${count(active.length, 'active grant')}`),
    );
  } else checks.push(check('grant', 'unknown', grants.error.message));

  checks.push(simulate);
  return item('provider_binding', statusOf(checks), `Provider preflight for ${resource.identifier}: ${countLine(checks)}.`, { checks });
};
