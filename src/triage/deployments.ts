/**
 * The Caracal deployments a process reads, as one registry built in one place per process (the
 * terminal's commands, the worker, MCP): each deployment's name, its settings and its own
 * triage engine (client, connection pools, shared-read cache, sessions), so nothing read from
 * one deployment is ever served for another. Code below the registry receives one deployment's
 * engine and does not know there are others.
 *
 * Each engine has its own Admin API call budget (`budgetFor`), as Caracal limits each deployment
 * apart. Every engine redacts every deployment's secrets: a staging token quoted in a production
 * error is still a secret.
 */
import type { CallBudget } from '../caracal/budget';
import { DEFAULT_DEPLOYMENT, deploymentSecrets, type DeploymentSettings } from '../caracal/deployments-file';
import { createTriageEngine, type TriageEngine, type TriageEngineOptions } from './engine';

export interface Deployment {
  readonly name: string;
  readonly settings: DeploymentSettings;
  readonly engine: TriageEngine;
}

export type DeploymentPick = { ok: true; deployment: Deployment } | { ok: false; message: string };

export interface Deployments {
  /** In configuration order; at least one. */
  readonly all: readonly Deployment[];
  readonly names: readonly string[];
  /** More than one: commands outside a bound channel must say or search which. */
  readonly several: boolean;
  get(name: string): Deployment | undefined;
  /** The named deployment, or one sentence naming the ones that exist. */
  pick(name: string): DeploymentPick;
  /** The one to read when nothing says which: the only one; with several, null. */
  readonly only: Deployment | null;
  close(): Promise<void>;
}

/** "no deployment is named X; the deployments are a, b" (the name is shown as given, made safe by the caller's renderer). */
export function unknownDeploymentMessage(name: string, names: readonly string[]): string {
  return `no deployment is named "${name}"; the deployments are ${names.join(', ')}`;
}

export interface DeploymentsOptions extends Omit<TriageEngineOptions, 'deployment' | 'budget'> {
  /**
   * Each deployment's Admin API call budget (the bot's processes share one per deployment in
   * Redis, src/app/watch.ts); absent, each engine counts its own in the process. Never one for
   * several deployments: a deployment that uses its budget up must not delay another.
   */
  budgetFor?: (deployment: DeploymentSettings) => CallBudget;
}

export function openDeployments(settings: readonly DeploymentSettings[], secrets: readonly string[], opts: DeploymentsOptions = {}): Deployments {
  if (settings.length === 0) throw new Error('openDeployments: no deployment configured');
  const allSecrets = [...new Set([...secrets, ...deploymentSecrets(settings)])];
  const { budgetFor, ...engineOpts } = opts;
  const all: Deployment[] = settings.map((s) => ({
    name: s.name,
    settings: s,
    engine: createTriageEngine(s.caracal, allSecrets, { ...engineOpts, deployment: s.name, ...(budgetFor ? { budget: budgetFor(s) } : {}) }),
  }));
  const byName = new Map(all.map((d) => [d.name, d]));
  const names = all.map((d) => d.name);
  return {
    all,
    names,
    several: all.length > 1,
    get: (name) => byName.get(name),
    pick(name) {
      const d = byName.get(name);
      return d ? { ok: true, deployment: d } : { ok: false, message: unknownDeploymentMessage(name, names) };
    },
    only: all.length === 1 ? all[0]! : null,
    close: async () => {
      await Promise.all(all.map((d) => d.engine.close()));
    },
  };
}

/** The name a record or report carries for a deployment: absent while the bot serves only `default` from the single-deployment variables. */
export function isDefaultOnly(d: Pick<Deployments, 'names'>): boolean {
  return d.names.length === 1 && d.names[0] === DEFAULT_DEPLOYMENT;
}
