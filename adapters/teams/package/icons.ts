/**
 * Draws the app package icons (a magnifying glass, for "find why the call failed") and writes
 * them into adapters/teams/appPackage/: color.png 192×192 (white glyph on the accent colour)
 * and outline.png 32×32 (white on transparent, as Teams requires). The PNGs are committed;
 * run `npm run teams:icons` after changing the drawing.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Rgba, encodePng } from './png';

export const ACCENT = '#2B5797';

/** Coverage (0..1) of the glyph at a point in unit coordinates. */
function glyph(x: number, y: number): boolean {
  const cx = 0.42;
  const cy = 0.42;
  const d = Math.hypot(x - cx, y - cy);
  const ring = d <= 0.27 && d >= 0.27 - 0.085;
  // Handle: a thick segment from the ring towards the bottom right, round ends.
  const ax = 0.6;
  const ay = 0.6;
  const bx = 0.86;
  const by = 0.86;
  const t = Math.max(0, Math.min(1, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)));
  const handle = Math.hypot(x - (ax + t * (bx - ax)), y - (ay + t * (by - ay))) <= 0.065;
  return ring || handle;
}

function draw(size: number, inset: number, background: [number, number, number] | null): Rgba {
  const pixels = new Uint8Array(size * size * 4);
  const n = 4; // 4×4 supersampling for smooth edges
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let hits = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const u = ((px + (sx + 0.5) / n) / size - inset) / (1 - 2 * inset);
          const v = ((py + (sy + 0.5) / n) / size - inset) / (1 - 2 * inset);
          if (glyph(u, v)) hits++;
        }
      }
      const cover = hits / (n * n);
      const i = (py * size + px) * 4;
      if (background) {
        for (let c = 0; c < 3; c++) pixels[i + c] = Math.round(background[c] * (1 - cover) + 255 * cover);
        pixels[i + 3] = 255;
      } else {
        pixels.set([255, 255, 255, Math.round(255 * cover)], i);
      }
    }
  }
  return { width: size, height: size, pixels };
}

const hex = (h: string): [number, number, number] => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)) as [number, number, number];

export function colorIcon(): Buffer {
  return encodePng(draw(192, 0.18, hex(ACCENT)));
}

export function outlineIcon(): Buffer {
  return encodePng(draw(32, 0.04, null));
}

if (require.main === module) {
  const dir = join(__dirname, '..', 'appPackage');
  writeFileSync(join(dir, 'color.png'), colorIcon());
  writeFileSync(join(dir, 'outline.png'), outlineIcon());
  console.log(`wrote ${join(dir, 'color.png')} and ${join(dir, 'outline.png')}`);
}
