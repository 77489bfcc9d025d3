/**
 * The recent denials as patterns, read once: `caracal-triage watch --once` and the MCP tool
 * `recent_denials` both run `readRecentDenials`, so each hands out the same object for the same
 * input (`recentDenialsJson` is the `--json` contract). Reads every watched zone's denials of
 * the range (CARACAL_ZONE_IDS or every zone the token lists, or the one zone given by ID, slug or
 * name) and of the 24 h before it (each pattern's baseline), and evaluates the watcher's
 * thresholds (WATCH_* and the routes file's `thresholds:`) over sliding windows ending in the
 * range (patterns.ts, the watcher's own rules).
 *
 * Everything the patterns carry from Caracal is redacted with the configured secrets (and the
 * redactor's token shapes) before either prints it.
 *
 * It could not run, one sentence saying why (no secret in it), when the zone list or a zone's
 * denials could not be read, or the zone given matches none.
 */
import type { CaracalClient } from '../../caracal/client-api';
import { describeError } from '../../caracal/errors';
import { parseDuration } from '../../config/duration';
import type { Redactor } from '../../redact/redact';
import { outsideText, quoted } from '../../render/outside-text';
import { isZoneIdShaped, zoneByRef } from '../../triage/locate';
import { classifyRow, type Denial } from './denial';
import { reportJson, summarizePatterns, type PatternReport } from './patterns';
import { eachLimited, readZoneDenials, watchedZones, type ReadError } from './read';
import { BASELINE_MS, type ThresholdRule, type Thresholds } from './thresholds';

/** What decides whether a pattern crossed: WATCH_* and the routes file's `thresholds:`. */
export interface DenialReadSettings {
  thresholds: Thresholds;
  rules: readonly ThresholdRule[];
}

export interface RecentDenialsInput {
  /** How far back (ms). */
  sinceMs: number;
  /** One zone (ID, slug or name), or null for every watched zone. */
  zone: string | null;
}

export interface RecentDenials {
  since: number;
  until: number;
  zoneIds: string[];
  patterns: PatternReport[];
  /** Zones whose read stopped at the page limit: counts there are too low. */
  incomplete: string[];
}

/** `noZone`: the zone given is not one this Caracal has (its zone list was read and matches none). */
export type RecentOutcome = { ok: true; value: RecentDenials } | { ok: false; problem: string; noZone?: true };

export const DEFAULT_SINCE_MS = 15 * 60_000;
/** The longest range: the baseline read before it already covers a day. */
const MAX_SINCE_MS = 7 * 86_400_000;
export const SINCE_HINT = 'give a duration from 1s to 7d such as 15m, 2h or 1d';

/** `--since` / `since` as ms, or null when it is no duration in range. */
export function parseSince(text: string): number | null {
  const ms = parseDuration(text);
  return ms === null || ms < 1000 || ms > MAX_SINCE_MS ? null : ms;
}

function couldNotRead(what: string, e: ReadError): RecentOutcome {
  const hint = e.code === 'unreachable' || e.code === 'timeout' ? ' (is CARACAL_API_URL right and Caracal up?)' : '';
  return { ok: false, problem: `could not read ${what}: ${outsideText(e.message)}${hint}` };
}

/** The zones to read: the one given (resolved through the zone list), else every watched zone. */
async function zonesToRead(client: CaracalClient, zone: string | null): Promise<{ ok: true; zoneIds: string[] } | RecentOutcome> {
  if (zone === null) {
    const zones = await watchedZones(client);
    return zones.error ? couldNotRead('the zones (GET /v1/zones)', zones.error) : { ok: true, zoneIds: zones.zoneIds };
  }
  try {
    const found = zoneByRef(await client.listZones(), zone);
    return found.ok ? { ok: true, zoneIds: [found.id] } : { ok: false, problem: outsideText(found.message), noZone: true };
  } catch (e) {
    // A zone-scoped token cannot list zones: an ID is used as given, as a triage uses it.
    if (isZoneIdShaped(zone)) return { ok: true, zoneIds: [zone] };
    return couldNotRead(`the zones to resolve ${quoted(zone)} (GET /v1/zones; give the zone's ID)`, describeError(e));
  }
}

export interface RecentDenialsDeps {
  /** What the patterns carry from Caracal (applications, resources, request IDs) is redacted with it. */
  redactor: Redactor;
  now?: () => number;
}

export async function readRecentDenials(client: CaracalClient, settings: DenialReadSettings, input: RecentDenialsInput, deps: RecentDenialsDeps): Promise<RecentOutcome> {
  const until = (deps.now ?? Date.now)();
  const since = until - input.sinceMs;
  const zones = await zonesToRead(client, input.zone);
  if (!('zoneIds' in zones)) return zones;
  const windowMs = Math.max(settings.thresholds.windowMs, ...settings.rules.map((r) => r.set.windowMs ?? 0));
  const reads = await eachLimited(zones.zoneIds, 4, (zoneId) => readZoneDenials(client, zoneId, { since: since - windowMs - BASELINE_MS, until: until + 1 }));
  const failed = reads.find((r) => r.error);
  if (failed) return couldNotRead(`the denials of zone ${outsideText(failed.zoneId)}`, failed.error!);
  const denials: Denial[] = [];
  for (const r of reads) {
    for (const row of r.rows) {
      const c = classifyRow(row, r.zoneId);
      if (c.kind === 'denial') denials.push(c.denial);
    }
  }
  // Grouped on what Caracal wrote, then redacted: a secret in a resource still keeps its pattern apart.
  const patterns = deps.redactor.redact(summarizePatterns(denials, { since, until: until + 1, defaults: settings.thresholds, rules: settings.rules })).value;
  return { ok: true, value: { since, until, zoneIds: zones.zoneIds, patterns, incomplete: reads.filter((r) => !r.complete).map((r) => r.zoneId) } };
}

/** `watch --once --json` and `recent_denials`' structured content: the stable contract. */
export function recentDenialsJson(r: RecentDenials) {
  return { since: new Date(r.since).toISOString(), until: new Date(r.until).toISOString(), patterns: r.patterns.map(reportJson) };
}

/** The note when some zone was not read to the start of the range (stderr in the terminal, the text in MCP). */
export function incompleteNote(r: RecentDenials): string | null {
  return r.incomplete.length > 0 ? `not all denials were read in ${r.incomplete.map((z) => outsideText(z)).join(', ')} (more than 100 pages): counts there are too low` : null;
}
