/**
 * A deployments file (CARACAL_DEPLOYMENTS_FILE) naming running simulators, as an operator writes
 * one: each deployment's API URL, its probes, and every secret in a file of its own in `dir`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Simulator } from '../../sim';

export interface SimulatedDeployment {
  name: string;
  sim: Simulator;
  /** Channel bindings (`slack:C…`), each an entry of `channels:`. */
  channels?: string[];
  /** Also the fix and approve token files (acting from chat). */
  act?: boolean;
  /** Also the metrics bearer and the Coordinator's token, with the Coordinator probed (default true). */
  observability?: boolean;
  consoleUrl?: string;
  /** Lines appended to the entry as they are (indented by the caller). */
  extra?: string;
}

/** A secret in a file of its own, as the deployments file takes every secret. */
export function secretFile(dir: string, name: string, value: string): string {
  const f = join(dir, name);
  writeFileSync(f, `${value}\n`);
  return f;
}

/** One `- name: …` entry of the file. */
export function deploymentEntry(dir: string, d: SimulatedDeployment): string {
  const { name, sim } = d;
  const observed = d.observability !== false;
  return [
    `  - name: ${name}`,
    `    apiUrl: ${sim.apiUrl}`,
    `    adminTokenFile: ${secretFile(dir, `${name}.read`, sim.tokens.globalRead)}`,
    ...(d.act ? [`    fixTokenFile: ${secretFile(dir, `${name}.fix`, sim.tokens.globalWrite)}`, `    approveTokenFile: ${secretFile(dir, `${name}.approve`, sim.tokens.globalApprove)}`] : []),
    `    probes: { sts: ${sim.stsUrl}, gateway: ${sim.gatewayUrl}, audit: ${sim.auditUrl}${observed ? `, coordinator: ${sim.coordinatorUrl}` : ''} }`,
    ...(observed ? [`    metricsBearerFile: ${secretFile(dir, `${name}.metrics`, sim.metricsBearer)}`, `    coordinatorTokenFile: ${secretFile(dir, `${name}.coordinator`, sim.coordinatorToken)}`] : []),
    ...(d.consoleUrl ? [`    consoleUrl: ${d.consoleUrl}`] : []),
    ...(d.channels?.length ? ['    channels:', ...d.channels.map((c) => `      - channel: ${c}`)] : []),
    ...(d.extra ? [d.extra] : []),
  ].join('\n');
}

/** The file, written to `dir/<file>` (default deployments.yaml); its path. */
export function writeDeploymentsFile(dir: string, deployments: SimulatedDeployment[], file = 'deployments.yaml'): string {
  const path = join(dir, file);
  writeFileSync(path, `version: 1\ndeployments:\n${deployments.map((d) => deploymentEntry(dir, d)).join('\n')}\n`);
  return path;
}
