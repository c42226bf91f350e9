import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openCheckpoint, readSafetensorsIndex, resolveCheckpointPath } from '../../../runtime/formats/diffusers-index.js';
import { writeSafetensors } from '../../../runtime/formats/safetensors.js';
import { scratchDir } from './tmp.js';

const t = (vals: number[]) => ({ dtype: 'F32' as const, shape: [vals.length], data: Float32Array.from(vals) });

function sharded(): string {
  const d = scratchDir('idx');
  writeSafetensors(join(d, 'diffusion_pytorch_model-00001-of-00002.safetensors'), { 'a.weight': t([1, 2]) }, { format: 'pt' });
  writeSafetensors(join(d, 'diffusion_pytorch_model-00002-of-00002.safetensors'), { 'b.weight': t([3]), 'b.bias': t([4, 5, 6]) });
  writeFileSync(
    join(d, 'diffusion_pytorch_model.safetensors.index.json'),
    JSON.stringify({
      metadata: { total_size: 24 },
      weight_map: {
        'a.weight': 'diffusion_pytorch_model-00001-of-00002.safetensors',
        'b.weight': 'diffusion_pytorch_model-00002-of-00002.safetensors',
        'b.bias': 'diffusion_pytorch_model-00002-of-00002.safetensors',
      },
    }),
  );
  return d;
}

test('a sharded checkpoint opens from its directory or index, tensors read from the right shard', () => {
  const d = sharded();
  const idx = readSafetensorsIndex(join(d, 'diffusion_pytorch_model.safetensors.index.json'));
  assert.equal(idx.totalBytes, 24);
  assert.equal(idx.shards.length, 2);
  const ck = openCheckpoint(d);
  try {
    assert.deepEqual(ck.names.sort(), ['a.weight', 'b.bias', 'b.weight']);
    assert.equal(ck.dataBytes, 24);
    assert.deepEqual([...ck.read('b.bias').data], [4, 5, 6]);
    assert.deepEqual([...ck.read('a.weight').data], [1, 2]);
    assert.deepEqual([...ck.readElements('b.bias', 1, 2)], [5, 6]);
    assert.deepEqual(ck.info('b.weight').shape, [1]);
    assert.deepEqual(ck.metadata, { format: 'pt' });
    assert.throws(() => ck.read('c'), /no tensor named 'c' in the weight map/);
  } finally {
    ck.close();
  }
});

test('a directory with one .safetensors opens directly', () => {
  const d = scratchDir('idx');
  writeSafetensors(join(d, 'model.safetensors'), { w: t([9]) });
  assert.equal(resolveCheckpointPath(d), join(d, 'model.safetensors'));
  const ck = openCheckpoint(d);
  assert.deepEqual([...ck.read('w').data], [9]);
  ck.close();
});

test('missing index, missing shard, wrong weight map and ambiguous directories are reported', () => {
  const d = sharded();
  const index = join(d, 'diffusion_pytorch_model.safetensors.index.json');
  assert.throws(() => readSafetensorsIndex(join(d, 'nope.index.json')), /nope\.index\.json: index file not found/);
  writeFileSync(join(d, 'broken.safetensors.index.json'), '{"weight_map": 3}');
  assert.throws(() => readSafetensorsIndex(join(d, 'broken.safetensors.index.json')), /index has no "weight_map" object/);
  assert.throws(() => openCheckpoint(d), /several index files/);
  rmSync(join(d, 'broken.safetensors.index.json'));
  writeFileSync(index, JSON.stringify({ weight_map: { 'a.weight': 'diffusion_pytorch_model-00002-of-00002.safetensors' } }));
  assert.throws(
    () => openCheckpoint(d),
    /weight_map puts 'a.weight' in 'diffusion_pytorch_model-00002-of-00002.safetensors' but that shard has no such tensor/,
  );
  rmSync(join(d, 'diffusion_pytorch_model-00002-of-00002.safetensors'));
  assert.throws(() => openCheckpoint(index), /shard 'diffusion_pytorch_model-00002-of-00002.safetensors' \(holding 1 tensor\) is missing/);
  rmSync(index);
  writeSafetensors(join(d, 'other.safetensors'), { w: t([1]) });
  assert.throws(() => openCheckpoint(d), /several \.safetensors files .* but no \.safetensors\.index\.json/);
  assert.throws(() => openCheckpoint(join(d, 'gone')), /checkpoint not found/);
});
