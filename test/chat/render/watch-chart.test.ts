/**
 * The watch card's chart as a PNG: decoded here byte by byte (signature, IHDR, the palette, and
 * the pixels inflated from IDAT), so what a platform shows is what the counts say: a minute with
 * a spike draws taller than a quiet one, a minute without a denial is the baseline, and the
 * image is small enough to ride inside a Teams card.
 */
import { crc32, inflateSync } from 'node:zlib';
import { CHART_HEIGHT, CHART_WIDTH, chartAlt, watchChart } from '../../../src/chat/render/watch-chart';

interface Decoded {
  width: number;
  height: number;
  bitDepth: number;
  colourType: number;
  palette: number[];
  /** pixel(x, y): the palette index */
  pixel(x: number, y: number): number;
}

function decode(png: Buffer): Decoded {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const chunks = new Map<string, Buffer[]>();
  for (let at = 8; at < png.length; ) {
    const len = png.readUInt32BE(at);
    const type = png.toString('ascii', at + 4, at + 8);
    chunks.set(type, [...(chunks.get(type) ?? []), png.subarray(at + 8, at + 8 + len)]);
    expect(png.readUInt32BE(at + 8 + len)).toBe(crc32(png.subarray(at + 4, at + 8 + len)) >>> 0);
    at += 12 + len;
  }
  const ihdr = chunks.get('IHDR')![0]!;
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  expect(chunks.has('IEND')).toBe(true);
  const raw = inflateSync(Buffer.concat(chunks.get('IDAT')!));
  const rowBytes = Math.ceil(width / 8);
  expect(raw.length).toBe((rowBytes + 1) * height);
  return {
    width,
    height,
    bitDepth: ihdr[8]!,
    colourType: ihdr[9]!,
    palette: [...chunks.get('PLTE')![0]!],
    pixel(x, y) {
      const row = y * (rowBytes + 1);
      expect(raw[row]).toBe(0);
      return (raw[row + 1 + (x >> 3)]! >> (7 - (x & 7))) & 1;
    },
  };
}

/** How many pixels high the bar of a minute is (its left column, from the bottom up). */
const barHeight = (d: Decoded, minute: number): number => {
  let n = 0;
  for (let y = d.height - 1; y >= 0 && d.pixel(minute * 2, y) === 1; y--) n++;
  return n;
};

const hour = (spikes: Record<number, number>): number[] => Array.from({ length: 60 }, (_, i) => spikes[i] ?? 0);

test('a 120×24 indexed PNG, one bit a pixel: a spike minute draws taller than a quiet one, a minute without a denial is the baseline', () => {
  const counts = hour({ 10: 2, 45: 40, 59: 10 });
  const chart = watchChart({ perMinute: counts })!;
  const d = decode(chart.png);
  expect({ width: d.width, height: d.height, bitDepth: d.bitDepth, colourType: d.colourType }).toEqual({ width: CHART_WIDTH, height: CHART_HEIGHT, bitDepth: 1, colourType: 3 });
  expect(d.palette).toHaveLength(6);
  expect(barHeight(d, 45)).toBe(CHART_HEIGHT);
  expect(barHeight(d, 59)).toBeGreaterThan(barHeight(d, 10));
  expect(barHeight(d, 10)).toBeGreaterThan(barHeight(d, 0));
  expect(barHeight(d, 0)).toBe(1);
  // Nothing is drawn above a bar.
  expect(d.pixel(20, 0)).toBe(0);
  // Small enough to carry inside a Teams card as a data URI.
  expect(chart.png.length).toBeLessThan(600);
  expect(chart.alt).toBe('Denied requests per minute over the last hour: 52 in all, 40 in the busiest minute.');
  expect(chartAlt(counts)).toBe(chart.alt);
});

test('an hour without a denial is all baseline; the version follows the counts; a record without per-minute counts has no chart', () => {
  const quiet = decode(watchChart({ perMinute: hour({}) })!.png);
  expect(Array.from({ length: 60 }, (_, m) => barHeight(quiet, m))).toEqual(new Array(60).fill(1));
  expect(watchChart({ perMinute: hour({ 3: 1 }) })!.version).not.toBe(watchChart({ perMinute: hour({ 3: 2 }) })!.version);
  expect(watchChart({})).toBeNull();
  expect(watchChart({ perMinute: [1, 2, 3] })).toBeNull();
});
