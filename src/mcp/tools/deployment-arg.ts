/**
 * The optional `deployment` argument of triage_request, explain_error, get_bundle and
 * recent_denials, decided as the terminal decides `--deployment`
 * (src/cli/subcommands/deployment-choice.ts): a name that exists reads that deployment; an
 * unknown one is a tool error naming the deployments that exist (the terminal's exit 2); without
 * it, the only deployment, or, with several, a request looked for in every deployment
 * (src/triage/deployment-search.ts) and triaged in each that holds it. A tool with nothing to
 * look for (get_bundle, a triage without a request ID) asks for a name, as the terminal does.
 */
import { z } from 'zod';
import { quoted } from '../../render/outside-text';
import { notFoundSentence, searchDeployments, type DeploymentSearch } from '../../triage/deployment-search';
import type { Deployment, Deployments } from '../../triage/deployments';

/** Checked against the configured names by `named`, so an unknown one is answered in words, not as a schema error. */
export const DeploymentArg = z
  .string()
  .min(1)
  .max(80)
  .optional()
  .describe("The Caracal deployment to read: a name from the bot's deployments file (`caracal-triage deployments` lists them; `default` without one). Without it every deployment is read or searched.");

export type Picked = { ok: true; deployment: Deployment } | { ok: false; problem: string };

const names = (d: Deployments): string => d.names.join(', ');

/** The deployment named, or a sentence naming those that exist. */
export function named(deployments: Deployments, name: string): Picked {
  const d = deployments.get(name);
  return d ? { ok: true, deployment: d } : { ok: false, problem: `deployment ${quoted(name)}: no such deployment; the deployments are ${names(deployments)}` };
}

/** The deployment named, or the only one; with several and no name, a sentence asking for one (`what` reads one). */
export function oneDeployment(deployments: Deployments, name: string | undefined, what: string): Picked {
  if (name !== undefined) return named(deployments, name);
  if (deployments.only) return { ok: true, deployment: deployments.only };
  return { ok: false, problem: `${what} reads one deployment and the bot serves ${deployments.all.length} (${names(deployments)}): name one with deployment` };
}

export type TriageTargets = { ok: true; deployments: Deployment[]; search: DeploymentSearch | null } | { ok: false; problem: string };

/** The deployments a triage reads: the named or only one; else, with a request ID, every one that holds it (none: a sentence saying which were searched). */
export async function triageTargets(deployments: Deployments, name: string | undefined, requestId: string | null, zone: string | null): Promise<TriageTargets> {
  if (name !== undefined || deployments.only || requestId === null) {
    const one = oneDeployment(deployments, name, 'A triage without a request ID');
    return one.ok ? { ok: true, deployments: [one.deployment], search: null } : one;
  }
  const search = await searchDeployments(deployments.all, requestId, zone);
  const found = deployments.all.filter((d) => search.found.includes(d.name));
  if (found.length === 0) return { ok: false, problem: notFoundSentence(requestId, search, `Name it with deployment (one of ${names(deployments)}).`) };
  return { ok: true, deployments: found, search };
}
