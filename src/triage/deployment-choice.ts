/**
 * Which deployment a command or a tool reads (src/triage/deployments.ts), decided alike for the
 * terminal's `--deployment` (src/cli/subcommands/deployment-choice.ts) and the MCP tools'
 * `deployment` argument (src/mcp/tools/deployment-arg.ts): the one named (an unknown name is a
 * sentence naming those that exist), the only one, or, for a triage of a request when the bot
 * serves several, every deployment whose zones hold it (searched first,
 * src/triage/deployment-search.ts). A read with nothing to search by must name one. Each caller
 * says how its users name a deployment (`how`), and turns a refusal into its own answer (exit 2,
 * a tool error).
 */
import { quoted } from '../render/outside-text';
import { searchDeployments, type DeploymentSearch } from './deployment-search';
import type { Deployment, Deployments } from './deployments';

/** How a caller's users name a deployment: the argument (`--deployment`, `deployment`) and how to tell them to give it. */
export interface NamingHow {
  arg: string;
  nameIt: string;
}

export type Choice<T> = { ok: true; deployment: T } | { ok: false; problem: string };

/** The deployment `name` names, or the only one; with several and no name, a sentence asking for one (`what` reads one). */
export function chooseDeployment<T extends { name: string }>(all: readonly T[], name: string | undefined, what: string, how: NamingHow): Choice<T> {
  const names = all.map((d) => d.name).join(', ');
  if (name !== undefined) {
    const hit = all.find((d) => d.name === name);
    return hit ? { ok: true, deployment: hit } : { ok: false, problem: `${how.arg} ${quoted(name)}: no such deployment; the deployments are ${names}` };
  }
  if (all.length === 1) return { ok: true, deployment: all[0]! };
  return { ok: false, problem: `${what} reads one deployment and the bot serves ${all.length} (${names}): name one with ${how.nameIt}` };
}

/** A triage's deployments: the named or only one (`search` null); else, with a request ID, those that hold it (none: an empty list beside the search, for the caller to say so). */
export type TriageTargets = { ok: true; deployments: Deployment[]; search: DeploymentSearch | null } | { ok: false; problem: string };

export async function chooseTriageTargets(deployments: Deployments, name: string | undefined, requestId: string | null, zone: string | null, how: NamingHow): Promise<TriageTargets> {
  if (name !== undefined || deployments.only || requestId === null) {
    const one = chooseDeployment(deployments.all, name, 'A triage without a request ID', how);
    return one.ok ? { ok: true, deployments: [one.deployment], search: null } : one;
  }
  const search = await searchDeployments(deployments.all, requestId, zone);
  return { ok: true, deployments: deployments.all.filter((d) => search.found.includes(d.name)), search };
}
