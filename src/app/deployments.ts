/**
 * What the web half knows of the deployments (no token read): the names commands may give with
 * `--deployment`, the channels bound to each in CARACAL_DEPLOYMENTS_FILE (by ID, or by name
 * pattern for a command whose platform names its channel: an ID binding wins, then the first
 * matching pattern in file order), and which deployment
 * an incident reads (its channel's, else the one whose `zones` list its zone), plus where each
 * deployment's Console is for links. Built once from the configuration, handed to the command
 * flow, the incident desk and the renderers.
 */
import { DEFAULT_DEPLOYMENT, type DeploymentsConfig } from '../caracal/deployments-file';
import type { Destination } from '../chat/address';
import type { DeploymentDirectory } from '../commands/deployment-binding';
import type { LinksConfig } from '../report/config';
import { CHANNEL_ADDRESSES } from './platforms';

export interface WebDeployments extends DeploymentDirectory {
  /** The deployment an incident posted to `destination` about `zone` reads; null when nothing says (several deployments). */
  deploymentOf(destination: Destination, zone: string | null): string | null;
}

export function webDeployments(config: DeploymentsConfig): WebDeployments {
  const list = config.deployments;
  const names = list.length ? list.map((d) => d.name) : [DEFAULT_DEPLOYMENT];
  const bindings = new Map(list.flatMap((d) => d.channels.map((c) => [c.place, { deployment: d.name, zone: c.zone }] as const)));
  // In file order: the first pattern that matches wins.
  const patterns = list.flatMap((d) => (d.channelNames ?? []).map((c) => ({ deployment: d.name, ...c })));
  const boundTo: DeploymentDirectory['boundTo'] = (place, channel) => {
    const byId = place ? bindings.get(place) : undefined;
    if (byId) return byId;
    const name = channel?.name;
    if (!name) return null;
    const hit = patterns.find((p) => p.platform === channel.platform && p.matches(name));
    return hit ? { deployment: hit.deployment, zone: hit.zone } : null;
  };
  return {
    names,
    boundTo,
    deploymentOf(destination, zone) {
      const place = CHANNEL_ADDRESSES.place(destination);
      const bound = boundTo(place);
      if (bound) return bound.deployment;
      if (list.length <= 1) return null;
      const listing = zone ? list.filter((d) => d.caracal.zoneIds.includes(zone)) : [];
      return listing.length === 1 ? listing[0]!.name : null;
    },
  };
}

/**
 * Links with each deployment's Console (`consoleUrls`): a triage links the Console of the
 * deployment it read. Without a deployments file, CARACAL_CONSOLE_URL as before.
 */
export function linksWithDeployments(links: LinksConfig, config: DeploymentsConfig): LinksConfig {
  if (!config.file) return links;
  const only = config.deployments.length === 1 ? config.deployments[0]! : null;
  return { ...links, consoleUrl: only?.consoleUrl ?? null, consoleUrls: Object.fromEntries(config.deployments.map((d) => [d.name, d.consoleUrl])) };
}
