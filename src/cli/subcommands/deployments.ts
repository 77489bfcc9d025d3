/**
 * `caracal-triage deployments [--json]`: the Caracal deployments the bot serves
 * (CARACAL_DEPLOYMENTS_FILE, or `default` from the single-deployment variables), each with
 * whether its Admin API answers ready (`GET /ready`) and the zones its admin token sees (the
 * configured ones when a zone-scoped token cannot list them). Two reads per deployment, no Redis.
 *
 * `--json`: `{deployments: [{name, apiUrl, ready, zones, reason}]}`; `reason` says why one is
 * not ready (null when it is).
 *
 * Exit codes: 0 every deployment is ready; 1 one or more is not (unreachable, not ready); 2 could
 * not run (bad configuration).
 */
import { loadTerminalConfig } from '../../app/config';
import { createCaracalClient } from '../../caracal/client';
import type { DeploymentSettings } from '../../caracal/deployments-file';
import { describeError } from '../../caracal/errors';
import { outsideText, safeJson } from '../../render/outside-text';
import { readinessOf } from '../../triage/health';
import { EXIT_FINDING, EXIT_OK } from '../exit-codes';
import { createStyler } from '../style';
import type { CommandIo } from './triage';

export interface DeploymentRow {
  name: string;
  apiUrl: string;
  ready: boolean;
  zones: string[];
  reason: string | null;
}

async function look(d: DeploymentSettings): Promise<DeploymentRow> {
  const client = createCaracalClient(d.caracal);
  try {
    const [probe, zones] = await Promise.all([
      client.probe('api', '/ready'),
      client.listZones().then(
        (z) => ({ ok: true as const, ids: z.map((x) => x.id) }),
        (e: unknown) => ({ ok: false as const, error: describeError(e) }),
      ),
    ]);
    const readiness = readinessOf(probe);
    const ready = readiness.state === 'ready';
    // A zone-scoped token cannot list zones: its zones are the configured ones.
    const ids = zones.ok ? zones.ids : d.caracal.zoneIds;
    const tokenProblem = !zones.ok && zones.error.code !== 'admin_token_zone_mismatch' ? `zones could not be listed: ${zones.error.message}` : null;
    return { name: d.name, apiUrl: d.caracal.apiUrl, ready: ready && !tokenProblem, zones: ids, reason: ready ? tokenProblem : readiness.detail };
  } finally {
    await client.close();
  }
}

export async function runDeploymentsCommand(opts: { json?: boolean }, io: CommandIo): Promise<number> {
  const config = loadTerminalConfig(io.env);
  const rows = await Promise.all(config.deployments.deployments.map(look));
  const code = rows.every((r) => r.ready) ? EXIT_OK : EXIT_FINDING;
  if (opts.json) {
    io.stdout.write(safeJson({ deployments: rows }, 2) + '\n');
    return code;
  }
  const style = createStyler(io.stdout, io.env);
  const width = Math.min(40, Math.max(4, ...rows.map((r) => r.name.length)));
  const lines = [style('bold', `${'NAME'.padEnd(width)}  READY  ZONES  API`)];
  for (const r of rows) {
    const ready = r.ready ? style('green', 'yes  ') : style('red', 'no   ');
    lines.push(`${r.name.padEnd(width)}  ${ready}  ${String(r.zones.length).padEnd(5)}  ${outsideText(r.apiUrl)}`);
    if (r.reason) lines.push(style('gray', `${' '.repeat(width)}  ${outsideText(r.reason)}`));
  }
  io.stdout.write(lines.join('\n') + '\n');
  return code;
}
