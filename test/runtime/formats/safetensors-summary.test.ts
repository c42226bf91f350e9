import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readSafetensorsHeader, writeSafetensors } from '../../../runtime/formats/safetensors.js';
import { formatBytes, formatCount, formatSummary, summarizeSafetensors } from '../../../runtime/formats/safetensors-summary.js';
import { scratchDir } from './tmp.js';

test('summary counts parameters and bytes by dtype and by top-level module', () => {
  const p = join(scratchDir('sum'), 'm.safetensors');
  const f = (n: number): Float32Array => new Float32Array(n);
  writeSafetensors(
    p,
    {
      'blocks.0.w': { dtype: 'BF16', shape: [4, 8], data: f(32) },
      'blocks.1.w': { dtype: 'BF16', shape: [4, 8], data: f(32) },
      'embed.weight': { dtype: 'F32', shape: [10, 3], data: f(30) },
      'norm.bias': { dtype: 'F16', shape: [3], data: f(3) },
    },
    { config: '{"depth": 2}' },
  );
  const s = summarizeSafetensors(readSafetensorsHeader(p), 2);
  assert.deepEqual(s.total, { tensors: 4, parameters: 97, bytes: 64 * 2 + 120 + 6 });
  assert.deepEqual(s.byDtype.BF16, { tensors: 2, parameters: 64, bytes: 128 });
  assert.deepEqual(s.byPrefix.blocks, { tensors: 2, parameters: 64, bytes: 128 });
  assert.deepEqual(
    s.largest.map((t) => t.name),
    ['embed.weight', 'blocks.0.w'],
  );
  const text = formatSummary(s);
  assert.match(text, /total +4 tensors +97 params/);
  assert.match(text, /config = \{"depth": 2\}/);
});

test('byte and count formatting', () => {
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(3 * 2 ** 30), '3.0 GiB');
  assert.equal(formatCount(1.6e9), '1.60B');
  assert.equal(formatCount(7_300_000), '7.30M');
  assert.equal(formatCount(950), '950');
});
