import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { readPng, readPngAsFloat, writeImagePng } from '../../../runtime/plot/png.js';

const dir = mkdtempSync(join(tmpdir(), 'sidc-png-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

test('a [-1, 1] image survives PNG to 8 bits: error at most half a step', () => {
  const p = join(dir, 'img.png');
  const data = Float32Array.from({ length: 4 * 3 * 3 }, (_, i) => Math.sin(i * 0.7));
  writeImagePng(p, { width: 4, height: 3, channels: 3, data });
  const back = readPngAsFloat(p, 3);
  assert.equal(back.width, 4);
  assert.equal(back.height, 3);
  for (let i = 0; i < data.length; i++) assert.ok(Math.abs(back.data[i]! - data[i]!) <= 1 / 255 + 1e-6, `value ${i}`);
  const grey = readPngAsFloat(p, 1);
  assert.equal(grey.data.length, 12);
});

test('transparent pixels are composited over the background', () => {
  const p = join(dir, 'alpha.png');
  const png = new PNG({ width: 2, height: 1 });
  png.data = Buffer.from([255, 0, 0, 0, /* transparent red */ 0, 0, 255, 255 /* opaque blue */]);
  writeFileSync(p, PNG.sync.write(png));
  const white = readPngAsFloat(p, 3);
  assert.deepEqual([...white.data], [1, 1, 1, -1, -1, 1]);
  const black = readPngAsFloat(p, 3, [0, 0, 0]);
  assert.deepEqual([...black.data.subarray(0, 3)], [-1, -1, -1]);
});

test('unreadable files get a message naming them', () => {
  const p = join(dir, 'bad.png');
  writeFileSync(p, 'not a png');
  assert.throws(() => readPng(p), new RegExp(`${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not a readable PNG`));
  assert.throws(() => readPng(join(dir, 'none.png')), /none\.png: cannot read image: no such file/);
});
