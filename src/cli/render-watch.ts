/**
 * Human output of `watch --once`: one block per pattern, those that crossed first, each saying
 * what is denied, how often, the most denials in one window against what was needed, and the
 * latest requests (to triage with `caracal-triage triage <id>`). Outside text (reasons,
 * application and resource names, request IDs) goes through the outside-text rule.
 */
import { formatDuration } from '../config/duration';
import type { PatternReport } from '../incidents/watch/patterns';
import { neededToCross, type Thresholds } from '../incidents/watch/thresholds';
import { outsideText } from '../render/outside-text';
import type { Styler } from './style';

export interface WatchHeader {
  since: number;
  until: number;
  zones: number;
  range: string;
  defaults: Thresholds;
  /** Zones whose read stopped at the page limit. */
  incomplete: string[];
}

const clock = (ms: number): string => new Date(ms).toISOString().slice(11, 19);
const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const safe = (v: string | null, none: string): string => (v === null ? none : outsideText(v));

function thresholdsText(t: Thresholds): string {
  if (t.minDenials <= 1 && t.baselineFactor === 0) return 'its first denial';
  return `${t.minDenials} in ${formatDuration(t.windowMs)}${t.baselineFactor > 0 ? ` and above ${t.baselineFactor}× the pattern's rate over the 24 h before` : ''}`;
}

function block(p: PatternReport, style: Styler): string[] {
  const mark = p.overThreshold ? style('red', '✖ crossed') : style('green', '✔ below  ');
  const app = p.applicationName && p.applicationName !== p.applicationId ? `${outsideText(p.applicationName)} (${safe(p.applicationId, '-')})` : safe(p.applicationId, 'no application recorded');
  const needed = neededToCross(p.peak.baseline, p.thresholds);
  const lines = [
    `${mark}  ${style('bold', safe(p.reason, '-'))} · app ${app} · ${safe(p.resource, 'no resource recorded')} · zone ${outsideText(p.zoneId)}`,
    `           ${p.count} denied request${p.count === 1 ? '' : 's'} (first ${clock(p.firstAt)}, latest ${clock(p.lastAt)} UTC); most in ${formatDuration(p.thresholds.windowMs)}: ${p.peak.count} at ${clock(p.peak.at)}, needed ${needed} (${p.peak.baseline} in the 24 h before)${p.crossedAt !== null ? `; crossed at ${clock(p.crossedAt)} UTC` : ''}`,
  ];
  if (p.requestIds.length > 0) lines.push(`           latest requests: ${p.requestIds.map((r) => outsideText(r)).join(', ')}`);
  return lines;
}

export function renderPatterns(patterns: readonly PatternReport[], h: WatchHeader, style: Styler): string {
  const out = [
    `Denials from ${day(h.since)} ${clock(h.since)} to ${clock(h.until)} UTC (the last ${h.range}) in ${h.zones} zone${h.zones === 1 ? '' : 's'}; a pattern crosses at ${thresholdsText(h.defaults)} (replay_detected at its first; the routes file's thresholds where they match).`,
  ];
  if (patterns.length === 0) out.push('No denials in that time.');
  for (const p of patterns) out.push('', ...block(p, style));
  const crossed = patterns.filter((p) => p.overThreshold).length;
  out.push('', crossed > 0 ? `${crossed} of ${patterns.length} pattern${patterns.length === 1 ? '' : 's'} crossed: triage one of its latest requests with \`caracal-triage triage <request-id>\`.` : `No pattern crossed its thresholds.`);
  if (h.incomplete.length > 0) out.push(`Not all denials were read in ${h.incomplete.map((z) => outsideText(z)).join(', ')} (more than 100 pages): counts there are too low.`);
  return out.join('\n') + '\n';
}
