/**
 * The optional `deployment` argument of triage_request, explain_error, get_bundle and
 * recent_denials, decided as the terminal decides `--deployment`
 * (src/cli/subcommands/deployment-choice.ts): a name that exists reads that deployment; an
 * unknown one is a tool error naming the deployments that exist (the terminal's exit 2); without
 * it, the only deployment, or, with several, a request looked for in every deployment
 * (src/triage/deployment-search.ts) and triaged in each that holds it. A tool with nothing to
 * look for (get_bundle, a triage without a request ID) asks for a name, as the terminal does. The
 * choice is src/triage/deployment-choice.ts's; here a refusal is a tool error.
 */
import { z } from 'zod';
import { chooseDeployment, chooseTriageTargets, type Choice, type NamingHow, type TriageTargets } from '../../triage/deployment-choice';
import { notFoundSentence } from '../../triage/deployment-search';
import type { Deployment, Deployments } from '../../triage/deployments';

/** Checked against the configured names by `named`, so an unknown one is answered in words, not as a schema error. */
export const DeploymentArg = z
  .string()
  .min(1)
  .max(80)
  .optional()
  .describe("The Caracal deployment to read: a name from the bot's deployments file (`caracal-triage deployments` lists them; `default` without one). Without it every deployment is read or searched.");

export type Picked = Choice<Deployment>;

/** How a tool's caller names a deployment. */
const ARG: NamingHow = { arg: 'deployment', nameIt: 'deployment' };

/** The deployment named, or a sentence naming those that exist. */
export function named(deployments: Deployments, name: string): Picked {
  return chooseDeployment(deployments.all, name, '', ARG);
}

/** The deployment named, or the only one; with several and no name, a sentence asking for one (`what` reads one). */
export function oneDeployment(deployments: Deployments, name: string | undefined, what: string): Picked {
  return chooseDeployment(deployments.all, name, what, ARG);
}

/** The deployments a triage reads (src/triage/deployment-choice.ts); found in none, a sentence saying which were searched. */
export async function triageTargets(deployments: Deployments, name: string | undefined, requestId: string | null, zone: string | null): Promise<TriageTargets> {
  const targets = await chooseTriageTargets(deployments, name, requestId, zone, ARG);
  if (targets.ok && targets.search && targets.deployments.length === 0) {
    return { ok: false, problem: notFoundSentence(requestId ?? '', targets.search, `Name it with deployment (one of ${deployments.names.join(', ')}).`) };
  }
  return targets;
}
