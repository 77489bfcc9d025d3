/**
 * Recent denials read in several Caracal deployments at once: `watch --once` without
 * `--deployment` and the MCP tool `recent_denials` without `deployment` run this, so the two
 * answer alike. Each deployment is read through its own client (readRecentDenials, recent.ts);
 * the JSON merges their patterns, each naming its deployment when the bot reads a deployments
 * file.
 *
 * A zone given while several deployments are read is read in every deployment that has it: a
 * deployment whose zone list holds no such zone is left out (`lacking`), not an error, and the
 * read fails only when no deployment has it (`noneHasZoneSentence`). A deployment that could not
 * be read at all is a failure, named, beside the others' patterns.
 */
import type { CaracalClient } from '../../caracal/client-api';
import { quoted } from '../../render/outside-text';
import { namesList } from '../../triage/deployment-search';
import { readRecentDenials, recentDenialsJson, type DenialReadSettings, type RecentDenials, type RecentDenialsDeps, type RecentDenialsInput } from './recent';

export interface DenialsSource {
  name: string;
  client: CaracalClient;
}

export interface DeploymentDenials {
  name: string;
  value: RecentDenials;
}

export interface AcrossDenials {
  /** In the order given. */
  reads: DeploymentDenials[];
  /** Deployments that could not be read, each with one sentence why. */
  failures: Array<{ name: string; problem: string }>;
  /** With a zone given and several deployments: those whose zones hold no such zone. */
  lacking: string[];
}

/**
 * Reads every source in parallel with one clock (`deps.now`, so the ranges are equal). With one
 * source, a zone it lacks is a failure like any other (its own sentence names the zones).
 */
export async function readDenialsAcross(sources: readonly DenialsSource[], settings: DenialReadSettings, input: RecentDenialsInput, deps: RecentDenialsDeps): Promise<AcrossDenials> {
  const at = (deps.now ?? Date.now)();
  const outcomes = await Promise.all(sources.map(async (s) => ({ name: s.name, outcome: await readRecentDenials(s.client, settings, input, { ...deps, now: () => at }) })));
  const out: AcrossDenials = { reads: [], failures: [], lacking: [] };
  for (const { name, outcome } of outcomes) {
    if (outcome.ok) out.reads.push({ name, value: outcome.value });
    else if (outcome.noZone && sources.length > 1) out.lacking.push(name);
    else out.failures.push({ name, problem: outcome.problem });
  }
  return out;
}

/** `--zone "eu": no deployment has this zone (read staging and production)`: when every deployment lacked it. */
export function noneHasZoneSentence(flag: string, zone: string, names: readonly string[]): string {
  return `${flag} ${quoted(zone)}: no deployment has this zone (looked in ${namesList(names)})`;
}

/**
 * The merged `--json` (`recent_denials`' structured content): the range of the read (one clock
 * for all) and every deployment's patterns in turn, each with `deployment` when `named`.
 */
export function acrossDenialsJson(reads: readonly DeploymentDenials[], named: boolean) {
  const first = recentDenialsJson(reads[0]!.value);
  const patterns = reads.flatMap((r) => recentDenialsJson(r.value).patterns.map((p) => (named ? { deployment: r.name, ...p } : p)));
  return { ...first, patterns };
}
