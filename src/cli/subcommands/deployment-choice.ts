/**
 * Which deployment a terminal command reads (src/triage/deployments.ts): the one `--deployment`
 * names (an unknown name is exit 2 naming those that exist), the only one, or, for a triage of
 * a request when the bot serves several, every deployment whose zones hold it (searched first,
 * src/triage/deployment-search.ts). A command with nothing to search by (no request ID, `bundle`,
 * `zones`) must name one. The choice is src/triage/deployment-choice.ts's, as the MCP tools make
 * it; here a refusal is a UsageError (exit 2).
 */
import { loadTerminalConfig } from '../../app/config';
import type { LinksConfig } from '../../report/config';
import { chooseDeployment, chooseTriageTargets, type NamingHow } from '../../triage/deployment-choice';
import type { DeploymentSearch } from '../../triage/deployment-search';
import { openDeployments, type Deployment, type Deployments } from '../../triage/deployments';
import { UsageError } from '../exit-codes';

/** The deployments the command's settings name (checked before anything runs), and where links point. */
export function openTerminalDeployments(env: NodeJS.ProcessEnv): { deployments: Deployments; links: LinksConfig } {
  const config = loadTerminalConfig(env);
  return { deployments: openDeployments(config.deployments.deployments, config.secrets), links: config.links };
}

/** How the terminal names a deployment. */
const FLAG: NamingHow = { arg: '--deployment', nameIt: '--deployment NAME' };

/** The deployment `--deployment` names, or the only one; with several and no name, a UsageError saying to name one. */
export function namedDeployment<T extends { name: string }>(all: readonly T[], name: string | undefined, what: string): T {
  const chosen = chooseDeployment(all, name, what, FLAG);
  if (!chosen.ok) throw new UsageError(chosen.problem);
  return chosen.deployment;
}

export type Targets = { deployments: Deployment[]; search: DeploymentSearch | null } | { deployments: []; search: DeploymentSearch };

/**
 * The deployments a triage reads: the named or only one; else, with a request ID, those that
 * hold it (none: the caller says which were searched and asks for --deployment).
 */
export async function triageTargets(deployments: Deployments, name: string | undefined, requestId: string | null, zone: string | null): Promise<Targets> {
  const targets = await chooseTriageTargets(deployments, name, requestId, zone, FLAG);
  if (!targets.ok) throw new UsageError(targets.problem);
  return { deployments: targets.deployments, search: targets.search };
}
