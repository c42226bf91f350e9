// Canvas <-> PNG through pngjs; files are written atomically.
import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { writeFileAtomic } from '../io/atomic.js';
import { Canvas } from './canvas.js';

export function encodePng(c: Canvas): Uint8Array {
  const png = new PNG({ width: c.width, height: c.height });
  png.data = Buffer.from(c.data.buffer, c.data.byteOffset, c.data.byteLength);
  return PNG.sync.write(png, { colorType: 6 });
}

export function writePng(path: string, c: Canvas): void {
  writeFileAtomic(path, encodePng(c));
}

/** Decodes a PNG file into RGBA bytes (tests and image loaders). */
export function readPng(path: string): { width: number; height: number; data: Uint8Array } {
  const png = PNG.sync.read(readFileSync(path));
  return { width: png.width, height: png.height, data: new Uint8Array(png.data) };
}
