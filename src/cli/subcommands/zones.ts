/**
 * `caracal-triage zones [--json]`: the zones the admin token sees, by name, slug and ID, so a
 * person can pass `--zone` (or a zone in chat) by the name they know. One Admin API read
 * (`GET /v1/zones`), no Redis. A zone-scoped token cannot list zones: the command says so and
 * names CARACAL_ZONE_IDS.
 *
 * Exit codes: 0 listed; 1 Caracal could not be read (unreachable, an error answer); 2 could not
 * run (bad configuration, the admin token rejected outright).
 */
import { loadTerminalConfig } from '../../app/config';
import { createCaracalClient } from '../../caracal/client';
import { namedDeployment } from './deployment-choice';
import { CaracalApiError, describeError } from '../../caracal/errors';
import { outsideText, safeJson } from '../../render/outside-text';
import { EXIT_CANNOT_RUN, EXIT_FINDING, EXIT_OK } from '../exit-codes';
import { createStyler } from '../style';
import type { CommandIo } from './triage';

export interface ZonesOptions {
  json?: boolean;
  /** The deployment whose zones to list (required when the bot serves several). */
  deployment?: string;
}

export async function runZonesCommand(opts: ZonesOptions, io: CommandIo): Promise<number> {
  const config = loadTerminalConfig(io.env);
  const client = createCaracalClient(namedDeployment(config.deployments.deployments, opts.deployment, 'zones').caracal);
  try {
    const zones = await client.listZones();
    const rows = zones.map((z) => ({ id: z.id, name: z.name ?? null, slug: z.slug ?? null })).sort((a, b) => (a.name ?? a.slug ?? a.id).localeCompare(b.name ?? b.slug ?? b.id));
    if (opts.json) {
      io.stdout.write(safeJson({ zones: rows }, 2) + '\n');
      return EXIT_OK;
    }
    if (rows.length === 0) {
      io.stdout.write('The admin token sees no zone.\n');
      return EXIT_OK;
    }
    const style = createStyler(io.stdout, io.env);
    const width = (pick: (r: (typeof rows)[number]) => string) => Math.min(40, Math.max(4, ...rows.map((r) => pick(r).length)));
    const name = (r: (typeof rows)[number]) => outsideText(r.name ?? '-');
    const slug = (r: (typeof rows)[number]) => outsideText(r.slug ?? '-');
    const [nw, sw] = [width(name), width(slug)];
    const lines = [style('bold', `${'NAME'.padEnd(nw)}  ${'SLUG'.padEnd(sw)}  ID`), ...rows.map((r) => `${name(r).padEnd(nw)}  ${slug(r).padEnd(sw)}  ${outsideText(r.id)}`)];
    lines.push('', style('gray', 'Any of the three works as --zone (and as the zone in chat; quote a name with spaces).'));
    io.stdout.write(lines.join('\n') + '\n');
    return EXIT_OK;
  } catch (e) {
    if (e instanceof CaracalApiError && e.status === 401) {
      io.stderr.write(`caracal-triage: Caracal rejected CARACAL_ADMIN_TOKEN (${e.status} ${outsideText(e.code)}); set a valid read token.\n`);
      return EXIT_CANNOT_RUN;
    }
    if (e instanceof CaracalApiError && e.code === 'admin_token_zone_mismatch') {
      io.stderr.write('caracal-triage: the admin token is zone-scoped and cannot list zones; its zones are the ones in CARACAL_ZONE_IDS.\n');
      return EXIT_FINDING;
    }
    io.stderr.write(`caracal-triage: could not list zones: ${outsideText(describeError(e).message)}\n`);
    return EXIT_FINDING;
  } finally {
    await client.close();
  }
}
