// RGBA pictures <-> PNG through pngjs; single images in the diffusion convention ([-1, 1] floats) to and
// from PNG files. Files are written atomically.
import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { UserError } from '../../common/errors.js';
import { writeFileAtomic } from '../formats/atomic.js';
import { Raster } from './raster.js';

/** RGBA bytes, row-major, as pngjs and Raster hold them. */
export interface RGBAImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export function encodePng(c: RGBAImage): Uint8Array {
  const png = new PNG({ width: c.width, height: c.height });
  png.data = Buffer.from(c.data.buffer, c.data.byteOffset, c.data.byteLength);
  return PNG.sync.write(png, { colorType: 6 });
}

export function writePng(path: string, c: RGBAImage): void {
  writeFileAtomic(path, encodePng(c));
}

/** Decodes PNG bytes into RGBA bytes (any PNG colour type / bit depth pngjs reads). */
export function decodePng(bytes: Uint8Array): RGBAImage {
  const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
}

/** Decodes a PNG file into RGBA bytes (any PNG colour type / bit depth pngjs reads). */
export function readPng(path: string): RGBAImage {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`${path}: cannot read image: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  try {
    return decodePng(bytes);
  } catch (err) {
    throw new UserError(`${path}: not a readable PNG (${(err as Error).message})`);
  }
}

export interface FloatImage {
  width: number;
  height: number;
  channels: 1 | 3;
  /** HWC, values in [-1, 1] */
  data: Float32Array;
}

/**
 * Reads a PNG as floats in [-1, 1], HWC. Transparency is composited over `background` (white by
 * default: emoji and icon PNGs are transparent outside the drawing). Grey = ITU-R BT.601 luma.
 */
export function readPngAsFloat(path: string, channels: 1 | 3, background: [number, number, number] = [255, 255, 255]): FloatImage {
  const { width, height, data } = readPng(path);
  const out = new Float32Array(width * height * channels);
  for (let p = 0; p < width * height; p++) {
    const a = data[p * 4 + 3]! / 255;
    const rgb = [0, 1, 2].map((c) => data[p * 4 + c]! * a + background[c]! * (1 - a));
    if (channels === 3) for (let c = 0; c < 3; c++) out[p * 3 + c] = rgb[c]! / 127.5 - 1;
    else out[p] = (0.299 * rgb[0]! + 0.587 * rgb[1]! + 0.114 * rgb[2]!) / 127.5 - 1;
  }
  return { width, height, channels, data: out };
}

/** Writes one [-1, 1] HWC image as a PNG of exactly its size (values clamped, rounded to 8 bits). */
export function writeImagePng(path: string, img: FloatImage): void {
  const { width, height, channels, data } = img;
  if (data.length !== width * height * channels) {
    throw new Error(`image has ${data.length} values, expected ${height} x ${width} x ${channels} = ${width * height * channels}`);
  }
  const c = new Raster(width, height, [0, 0, 0]);
  const to8 = (v: number): number => (Number.isNaN(v) ? 0 : Math.round(Math.max(0, Math.min(1, (v + 1) / 2)) * 255));
  for (let p = 0; p < width * height; p++) {
    for (let k = 0; k < 3; k++) c.data[p * 4 + k] = to8(data[p * channels + (channels === 1 ? 0 : k)]!);
  }
  writePng(path, c);
}
