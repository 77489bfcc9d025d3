/**
 * `caracal-triage watch --once [--since 15m] [--json]`: the deny watcher's read, once, without
 * Redis, for cron jobs and CI gates. Reads every zone's denials of the range (and of the 24 h
 * before it, each pattern's baseline), evaluates the thresholds over sliding windows of
 * WATCH_WINDOW_S ending in the range (src/incidents/watch/patterns.ts, the watcher's own rules)
 * and prints every pattern with whether it crossed.
 *
 * Exit codes: 0 no pattern crossed; 1 at least one crossed; 2 it could not run (bad settings
 * or arguments, a zone or the zone list Caracal did not give: unreachable, the token refused).
 * Admin API calls keep to this process's own CARACAL_API_BUDGET_PER_MIN.
 */
import { loadWatchCommandConfig } from '../../app/config';
import { localCallBudget } from '../../caracal/budget';
import { createCaracalClient } from '../../caracal/client';
import { formatDuration, parseDuration } from '../../config/duration';
import { classifyRow, type Denial } from '../../incidents/watch/denial';
import { eachLimited, readZoneDenials, watchedZones, type ReadError } from '../../incidents/watch/read';
import { reportJson, summarizePatterns } from '../../incidents/watch/patterns';
import { BASELINE_MS } from '../../incidents/watch/thresholds';
import { outsideText, quoted, safeJson } from '../../render/outside-text';
import { EXIT_CANNOT_RUN, EXIT_FINDING, EXIT_OK, UsageError } from '../exit-codes';
import { createStyler } from '../style';
import { renderPatterns } from '../render-watch';
import type { CommandIo } from './triage';

export interface WatchOptions {
  once?: boolean;
  since?: string;
  json?: boolean;
}

/** The longest range: the baseline read before it already covers a day. */
const MAX_SINCE_MS = 7 * 86_400_000;

function sinceMs(text: string | undefined): number {
  if (text === undefined) return 15 * 60_000;
  const ms = parseDuration(text);
  if (ms === null || ms < 1000 || ms > MAX_SINCE_MS) throw new UsageError(`--since ${quoted(text)}: give a duration from 1s to 7d such as 15m, 2h or 1d`);
  return ms;
}

function couldNotRun(io: CommandIo, what: string, e: ReadError): number {
  io.stderr.write(`caracal-triage: could not read ${what}: ${outsideText(e.message)}${e.code === 'unreachable' || e.code === 'timeout' ? ' (is CARACAL_API_URL right and Caracal up?)' : ''}\n`);
  return EXIT_CANNOT_RUN;
}

export async function runWatchCommand(opts: WatchOptions, io: CommandIo, now: () => number = Date.now): Promise<number> {
  if (!opts.once) throw new UsageError('watch: give --once (the continuous watcher runs inside `caracal-triage worker` with WATCH_ENABLED=true)');
  const range = sinceMs(opts.since);
  const config = loadWatchCommandConfig(io.env);
  const client = createCaracalClient(config.caracal, { budget: localCallBudget(config.caracal.budgetPerMinute) });
  try {
    const until = now();
    const since = until - range;
    const zones = await watchedZones(client);
    if (zones.error) return couldNotRun(io, 'the zones (GET /v1/zones)', zones.error);
    const windowMs = Math.max(config.watch.thresholds.windowMs, ...config.rules.map((r) => r.set.windowMs ?? 0));
    const reads = await eachLimited(zones.zoneIds, 4, (zoneId) => readZoneDenials(client, zoneId, { since: since - windowMs - BASELINE_MS, until: until + 1 }));
    const failed = reads.find((r) => r.error);
    if (failed) return couldNotRun(io, `the denials of zone ${failed.zoneId}`, failed.error!);
    const denials: Denial[] = [];
    for (const r of reads) {
      for (const row of r.rows) {
        const c = classifyRow(row, r.zoneId);
        if (c.kind === 'denial') denials.push(c.denial);
      }
    }
    const patterns = summarizePatterns(denials, { since, until: until + 1, defaults: config.watch.thresholds, rules: config.rules });
    const crossed = patterns.some((p) => p.overThreshold);
    const incomplete = reads.filter((r) => !r.complete).map((r) => r.zoneId);
    if (opts.json) {
      io.stdout.write(safeJson({ since: new Date(since).toISOString(), until: new Date(until).toISOString(), patterns: patterns.map(reportJson) }, 2) + '\n');
      if (incomplete.length > 0) io.stderr.write(`caracal-triage: note: not all denials were read in ${incomplete.map((z) => outsideText(z)).join(', ')} (more than 100 pages): counts there are too low\n`);
    } else {
      io.stdout.write(renderPatterns(patterns, { since, until, zones: zones.zoneIds.length, range: formatDuration(range), defaults: config.watch.thresholds, incomplete }, createStyler(io.stdout, io.env)));
    }
    return crossed ? EXIT_FINDING : EXIT_OK;
  } finally {
    await client.close();
  }
}
