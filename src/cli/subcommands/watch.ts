/**
 * `caracal-triage watch --once [--since 15m] [--zone Z] [--deployment NAME] [--json]`: the deny
 * watcher's read, once, without Redis, for cron jobs and CI gates. It reads the deployment
 * `--deployment` names, else every deployment in turn (each pattern then says which, and
 * `--json` carries `deployment` per pattern whenever CARACAL_DEPLOYMENTS_FILE is used). The read and the thresholds are
 * src/incidents/watch/recent.ts (the MCP tool `recent_denials` runs the same function, so its
 * structured content equals this `--json`); this file parses the arguments and prints.
 *
 * With `--zone Z` and no `--deployment`, the zone is read in every deployment that has it (a
 * deployment whose zones hold no Z is left out, src/incidents/watch/across-deployments.ts);
 * only when none has it is that exit 2, naming the deployments looked in.
 *
 * Exit codes: 0 no pattern crossed; 1 at least one crossed; 2 it could not run (bad settings
 * or arguments, an unknown --deployment, a zone or the zone list Caracal did not give:
 * unreachable, the token refused, a zone that matches none (with several deployments: none of
 * them has it); with several deployments, any one that could not be read: the others are still
 * printed, and stderr names the one that failed). Admin API calls
 * keep to this process's own CARACAL_API_BUDGET_PER_MIN, per deployment.
 */
import { loadWatchCommandConfig } from '../../app/config';
import { localCallBudget } from '../../caracal/budget';
import { createCaracalClient } from '../../caracal/client';
import { formatDuration } from '../../config/duration';
import { acrossDenialsJson, noneHasZoneSentence, readDenialsAcross, type AcrossDenials } from '../../incidents/watch/across-deployments';
import { DEFAULT_SINCE_MS, incompleteNote, parseSince, SINCE_HINT } from '../../incidents/watch/recent';
import { createRedactor } from '../../redact/redact';
import { quoted, safeJson } from '../../render/outside-text';
import { namesList } from '../../triage/deployment-search';
import { ZoneRef } from '../../triage/model';
import { EXIT_CANNOT_RUN, EXIT_FINDING, EXIT_OK, UsageError } from '../exit-codes';
import { createStyler } from '../style';
import { renderPatterns } from '../render-watch';
import { namedDeployment } from './deployment-choice';
import type { CommandIo } from './triage';

export interface WatchOptions {
  once?: boolean;
  since?: string;
  zone?: string;
  /** Read only this deployment (a name in CARACAL_DEPLOYMENTS_FILE); absent: every one. */
  deployment?: string;
  json?: boolean;
}

function sinceMs(text: string | undefined): number {
  if (text === undefined) return DEFAULT_SINCE_MS;
  const ms = parseSince(text);
  if (ms === null) throw new UsageError(`--since ${quoted(text)}: ${SINCE_HINT}`);
  return ms;
}

function zoneOf(text: string | undefined): string | null {
  if (text === undefined) return null;
  const parsed = ZoneRef.safeParse(text);
  if (!parsed.success) throw new UsageError(`--zone ${quoted(text)}: ${parsed.error.issues[0]?.message ?? 'not a zone'}`);
  return parsed.data;
}

export async function runWatchCommand(opts: WatchOptions, io: CommandIo, now: () => number = Date.now): Promise<number> {
  if (!opts.once) throw new UsageError('watch: give --once (the continuous watcher runs inside `caracal-triage worker` with WATCH_ENABLED=true)');
  const range = sinceMs(opts.since);
  const zone = zoneOf(opts.zone);
  const config = loadWatchCommandConfig(io.env);
  const all = config.deployments.deployments;
  const targets = opts.deployment !== undefined ? [namedDeployment(all, opts.deployment, 'watch --once')] : all;
  // Names shown once the bot reads a deployments file (one `default` from the variables stays unnamed, as before).
  const named = config.deployments.file !== null;
  const redactor = createRedactor(config.secrets);
  const sources = targets.map((d) => ({ name: d.name, client: createCaracalClient(d.caracal, { budget: localCallBudget(d.caracal.budgetPerMinute) }) }));
  let across: AcrossDenials;
  try {
    across = await readDenialsAcross(sources, { thresholds: config.watch.thresholds, rules: config.rules }, { sinceMs: range, zone }, { redactor, now });
  } finally {
    await Promise.all(sources.map((s) => s.client.close()));
  }
  const { reads, failures, lacking } = across;
  for (const f of failures) io.stderr.write(`caracal-triage: ${named ? `deployment ${f.name}: ` : ''}${f.problem}\n`);
  if (reads.length === 0 && failures.length === 0 && zone !== null) io.stderr.write(`caracal-triage: ${noneHasZoneSentence('--zone', zone, lacking)}\n`);
  if (reads.length === 0) return EXIT_CANNOT_RUN;
  const failed = failures.length > 0;
  if (lacking.length > 0 && zone !== null) io.stderr.write(`caracal-triage: note: ${namesList(lacking)} ${lacking.length === 1 ? 'has' : 'have'} no zone ${quoted(zone)}; read in ${namesList(reads.map((r) => r.name))}\n`);
  if (opts.json) {
    io.stdout.write(safeJson(acrossDenialsJson(reads, named), 2) + '\n');
    for (const r of reads) {
      const note = incompleteNote(r.value);
      if (note) io.stderr.write(`caracal-triage: note: ${named ? `deployment ${r.name}: ` : ''}${note}\n`);
    }
  } else {
    const style = createStyler(io.stdout, io.env);
    for (const [i, { name, value: r }] of reads.entries()) {
      if (named) io.stdout.write(`${i > 0 ? '\n' : ''}Deployment ${name}:\n`);
      io.stdout.write(renderPatterns(r.patterns, { since: r.since, until: r.until, zones: r.zoneIds.length, range: formatDuration(range), defaults: config.watch.thresholds, incomplete: r.incomplete }, style));
    }
  }
  if (failed) return EXIT_CANNOT_RUN;
  return reads.some((r) => r.value.patterns.some((p) => p.overThreshold)) ? EXIT_FINDING : EXIT_OK;
}
