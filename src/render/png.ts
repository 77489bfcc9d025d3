/**
 * A two-colour PNG (colour type 3, one bit a pixel, the background transparent) from a grid of
 * on/off pixels: what the watch card's chart needs (src/chat/render/watch-chart.ts), a few
 * hundred bytes for 120×24.
 *
 * Written here on Node's own zlib (deflate and crc32) rather than with an image library: none
 * is a dependency of the project, a two-colour image is the whole of what is drawn, and its
 * format is four chunks (PNG specification, ISO/IEC 15948: IHDR, PLTE, tRNS, IDAT, IEND).
 */
import { crc32, deflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface Bitmap {
  width: number;
  height: number;
  /** Row by row from the top: true where the foreground colour is drawn. */
  on(x: number, y: number): boolean;
}

/** `rgb` of the foreground, e.g. [0x36, 0x7c, 0xd6]. */
export type Rgb = readonly [number, number, number];

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(data, crc32(head.subarray(4))) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

export function encodeTwoColourPng(b: Bitmap, foreground: Rgb): Buffer {
  if (!(b.width > 0 && b.height > 0)) throw new Error('a PNG needs at least one pixel');
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(b.width, 0);
  ihdr.writeUInt32BE(b.height, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 3; // indexed colour
  // compression, filter, interlace: 0
  const rowBytes = Math.ceil(b.width / 8);
  const raw = Buffer.alloc((rowBytes + 1) * b.height);
  for (let y = 0; y < b.height; y++) {
    const row = y * (rowBytes + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < b.width; x++) if (b.on(x, y)) raw[row + 1 + (x >> 3)]! |= 0x80 >> (x & 7);
  }
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', ihdr),
    // Index 0 the background (white, made transparent by tRNS), index 1 the foreground.
    chunk('PLTE', Buffer.from([255, 255, 255, ...foreground])),
    chunk('tRNS', Buffer.from([0])),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
