/**
 * Bundle item `zones`: the Doctor's zones section: per visible zone, lookup,
 * resources ("none registered" / "N registered"), policy sets ("N active" or "N registered;
 * none active", both ok as in the Doctor) and an audit query; `zone inventory` warns when no
 * zone is visible. Zone-scoped tokens use CARACAL_ZONE_IDS.
 */
import { candidateZones } from '../../locate';
import { check, countLine, item, statusOf, unavailable, type Check } from '../checks';
import type { Collector } from '../source';
import { count } from '../../steps/step';

/** Bound the per-zone calls (4 each) on deployments with many zones. */
const MAX_ZONES = 25;
const FORBIDDEN = new Set(['admin_token_zone_mismatch', 'zone_forbidden']);

export const collectZones: Collector = async (src) => {
  const { client, calls } = src.gatherer;
  const c = await candidateZones(client, calls, src.zoneId);
  if (c.problem) return unavailable('zones', `Zones could not be listed: ${c.problem.message}`, c.problem);
  if (c.zoneIds.length === 0) return item('zones', 'warn', 'No zone is visible to the admin token.', { checks: [check('zone inventory', 'warn', 'no zones')] });

  const zoneIds = c.zoneIds.slice(0, MAX_ZONES);
  const perZone = await Promise.all(
    zoneIds.map(async (z): Promise<Check[]> => {
      const [zone, resources, sets, audit] = await Promise.all([
        calls.read(client, 'getZone', z),
        calls.read(client, 'listResources', z),
        calls.read(client, 'listPolicySets', z),
        calls.read(client, 'listAudit', z, { limit: 1 }),
      ]);
      // A zone-scoped token names its zone in CARACAL_ZONE_IDS; another zone there is a setup slip, not a broken zone.
      if (!zone.ok && FORBIDDEN.has(zone.error.code)) {
        return [check(`${z} lookup`, 'warn', `not readable with this admin token (${zone.error.code}); remove it from CARACAL_ZONE_IDS or use a token for it`)];
      }
      const out: Check[] = [];
      out.push(zone.ok ? check(`${z} lookup`, 'ok', `${z}${zone.value.name ? ` (${zone.value.name})` : ''}`) : check(`${z} lookup`, 'fail', zone.error.code));
      out.push(
        resources.ok
          ? check(`${z} resources`, 'ok', resources.value.length === 0 ? 'none registered' : `${resources.value.length} registered`)
          : check(`${z} resources`, 'fail', resources.error.code),
      );
      if (sets.ok) {
        const active = sets.value.filter((s) => !!s.active_version_id).length;
        out.push(check(`${z} policy sets`, 'ok', active > 0 ? `${active} active` : `${sets.value.length} registered; none active`));
      } else out.push(check(`${z} policy sets`, 'fail', sets.error.code));
      out.push(audit.ok ? check(`${z} audit query`, 'ok', 'queryable') : check(`${z} audit query`, 'fail', audit.error.code));
      return out;
    }),
  );
  const checks = perZone.flat();
  const skipped = c.zoneIds.length - zoneIds.length;
  return item('zones', statusOf(checks), `${count(zoneIds.length, 'zone')} checked (${c.source})${skipped > 0 ? `, ${skipped} more not checked` : ''}: ${countLine(checks)}.`, {
    zoneSource: c.source,
    zoneIds,
    checks,
  });
};
