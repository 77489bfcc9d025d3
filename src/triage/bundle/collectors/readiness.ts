/**
 * Bundle item `readiness`: the Console Doctor's health and readiness sections, rebuilt from
 * public endpoints: API health and clock skew (from its `Date` header),
 * admin auth ("N zone(s) visible"), `/ready` of each configured service, and the Doctor's
 * metric rules on `/metrics.json` and Coordinator `/stats`.
 */
import type { ServiceName } from '../../../caracal/client-api';
import { probeOnce } from '../../evidence';
import type { ProbeResult } from '../../../caracal/client-api';
import { describeUnreadable, UNREADABLE_REASONS } from '../../../caracal/errors';
import {
  apiAccessOf,
  auditMetricFindings,
  coordinatorStatsFindings,
  readinessOf,
  stsMetricFindings,
  type MetricFinding,
} from '../../health';
import type { Fetched } from '../../evidence-model';
import { check, countLine, item, statusOf, type Check } from '../checks';
import type { Collector } from '../source';

/** The Doctor's clock-skew thresholds. */
const SKEW_WARN_S = 2;
const SKEW_FAIL_S = 30;

function metricsCheck(service: ServiceName, fetched: Fetched<Record<string, unknown>>, rules: (m: Record<string, unknown>) => MetricFinding[]): Check {
  const name = `${service} metrics`;
  if (!fetched.ok) {
    const why = fetched.error.status === 401 ? 'rejected the metrics bearer (set CARACAL_METRICS_BEARER)' : fetched.error.message;
    return check(name, 'warn', `unavailable: ${why}`);
  }
  const findings = rules(fetched.value);
  if (findings.length === 0) return check(name, 'ok', 'no Doctor threshold crossed');
  const worst = findings.some((f) => f.status === 'fail') ? 'fail' : 'warn';
  return check(name, worst, findings.map((f) => f.detail).join('; '));
}

/** What `GET /health` got: the status and reason, what made it unreadable, how the connection failed. */
function healthDetail(p: ProbeResult): string {
  const unreadable = p.unreadable && (UNREADABLE_REASONS as readonly string[]).includes(p.unreadable) ? describeUnreadable(p.unreadable) : null;
  const parts = [p.status === undefined ? '' : String(p.status), p.reason ?? 'unreachable', unreadable ? `(${unreadable})` : '', p.detail && (!unreadable || p.unreadable === 'redirected') ? `(${p.detail})` : ''];
  return parts.filter(Boolean).join(' ');
}

export const collectReadiness: Collector = async (src) => {
  const { client, calls } = src.gatherer;
  const [health, zones, probes, metrics, stats] = await Promise.all([
    probeOnce(client, calls, 'api', '/health'),
    calls.read(client, 'listZones'),
    src.gatherer.get('readiness'),
    src.gatherer.get('metrics'),
    client.endpoints.coordinator ? calls.read(client, 'coordinatorStats') : Promise.resolve(null),
  ]);
  const checks: Check[] = [];

  checks.push(health.ok ? check('api health', 'ok', 'reachable') : check('api health', 'fail', healthDetail(health)));
  if (health.date) {
    // Measured at the answer's arrival: an answer the shared read cache serves again is older.
    const age = health.receivedAtMs === undefined ? 0 : Math.max(0, Date.now() - health.receivedAtMs);
    const skewS = Math.round((src.now().getTime() - age - Date.parse(health.date)) / 1000);
    const abs = Math.abs(skewS);
    checks.push(check('clock skew', abs >= SKEW_FAIL_S ? 'fail' : abs >= SKEW_WARN_S ? 'warn' : 'ok', `~${skewS}s vs api (HTTP Date resolution ~1s)`));
  } else {
    checks.push(check('clock skew', 'unknown', 'the API sent no Date header'));
  }
  const access = apiAccessOf(zones);
  if (zones.ok) checks.push(check('admin auth', 'ok', `${zones.value.length} zone(s) visible` /* the Doctor's own wording */));
  else if (zones.error.code === 'admin_token_zone_mismatch') checks.push(check('admin auth', 'ok', 'zone-scoped token (cannot list zones; uses CARACAL_ZONE_IDS)'));
  // The Admin API cannot be read at all: a failure, named (timeout, refused, HTML, too large, redirect).
  else if (access) checks.push(check('admin api', 'fail', `${access.cause} (${access.reason}): ${zones.error.message}`));
  else checks.push(check('admin auth', zones.error.kind === 'api' ? 'fail' : 'unknown', `${zones.error.code}: ${zones.error.message}`));

  const notConfigured: string[] = [];
  for (const p of probes) {
    const r = readinessOf(p);
    if (r.state === 'not_configured') {
      notConfigured.push(p.service);
      continue;
    }
    const status = r.state === 'ready' ? 'ok' : r.state === 'unknown' ? 'warn' : 'fail';
    checks.push(check(`${p.service} readiness`, status, r.detail));
  }
  if (client.endpoints.sts) checks.push(metricsCheck('sts', metrics.sts, stsMetricFindings));
  // The Doctor's Gateway rule is always ok (it reads a metric the Gateway does not publish); show reachability only.
  if (client.endpoints.gateway) checks.push(metricsCheck('gateway', metrics.gateway, () => []));
  if (client.endpoints.audit) checks.push(metricsCheck('audit', metrics.audit, auditMetricFindings));
  if (stats) checks.push(metricsCheck('coordinator', stats as Fetched<Record<string, unknown>>, coordinatorStatsFindings));

  const status = statusOf(checks);
  const failing = checks.filter((c) => c.status === 'fail').map((c) => c.check);
  return item(
    'readiness',
    status,
    `${countLine(checks)}${failing.length > 0 ? `; failing: ${failing.join(', ')}` : ''}${notConfigured.length > 0 ? `; not configured: ${notConfigured.join(', ')}` : ''}.`,
    { checks, notConfigured },
  );
};
