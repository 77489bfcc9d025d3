/**
 * `recent_denials {zone?, since?}`: the denials of the last `since` (default 15m) as patterns
 * (zone, application, resource, reason) with whether each crossed the deny watcher's
 * thresholds, the same object as `caracal-triage watch --once [--zone Z] [--since S] --json`
 * (src/incidents/watch/recent.ts runs both). `since` is checked as the terminal checks
 * `--since`, `zone` as it checks `--zone`.
 */
import { z } from 'zod';
import { DEFAULT_SINCE_MS, incompleteNote, parseSince, readRecentDenials, recentDenialsJson, SINCE_HINT, type RecentDenials } from '../../incidents/watch/recent';
import { outsideText } from '../../render/outside-text';
import { ZoneRef } from '../../triage/model';
import { defineTool, type McpToolDeps, type ToolAnswer } from './tool';

const input = {
  zone: ZoneRef.optional().describe("Read only this zone: its ID, slug or name. Otherwise CARACAL_ZONE_IDS, else every zone the bot's admin token sees."),
  since: z
    .string()
    .refine((v) => parseSince(v) !== null, `since: ${SINCE_HINT}`)
    .optional()
    .describe('How far back to read: a duration such as 15m (the default), 2h or 1d, up to 7d.'),
};

const PatternOut = z.looseObject({
  zoneId: z.string(),
  applicationId: z.string().nullable(),
  resource: z.string().nullable(),
  reason: z.string(),
  count: z.number().int(),
  firstAt: z.string(),
  lastAt: z.string(),
  requestIds: z.array(z.string()),
  overThreshold: z.boolean(),
});

/** `caracal-triage watch --once --json`. */
const output = {
  since: z.string().describe('Start of the range read (ISO, UTC)'),
  until: z.string().describe('End of the range read (ISO, UTC): the time of the call'),
  patterns: z.array(PatternOut).describe('Every pattern with a denial in the range, those that crossed first, then by count; requestIds are the latest five denied requests'),
};

const clock = (iso: string): string => iso.slice(11, 19);

/** What a model reads first: what crossed, each with a request to triage, then the rest by count. */
function recentText(r: RecentDenials, json: ReturnType<typeof recentDenialsJson>): string {
  const crossed = json.patterns.filter((p) => p.overThreshold);
  const head =
    json.patterns.length === 0
      ? `No denials in ${r.zoneIds.length} zone(s) from ${json.since} to ${json.until}.`
      : `${crossed.length} of ${json.patterns.length} denial pattern(s) crossed the deny watcher's thresholds in ${r.zoneIds.length} zone(s) from ${json.since} to ${json.until}.`;
  const lines = [head];
  for (const p of json.patterns) {
    const what = `${outsideText(p.reason)} · app ${outsideText(p.applicationId ?? 'not recorded')} · ${outsideText(p.resource ?? 'no resource recorded')} · zone ${outsideText(p.zoneId)}`;
    lines.push(`- ${p.overThreshold ? 'crossed' : 'below'}: ${what}: ${p.count} denied request(s), ${clock(p.firstAt)} to ${clock(p.lastAt)} UTC; latest ${p.requestIds.map((id) => outsideText(id)).join(', ') || 'none recorded'}`);
  }
  const note = incompleteNote(r);
  if (note) lines.push('', `Note: ${note}.`);
  if (crossed.length > 0) lines.push('', 'Why a pattern is denied is not in these counts: call triage_request with one of its requestIds.');
  lines.push('', 'The structured content is the same JSON as `caracal-triage watch --once --json`.');
  return lines.join('\n');
}

export async function recentDenials(args: { zone?: string; since?: string }, deps: McpToolDeps): Promise<ToolAnswer> {
  const sinceMs = args.since === undefined ? undefined : parseSince(args.since);
  const outcome = await readRecentDenials(deps.engine.client, deps.denials, { sinceMs: sinceMs ?? DEFAULT_SINCE_MS, zone: args.zone ?? null }, { redactor: deps.engine.redactor });
  if (!outcome.ok) return outcome;
  const json = recentDenialsJson(outcome.value);
  return { ok: true, structured: json as unknown as Record<string, unknown>, text: recentText(outcome.value, json) };
}

export const RECENT_DENIALS = defineTool({
  name: 'recent_denials',
  title: 'Recent Caracal denials, as patterns',
  description: [
    "Reads the denials Caracal's audit recorded in the last `since` (default 15m; in one zone, or every zone the bot watches) and groups them into patterns (zone, application, resource, reason), each with its count, first and last time, its latest five request IDs, and whether it crossed the deny watcher's thresholds (WATCH_MIN_DENIALS within WATCH_WINDOW_S and above WATCH_BASELINE_FACTOR times its own rate over the 24 h before; replay_detected at its first event; the routes file's thresholds where they match).",
    "What it proves: each count is of audit rows with decision=deny read from Caracal at the time of the call, each denied request once (STS's exchange_denied companion row is not counted again). What it cannot know: why a pattern is denied (call triage_request with one of its requestIds); refusals the Gateway makes before STS (missing or bad bearer, expiring token, jti replay, revoked, stale revocation snapshot) leave no audit row and are not here (they show only in Caracal's Gateway counters); rows Caracal has not ingested yet are not seen.",
    'The result is the same JSON as `caracal-triage watch --once --json`; secrets are redacted. It changes nothing in Caracal.',
  ].join(' '),
  inputSchema: input,
  outputSchema: output,
  run: recentDenials,
});
