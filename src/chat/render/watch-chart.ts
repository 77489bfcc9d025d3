/**
 * The deny watcher's chart as an image, for the platforms that take one (the text sparkline of
 * watch.ts is on every card): the pattern's denied requests per minute over the last hour, one
 * bar two pixels wide a minute, oldest on the left, each as tall as its share of the busiest
 * minute; a minute without a denial is the one-pixel baseline. A 120×24 two-colour PNG
 * (src/render/png.ts) of a few hundred bytes, so Teams can carry it inside its card as a data
 * URI and Slack fetches it from the web process (src/page/ingress.ts). Drawn only from the
 * counts the watcher read; the alternative text says what they are.
 */
import { createHash } from 'node:crypto';
import { encodeTwoColourPng, type Rgb } from '../../render/png';
import type { WatchPatternView } from '../../triage/record';

export const CHART_WIDTH = 120;
export const CHART_HEIGHT = 24;
export const CHART_MINUTES = 60;
const BAR = CHART_WIDTH / CHART_MINUTES;
/** A blue that reads on light and dark themes alike (the background is transparent). */
const BAR_COLOUR: Rgb = [0x36, 0x7c, 0xd6];

export interface WatchChart {
  png: Buffer;
  width: number;
  height: number;
  /** What the image shows, in words. */
  alt: string;
  /** Changes whenever the counts do: a URL that carries it is fetched again (Slack caches images by URL). */
  version: string;
}

/** Bar height (pixels) of each minute: 1 for none, else at least 2 and the busiest minute the full height. */
export function barHeights(perMinute: readonly number[], height = CHART_HEIGHT): number[] {
  const max = Math.max(0, ...perMinute);
  return perMinute.map((n) => (n <= 0 || max === 0 ? 1 : Math.max(2, Math.round((n / max) * height))));
}

/** The chart of a pattern's last hour; null for a record written before per-minute counts were kept. */
export function watchChart(w: Pick<WatchPatternView, 'perMinute'>): WatchChart | null {
  const counts = w.perMinute;
  if (!counts || counts.length !== CHART_MINUTES) return null;
  const heights = barHeights(counts);
  const png = encodeTwoColourPng({ width: CHART_WIDTH, height: CHART_HEIGHT, on: (x, y) => CHART_HEIGHT - y <= heights[Math.floor(x / BAR)]! }, BAR_COLOUR);
  return { png, width: CHART_WIDTH, height: CHART_HEIGHT, alt: chartAlt(counts), version: chartVersion(counts) };
}

/** The chart in words (its alternative text), from the same counts. */
export function chartAlt(perMinute: readonly number[]): string {
  const peak = Math.max(0, ...perMinute);
  const total = perMinute.reduce((a, b) => a + b, 0);
  return `Denied requests per minute over the last hour: ${total} in all, ${peak} in the busiest minute.`;
}

/** A short digest of the counts (the chart's `version`), without drawing it. */
export function chartVersion(perMinute: readonly number[]): string {
  return createHash('sha256').update(perMinute.join(',')).digest('base64url').slice(0, 12);
}
