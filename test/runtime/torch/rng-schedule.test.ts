// The torch engine's PRNG and time sampling against the tfjs engine's (runtime/rng/prng.ts,
// runtime/schedule/): the same seed must give bit-identical u32 streams, uniforms and float32 normals, and
// the same uniforms the same t under every distribution, interval and sampling method - the basis of
// "same draws" in both engines. Also the shared file format: the torch safetensors writer is byte-identical. The torch side runs in /usr/bin/python3 (test/runtime/torch/engine_check.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { writeSafetensors, type TensorToWrite } from '../../../runtime/formats/safetensors.js';
import { join } from 'node:path';
import { Rng } from '../../../runtime/rng/prng.js';
import { restriction, sampleTimes, timeDist } from '../../../runtime/schedule/time-dist.js';
import { weightingOfT } from '../../../runtime/schedule/weighting.js';
import { repoPath } from '../../helpers/paths.js';
import type { JsonValue } from '../../../compiler/recipe/settings.js';
import { scratchDir } from '../formats/tmp.js';
import { pythonExeWith as pythonWith } from '../../helpers/python.js';

const py = pythonWith('torch', 'numpy');
const skip = py ? false : 'python3 with torch not found';
const dir = scratchDir('torch-rng');

function check(cmd: string, spec: unknown): Record<string, unknown> {
  const f = join(dir, `${cmd}.json`);
  writeFileSync(f, JSON.stringify(spec));
  const r = spawnSync(py!, [repoPath('test/runtime/torch/engine_check.py'), cmd, f], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: repoPath('runtime/torch') },
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

test('rng: u32, uniforms, ints and float32 normals are bit-identical to prng.ts, state round-trips', { skip }, () => {
  const n = 4000;
  const r = Rng.derive(12345, 'stage:sid');
  const want = {
    u32: Array.from({ length: n }, () => r.nextU32()),
    uniforms: Array.from(r.uniforms(n)),
    normals: Array.from(r.normals(n + 1)),
    ints: Array.from({ length: n }, () => r.int(7)),
  };
  const state = r.getState();
  const got = check('streams', { seed: 12345, label: 'stage:sid', n });
  assert.deepEqual(got.u32, want.u32);
  assert.deepEqual(got.uniforms, want.uniforms);
  assert.deepEqual(got.normals, want.normals); // float32 values, compared exactly
  assert.deepEqual(got.ints, want.ints);
  assert.deepEqual(got.state, state);
  assert.equal(got.after_restore, new Rng(state).nextU32());
  assert.deepEqual(
    got.plain,
    [0, 1, 2 ** 32 - 1].map((s) => new Rng(s).nextU32()),
  );
});

test('schedule: the same t for logit-normal / uniform, with intervals, inverse CDF and rejection; the same w(t)', { skip }, () => {
  const cases: { seed: number; distribution: JsonValue; interval?: number[]; n: number; sampling?: string }[] = [
    { seed: 0, distribution: { kind: 'logit_normal', mean: Math.LN2, std: 1.6 }, interval: [0, 1], n: 500 },
    { seed: 1, distribution: { kind: 'logit_normal', mean: 0, std: 1 }, interval: [0.2, 0.7], n: 500 },
    { seed: 2, distribution: { kind: 'logit_normal', mean: -0.5, std: 2, interval: [0.05, 0.99] }, n: 500, sampling: 'rejection' },
    { seed: 3, distribution: { kind: 'uniform' }, interval: [0.5, 1], n: 500 },
    { seed: 4, distribution: { kind: 'logit_normal', mean: 3, std: 0.5 }, interval: [0.999, 1], n: 200 },
  ];
  const want = cases.map((c) =>
    Array.from(sampleTimes(timeDist(c.distribution), restriction(c.distribution, c.interval), c.n, Rng.derive(c.seed, 'stage:t'), c.sampling ?? 'inverse_cdf')),
  );
  const weightings: JsonValue[] = [
    { name: 'one_minus_t' },
    { name: 'sqrt_snr' },
    { name: 'inv_t' },
    {
      expr: {
        op: '*',
        args: [
          { call: 'sqrt', args: ['t'] },
          { op: '-', args: [1, 't'] },
        ],
      },
    },
  ];
  const t = Array.from({ length: 101 }, (_, i) => Math.fround(0.0005 + i * 0.00999));
  const wantW = weightings.map((w: JsonValue) => {
    const f = weightingOfT(w);
    return t.map((ti) => Math.fround((f as (x: number) => number)(ti)));
  });
  const got = check('times', { cases, weightings, t });
  assert.deepEqual(got.times, want);
  assert.deepEqual(got.weightings, wantW);
});

test('safetensors: the torch writer produces the same bytes as runtime/formats/safetensors.ts; it reads tfjs files and sharded indexes', { skip }, () => {
  const tensors: Record<string, TensorToWrite> = {
    'net/G/in.w': { dtype: 'F32', shape: [2, 3], data: Float32Array.from([0.1, -2, 3.5, 1e-8, 7, -0.5]) },
    'adam/G/in.w/m': { dtype: 'BF16', shape: [3], data: Float32Array.from([1.5, -0.00390625, 256]) },
    h: { dtype: 'F16', shape: [2], data: Float32Array.from([0.25, -1024]) },
  };
  const metadata = { format: 'sidc.checkpoint', state: JSON.stringify({ stage: 'sid', rng: [1, 2, 3, 4] }) };
  const ours = join(dir, 'tfjs.safetensors');
  writeSafetensors(ours, tensors, metadata);
  writeSafetensors(join(dir, 'shard-1.safetensors'), { a: tensors['net/G/in.w']! });
  writeSafetensors(join(dir, 'shard-2.safetensors'), { b: tensors.h! });
  const index = join(dir, 'model.safetensors.index.json');
  writeFileSync(index, JSON.stringify({ metadata: {}, weight_map: { a: 'shard-1.safetensors', b: 'shard-2.safetensors' } }));
  const theirs = join(dir, 'torch.safetensors');
  const got = check('formats', {
    out: theirs,
    tensors: Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, { ...t, data: Array.from(t.data) }])),
    metadata,
    tfjs_file: ours,
    index,
  }) as {
    read: Record<string, [string, number[]]>;
    meta: Record<string, string>;
    sharded: Record<string, number[]>;
  };
  assert.deepEqual(readFileSync(theirs), readFileSync(ours));
  assert.deepEqual(got.meta, metadata);
  assert.deepEqual(got.read['adam/G/in.w/m'], ['torch.bfloat16', [1.5, -0.00390625, 256]]);
  assert.deepEqual(got.read.h, ['torch.float16', [0.25, -1024]]);
  assert.deepEqual(got.sharded.a, Array.from(tensors['net/G/in.w']!.data));
  assert.deepEqual(got.sharded.b, [0.25, -1024]);
});
