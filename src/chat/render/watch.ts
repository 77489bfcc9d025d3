/**
 * The deny watcher's block on a card, in the bot's own sentences (outside values in code spans,
 * `tick`), which each platform renders with its `sentence` rule: what is denied, how often and
 * when, the pattern's last hour as a text sparkline (every platform shows text; no image is
 * drawn), when it opens and closes, and the triage of its previous episode. Every number comes
 * from the pattern's denials as the watcher read them.
 */
import { formatDuration } from '../../config/duration';
import type { WatchPatternView } from '../../triage/record';
import { count, tick } from '../../triage/steps/step';

/** Eight levels; an empty bucket is the lowest bar, a non-empty one at least the second. */
const BARS = '▁▂▃▄▅▆▇█';

export function sparkline(counts: readonly number[]): string {
  const max = Math.max(0, ...counts);
  return counts.map((n) => (n <= 0 || max === 0 ? BARS[0] : BARS[Math.max(1, Math.round((n / max) * (BARS.length - 1)))])).join('');
}

/** `14:02:11 UTC` of an ISO time. */
export function utcClock(iso: string): string {
  return iso.length >= 19 ? `${iso.slice(11, 19)} UTC` : iso;
}

const one = (s: string | null, what: string): string => (s ? tick(s.replace(/\s+/g, ' ')) : `no ${what} recorded`);

function applicationPart(w: WatchPatternView): string {
  if (!w.applicationId) return 'no application recorded';
  return w.applicationName && w.applicationName !== w.applicationId ? `${tick(w.applicationName)} (${tick(w.applicationId)})` : tick(w.applicationId);
}

export interface WatchBlock {
  /** One line: the pattern. */
  heading: string;
  /** Sentences, in order. */
  lines: string[];
  /** The previous episode's card, when the platform gave a link (a URL the renderer may link). */
  previousLink: string | null;
}

export function watchBlock(w: WatchPatternView): WatchBlock {
  const windowText = formatDuration(w.windowMs);
  const peak = Math.max(0, ...w.lastHour);
  const th = w.thresholds;
  const heading = `Denied: ${tick(w.reason)} for ${applicationPart(w)} on ${one(w.resource, 'resource')} in zone ${tick(w.zoneId)}`;
  const lines = [
    `${count(w.windowCount, 'denial')} in ${windowText}, latest ${utcClock(w.latestAt)}; ${w.total} since ${utcClock(w.firstAt)}; ${count(w.applications, 'application')} denied on this resource for this reason.`,
    `Last hour, ${formatDuration(w.bucketMs)} a mark: ${tick(sparkline(w.lastHour))} (most in one mark: ${peak}).`,
    th.minDenials <= 1 && th.baselineFactor === 0
      ? `Opens at its first denial; closes after ${formatDuration(w.quietMs)} without one.`
      : `Opens at ${count(th.minDenials, 'denial')} in ${formatDuration(th.windowMs)}${th.baselineFactor > 0 ? ` and above ${th.baselineFactor}× its own rate over the 24 h before` : ''}; closes after ${formatDuration(w.quietMs)} without one.`,
  ];
  if (w.previous) lines.push(`It came back: its previous triage ${tick(w.previous.triageId)} closed at ${utcClock(w.previous.closedAt)} when it went quiet.`);
  if (w.quietSince) lines.push(`No denial since ${utcClock(w.latestAt)}: quiet for ${formatDuration(w.quietMs)}, so this pattern is closed. A new one opens a new triage that links this one.`);
  return { heading, lines, previousLink: w.previous?.link && /^https?:\/\//.test(w.previous.link) ? w.previous.link : null };
}
