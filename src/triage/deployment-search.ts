/**
 * Which deployments hold a request: when nothing says which deployment to read (no binding, no
 * `--deployment`) and the bot serves several, the request is looked up in each one's zones
 * (the same lookup a triage starts with, locate.ts, through that deployment's own client), in
 * parallel. Each answer is one of: found, not there, or could not be read (and why), so the
 * words built from it never claim "not found" for a deployment that did not answer.
 */
import { clip, outsideText } from '../render/outside-text';
import { CallCache } from './call-cache';
import type { Deployment } from './deployments';
import { locateRequest } from './locate';
import type { DeploymentSearch } from './record';

export type { DeploymentSearch } from './record';

/** Looks for `requestId` (in `zone` when given, which a deployment without that zone simply does not hold). */
export async function searchDeployments(deployments: readonly Deployment[], requestId: string, zone: string | null): Promise<DeploymentSearch> {
  const answers = await Promise.all(
    deployments.map(async (d) => {
      const where = await locateRequest(d.engine.client, new CallCache(), requestId, zone);
      if (where.trace) return { name: d.name, outcome: 'found' as const };
      // A zone this deployment does not have: the request is not here.
      if (where.problem && where.problem.code !== 'zone_not_found') return { name: d.name, outcome: 'unreadable' as const, reason: where.problem.message };
      const failed = where.attempts.find((a) => a.outcome === 'error');
      if (failed?.error) return { name: d.name, outcome: 'unreadable' as const, reason: `zone ${failed.zoneId}: ${failed.error.message}` };
      return { name: d.name, outcome: 'not_found' as const };
    }),
  );
  return {
    searched: answers.map((a) => a.name),
    found: answers.filter((a) => a.outcome === 'found').map((a) => a.name),
    unreadable: answers.flatMap((a) => (a.outcome === 'unreadable' ? [{ deployment: a.name, reason: why(a.reason) }] : [])),
  };
}

/** Caracal's words for why, made safe and short (they are outside text). */
const why = (reason: string | undefined): string => clip(outsideText(reason ?? 'no answer'), 200);

/** `a`, `a and b`, `a, b and c`. */
export function namesList(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/**
 * One sentence for a search that found the request in no deployment: which were searched, which
 * could not be read and why (the request may be in those), and how to name one.
 */
export function notFoundSentence(requestId: string, s: DeploymentSearch, howToName: string): string {
  const read = s.searched.filter((n) => !s.unreadable.some((u) => u.deployment === n));
  const none = read.length ? `Request ${requestId} is in none of the zones of ${namesList(read)}` : `Request ${requestId} could not be looked up in any deployment`;
  const unread = s.unreadable.map((u) => `${u.deployment} could not be read (${u.reason})`);
  return `${none}${unread.length ? `; ${unread.join('; ')}` : ''}. Which deployment is it in? ${howToName}`;
}

/** "Found in production (searched staging and production)." */
export function foundSentence(s: DeploymentSearch): string {
  const unread = s.unreadable.length ? `; ${namesList(s.unreadable.map((u) => u.deployment))} could not be read` : '';
  return `Found in ${namesList(s.found)} (searched ${namesList(s.searched)}${unread}).`;
}
