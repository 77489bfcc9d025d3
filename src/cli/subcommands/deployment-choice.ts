/**
 * Which deployment a terminal command reads (src/triage/deployments.ts): the one `--deployment`
 * names (an unknown name is exit 2 naming those that exist), the only one, or, for a triage of
 * a request when the bot serves several, every deployment whose zones hold it (searched first,
 * src/triage/deployment-search.ts). A command with nothing to search by (no request ID, `bundle`,
 * `zones`) must name one.
 */
import { loadTerminalConfig } from '../../app/config';
import { quoted } from '../../render/outside-text';
import type { LinksConfig } from '../../report/config';
import { searchDeployments, type DeploymentSearch } from '../../triage/deployment-search';
import { openDeployments, type Deployment, type Deployments } from '../../triage/deployments';
import { UsageError } from '../exit-codes';

/** The deployments the command's settings name (checked before anything runs), and where links point. */
export function openTerminalDeployments(env: NodeJS.ProcessEnv): { deployments: Deployments; links: LinksConfig } {
  const config = loadTerminalConfig(env);
  return { deployments: openDeployments(config.deployments.deployments, config.secrets), links: config.links };
}

/** The deployment `--deployment` names, or the only one; with several and no name, a UsageError saying to name one. */
export function namedDeployment<T extends { name: string }>(all: readonly T[], name: string | undefined, what: string): T {
  const names = all.map((d) => d.name).join(', ');
  if (name !== undefined) {
    const hit = all.find((d) => d.name === name);
    if (!hit) throw new UsageError(`--deployment ${quoted(name)}: no such deployment; the deployments are ${names}`);
    return hit;
  }
  if (all.length === 1) return all[0]!;
  throw new UsageError(`${what} reads one deployment and the bot serves ${all.length} (${names}): name one with --deployment NAME`);
}

export type Targets = { deployments: Deployment[]; search: DeploymentSearch | null } | { deployments: []; search: DeploymentSearch };

/**
 * The deployments a triage reads: the named or only one; else, with a request ID, those that
 * hold it (none: the caller says which were searched and asks for --deployment).
 */
export async function triageTargets(deployments: Deployments, name: string | undefined, requestId: string | null, zone: string | null): Promise<Targets> {
  if (name !== undefined || deployments.only || requestId === null) return { deployments: [namedDeployment(deployments.all, name, 'A triage without a request ID')], search: null };
  const search = await searchDeployments(deployments.all, requestId, zone);
  return { deployments: deployments.all.filter((d) => search.found.includes(d.name)), search };
}
