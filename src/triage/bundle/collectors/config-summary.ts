/**
 * Bundle item `config_summary`: which Caracal endpoints the bot uses, which zones it may see
 * and which one is selected, and what the user gave. There is no remote source for the SDK's
 * runtime profile, so the item says what to collect from the caller by hand.
 */
import { SERVICES } from '../../../caracal/client-api';
import { check, item, statusOf, type Check } from '../checks';
import type { Collector } from '../source';
import { count } from '../../steps/step';

const SDK_PROFILE = ['CARACAL_WORKLOAD_ID', 'CARACAL_WORKLOAD_SECRET / CARACAL_WORKLOAD_SECRET_FILE', 'CARACAL_STS_URL / CARACAL_ZONE_URL', 'CARACAL_ENV'];

export const collectConfigSummary: Collector = async (src) => {
  const { client, calls } = src.gatherer;
  const zones = await calls.read(client, 'listZones');
  const location = await src.gatherer.get('location');
  const checks: Check[] = [];
  const endpoints = Object.fromEntries(SERVICES.map((s) => [s, client.endpoints[s] ?? null]));
  checks.push(check('endpoints', 'ok', SERVICES.map((s) => `${s}: ${client.endpoints[s] ? 'configured' : 'not configured'}`).join(', ')));
  if (zones.ok) {
    checks.push(check('zone visibility', 'ok', `admin token sees ${count(zones.value.length, 'zone')}`));
  } else if (zones.error.code === 'admin_token_zone_mismatch') {
    checks.push(
      client.configuredZoneIds.length > 0
        ? check('zone visibility', 'ok', `zone-scoped admin token; zones from CARACAL_ZONE_IDS: ${client.configuredZoneIds.join(', ')}`)
        : check('zone visibility', 'warn', 'zone-scoped admin token and no CARACAL_ZONE_IDS: requests can only be found with --zone'),
    );
  } else {
    checks.push(check('zone visibility', 'warn', `zones could not be listed: ${zones.error.message}`));
  }
  const selected = location.zoneId;
  checks.push(check('selected zone', selected ? 'ok' : 'unknown', selected ? `${selected} (${src.zoneId ? 'given' : 'where the request was found'})` : 'none selected'));
  return item('config_summary', statusOf(checks), `${Object.values(endpoints).filter(Boolean).length} of ${SERVICES.length} Caracal endpoints configured; ${selected ? `selected zone ${selected}` : 'no zone selected (all visible zones)'}.`, {
    ...(src.deployment ? { deployment: src.deployment } : {}),
    endpoints,
    configuredZoneIds: [...client.configuredZoneIds],
    selectedZone: selected,
    zoneSource: location.zoneSource,
    requestId: src.requestId,
    symptom: src.symptom,
    ...(src.error ? { error: { code: src.error.code, status: src.error.status, symptom: src.error.symptom } } : {}),
    sdkRuntimeProfile: { visibleRemotely: false, askTheCallerFor: SDK_PROFILE },
    checks,
  });
};
