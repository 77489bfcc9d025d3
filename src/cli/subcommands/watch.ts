/**
 * `caracal-triage watch --once [--since 15m] [--zone Z] [--json]`: the deny watcher's read,
 * once, without Redis, for cron jobs and CI gates. The read and the thresholds are
 * src/incidents/watch/recent.ts (the MCP tool `recent_denials` runs the same function, so its
 * structured content equals this `--json`); this file parses the arguments and prints.
 *
 * Exit codes: 0 no pattern crossed; 1 at least one crossed; 2 it could not run (bad settings
 * or arguments, a zone or the zone list Caracal did not give: unreachable, the token refused,
 * a zone that matches none). Admin API calls keep to this process's own CARACAL_API_BUDGET_PER_MIN.
 */
import { loadWatchCommandConfig } from '../../app/config';
import { localCallBudget } from '../../caracal/budget';
import { createCaracalClient } from '../../caracal/client';
import { formatDuration } from '../../config/duration';
import { DEFAULT_SINCE_MS, incompleteNote, parseSince, readRecentDenials, recentDenialsJson, SINCE_HINT } from '../../incidents/watch/recent';
import { createRedactor } from '../../redact/redact';
import { quoted, safeJson } from '../../render/outside-text';
import { ZoneRef } from '../../triage/model';
import { EXIT_CANNOT_RUN, EXIT_FINDING, EXIT_OK, UsageError } from '../exit-codes';
import { createStyler } from '../style';
import { renderPatterns } from '../render-watch';
import type { CommandIo } from './triage';

export interface WatchOptions {
  once?: boolean;
  since?: string;
  zone?: string;
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
  const client = createCaracalClient(config.caracal, { budget: localCallBudget(config.caracal.budgetPerMinute) });
  try {
    const outcome = await readRecentDenials(client, { thresholds: config.watch.thresholds, rules: config.rules }, { sinceMs: range, zone }, { redactor: createRedactor(config.secrets), now });
    if (!outcome.ok) {
      io.stderr.write(`caracal-triage: ${outcome.problem}\n`);
      return EXIT_CANNOT_RUN;
    }
    const r = outcome.value;
    if (opts.json) {
      io.stdout.write(safeJson(recentDenialsJson(r), 2) + '\n');
      const note = incompleteNote(r);
      if (note) io.stderr.write(`caracal-triage: note: ${note}\n`);
    } else {
      io.stdout.write(renderPatterns(r.patterns, { since: r.since, until: r.until, zones: r.zoneIds.length, range: formatDuration(range), defaults: config.watch.thresholds, incomplete: r.incomplete }, createStyler(io.stdout, io.env)));
    }
    return r.patterns.some((p) => p.overThreshold) ? EXIT_FINDING : EXIT_OK;
  } finally {
    await client.close();
  }
}
