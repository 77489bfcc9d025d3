/**
 * Which Caracal deployment a chat command reads, decided before it starts (pure):
 *
 *   1. the one it names (`--deployment D`), which must exist;
 *   2. else the one its channel is bound to in CARACAL_DEPLOYMENTS_FILE, with the binding's zone
 *      when the command names none: by the channel's ID, else by its name (when the platform
 *      gave one) matching a `channelName` pattern, the first in file order;
 *   3. else, with one deployment, that one (nothing is recorded: a single-deployment bot's
 *      triages stay as they were);
 *   4. else, with several, a command with a request ID leaves it open: the worker looks for the
 *      request in each (src/queue/deployment-choice.ts) and says where it found it; one without
 *      a request ID has nothing to look for, so the person is asked to name one.
 */
import type { StartingCommand } from '../ingress/flow';

/** The deployments commands may name and the channels bound to them (built by src/app from the deployments file). */
export interface DeploymentDirectory {
  /** In configuration order; `default` alone without CARACAL_DEPLOYMENTS_FILE. */
  readonly names: readonly string[];
  /**
   * The deployment a conversation is bound to, or null: by its place (`slack:C0123`, as the
   * platform's `place` writes it) first, else by its `channel` name on its platform, when known.
   */
  boundTo(place: string | null, channel?: ChannelName): { deployment: string; zone: string | null } | null;
}

/** A conversation's name as its platform gave it with the command (null: it gave none). */
export interface ChannelName {
  platform: string;
  name: string | null;
}

export type BoundCommand = { ok: true; command: StartingCommand } | { ok: false; message: string };

const list = (names: readonly string[]): string => names.map((n) => `\`${n}\``).join(', ');

export function bindDeployment(cmd: StartingCommand, place: string | null, dir: DeploymentDirectory, prefix: string, channel?: ChannelName): BoundCommand {
  const named = cmd.kind === 'triage' ? cmd.input.deployment : cmd.deployment;
  const set = (deployment: string, zone: string | null): StartingCommand =>
    cmd.kind === 'triage' ? { ...cmd, input: { ...cmd.input, deployment, zoneId: cmd.input.zoneId ?? zone } } : { ...cmd, deployment, zoneId: cmd.zoneId ?? zone };
  if (named) {
    // The grammar checked its shape; only the names configured here exist.
    if (!dir.names.includes(named)) return { ok: false, message: `No deployment is named \`${named}\`; the deployments are ${list(dir.names)}.` };
    return { ok: true, command: set(named, null) };
  }
  const binding = dir.boundTo(place, channel);
  if (binding) return { ok: true, command: set(binding.deployment, binding.zone) };
  if (dir.names.length <= 1) return { ok: true, command: cmd };
  const requestId = cmd.kind === 'triage' ? (cmd.input.requestId ?? cmd.input.errorRoute?.requestId ?? null) : null;
  if (requestId) return { ok: true, command: cmd };
  const example = cmd.kind === 'bundle' ? `${prefix} bundle --deployment ${dir.names[0]}` : `${prefix} triage --deployment ${dir.names[0]}`;
  return {
    ok: false,
    message: `This channel is bound to no Caracal deployment and the bot serves ${list(dir.names)}; without a request ID there is nothing to look for in each. Say which with \`--deployment\`, e.g. \`${example}\`.`,
  };
}
