/**
 * `recent_denials {zone?, since?, deployment?}`: the denials of the last `since` (default 15m) as
 * patterns (zone, application, resource, reason) with whether each crossed the deny watcher's
 * thresholds, the same object as `caracal-triage watch --once [--zone Z] [--since S]
 * [--deployment D] --json` (src/incidents/watch/across-deployments.ts runs both: without
 * `deployment` every deployment, each pattern naming its own). `since` is checked as the terminal checks
 * `--since`, `zone` as it checks `--zone`.
 */
import { z } from 'zod';
import { acrossDenialsJson, noneHasZoneSentence, readDenialsAcross, type AcrossDenials } from '../../incidents/watch/across-deployments';
import { DEFAULT_SINCE_MS, incompleteNote, parseSince, SINCE_HINT } from '../../incidents/watch/recent';
import { outsideText, quoted } from '../../render/outside-text';
import { namesList } from '../../triage/deployment-search';
import { isDefaultOnly } from '../../triage/deployments';
import { ZoneRef } from '../../triage/model';
import { DeploymentArg, named } from './deployment-arg';
import { defineTool, redactorOf, type McpToolDeps, type ToolAnswer } from './tool';

const input = {
  zone: ZoneRef.optional().describe("Read only this zone: its ID, slug or name. Otherwise CARACAL_ZONE_IDS, else every zone the bot's admin token sees."),
  since: z
    .string()
    .refine((v) => parseSince(v) !== null, `since: ${SINCE_HINT}`)
    .optional()
    .describe('How far back to read: a duration such as 15m (the default), 2h or 1d, up to 7d.'),
  deployment: DeploymentArg.describe("Read only this Caracal deployment (a name from the bot's deployments file). Without it every deployment is read, each pattern naming its `deployment`; with `zone`, every deployment that has that zone."),
};

const PatternOut = z.looseObject({
  deployment: z.string().optional().describe('The Caracal deployment of the pattern (with a deployments file)'),
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

/** What a model reads first: what crossed, each with a request to triage, then the rest by count; then what was not read. */
function recentText(read: AcrossDenials, json: ReturnType<typeof acrossDenialsJson>, zone: string | null): string {
  const crossed = json.patterns.filter((p) => p.overThreshold);
  const zones = read.reads.reduce((n, r) => n + r.value.zoneIds.length, 0);
  const head =
    json.patterns.length === 0
      ? `No denials in ${zones} zone(s) from ${json.since} to ${json.until}.`
      : `${crossed.length} of ${json.patterns.length} denial pattern(s) crossed the deny watcher's thresholds in ${zones} zone(s) from ${json.since} to ${json.until}.`;
  const lines = [head];
  for (const p of json.patterns as Array<(typeof json.patterns)[number] & { deployment?: string }>) {
    const what = `${p.deployment ? `deployment ${p.deployment} · ` : ''}${outsideText(p.reason)} · app ${outsideText(p.applicationId ?? 'not recorded')} · ${outsideText(p.resource ?? 'no resource recorded')} · zone ${outsideText(p.zoneId)}`;
    lines.push(`- ${p.overThreshold ? 'crossed' : 'below'}: ${what}: ${p.count} denied request(s), ${clock(p.firstAt)} to ${clock(p.lastAt)} UTC; latest ${p.requestIds.map((id) => outsideText(id)).join(', ') || 'none recorded'}`);
  }
  const several = read.reads.length + read.failures.length + read.lacking.length > 1;
  for (const r of read.reads) {
    const note = incompleteNote(r.value);
    if (note) lines.push('', `Note: ${several ? `deployment ${r.name}: ` : ''}${note}.`);
  }
  if (read.lacking.length && zone !== null) lines.push('', `Note: ${namesList(read.lacking)} ${read.lacking.length === 1 ? 'has' : 'have'} no zone ${quoted(zone)}; read in ${namesList(read.reads.map((r) => r.name))}.`);
  for (const f of read.failures) lines.push('', `Not read: deployment ${f.name}: ${f.problem}; its denials are not in these counts.`);
  if (crossed.length > 0) lines.push('', 'Why a pattern is denied is not in these counts: call triage_request with one of its requestIds.');
  lines.push('', 'The structured content is the same JSON as `caracal-triage watch --once --json`.');
  return lines.join('\n');
}

export async function recentDenials(args: { zone?: string; since?: string; deployment?: string }, deps: McpToolDeps): Promise<ToolAnswer> {
  const sinceMs = args.since === undefined ? undefined : parseSince(args.since);
  let targets = deps.deployments.all;
  if (args.deployment !== undefined) {
    const one = named(deps.deployments, args.deployment);
    if (!one.ok) return one;
    targets = [one.deployment];
  }
  const zone = args.zone ?? null;
  const sources = targets.map((d) => ({ name: d.name, client: d.engine.client }));
  const read = await readDenialsAcross(sources, deps.denials, { sinceMs: sinceMs ?? DEFAULT_SINCE_MS, zone }, { redactor: redactorOf(deps) });
  const labelled = !isDefaultOnly(deps.deployments);
  if (read.reads.length === 0) {
    if (read.failures.length === 0 && zone !== null) return { ok: false, problem: noneHasZoneSentence('zone', zone, read.lacking) };
    return { ok: false, problem: read.failures.map((f) => `${labelled ? `deployment ${f.name}: ` : ''}${f.problem}`).join('; ') };
  }
  const json = acrossDenialsJson(read.reads, labelled);
  return { ok: true, structured: json as unknown as Record<string, unknown>, text: recentText(read, json, zone) };
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
