// The torch engine's PRNG generates its stream ahead in bulk (numpy lanes jumped with GF(2) matrices,
// sidc_torch/rng.py) and must still give exactly runtime/rng/prng.ts's draws and state: the same bytes for
// bulk and scalar draws of many sizes (0, 1, odd, around and past the refill sizes, > 2^20), interleaved,
// with get_state (a checkpoint) in between and a stream restarted from it. And the float32 normals: numpy's
// float64 log / cos / sin are not V8's (nor is libm's, behind the scalar normal()), so normals are compared
// as the engines store them, float32, and millions of them bit for bit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeGmm, sampleGmm } from '../../../runtime/data/gaussian-mixture.js';
import { Rng } from '../../../runtime/rng/prng.js';
import { repoPath } from '../../helpers/paths.js';
import { pythonExeWith } from '../../helpers/python.js';
import { scratchDir } from '../formats/tmp.js';

const py = pythonExeWith('torch', 'numpy');
const skip = py ? false : 'python3 with torch and numpy not found';
const dir = scratchDir('torch-rng-bulk');

type Op = [string, number];

/** prng.ts's results of `ops`, laid out as engine_check.py's `draws` writes the torch engine's. */
function expected(seed: number, label: string, ops: Op[]): { bytes: Buffer; ends: number[] } {
  let r = Rng.derive(seed, label);
  const parts: Buffer[] = [];
  const ends: number[] = [];
  const put = (a: ArrayBufferView) => parts.push(Buffer.from(a.buffer, a.byteOffset, a.byteLength));
  const times = <T>(n: number, f: () => T) => Array.from({ length: n }, f);
  for (const [op, n] of ops) {
    if (op === 'u32s' || op === 'u32') put(Uint32Array.from(times(n, () => r.nextU32())));
    else if (op === 'uniforms') put(r.uniforms(n));
    else if (op === 'uniform') put(Float64Array.from(times(n, () => r.uniform())));
    else if (op === 'ints' || op === 'int') put(Int32Array.from(times(n, () => r.int(7))));
    else if (op === 'normals') put(r.normals(n));
    else if (op === 'normal') put(Float32Array.from(times(n, () => r.normal())));
    else if (op === 'state') put(Uint32Array.from(r.getState()));
    else if (op === 'restore') r = new Rng(r.getState());
    ends.push(parts.reduce((a, p) => a + p.length, 0));
  }
  return { bytes: Buffer.concat(parts), ends };
}

function torchDraws(seed: number, label: string, ops: Op[], tag: string): Buffer {
  const out = join(dir, `${tag}.bin`);
  const spec = join(dir, `${tag}.json`);
  writeFileSync(spec, JSON.stringify({ seed, label, ops, out }));
  const r = spawnSync(py!, [repoPath('test/runtime/torch/engine_check.py'), 'draws', spec], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: repoPath('runtime/torch') },
  });
  assert.equal(r.status, 0, r.stderr);
  return readFileSync(out);
}

function assertSame(seed: number, label: string, ops: Op[], tag: string): void {
  const want = expected(seed, label, ops);
  const got = torchDraws(seed, label, ops, tag);
  assert.equal(got.length, want.bytes.length, 'byte count');
  if (got.equals(want.bytes)) return;
  let i = 0;
  while (got[i] === want.bytes[i]) i++;
  const k = want.ends.findIndex((e) => e > i);
  assert.fail(`first difference at byte ${i}, in op ${k} ${JSON.stringify(ops[k])}`);
}

test('bulk and scalar draws of many sizes, interleaved, with states and restarts, are prng.ts bit for bit', { skip }, () => {
  const sizes = [0, 1, 2, 3, 5, 127, 128, 129, 255, 256, 257, 1000, 4097, 65537, 300001];
  const bulk = ['u32s', 'uniforms', 'ints', 'normals'];
  const scalar = ['u32', 'uniform', 'int', 'normal'];
  const ops: Op[] = [['state', 0]];
  sizes.forEach((n, i) => {
    ops.push([bulk[i % 4]!, n], [scalar[(i + 1) % 4]!, i % 3], ['state', 0], [bulk[(i + 2) % 4]!, n + 1]);
    if (i % 4 === 3) ops.push(['restore', 0], [scalar[i % 4]!, 2], ['state', 0]);
  });
  // past the largest refill (2^20 outputs), from a stream part-way through its buffer
  ops.push(['u32s', (1 << 20) + 3], ['state', 0], ['normals', 2 * (1 << 20) + 1], ['uniform', 3], ['state', 0], ['restore', 0], ['u32s', 5], ['state', 0]);
  assertSame(12345, 'stage:sid', ops, 'mixed');
  assertSame(
    0,
    '',
    [
      ['u32', 1],
      ['u32s', 300],
      ['state', 0],
      ['normals', 7],
      ['state', 0],
    ],
    'seed0',
  );
});

test('4M float32 normals (numpy log / cos / sin in float64) equal prng.ts normals bit for bit', { skip }, () => {
  const ops: Op[] = [];
  for (let i = 0; i < 8; i++) ops.push(['normals', 500_000], ['state', 0]);
  assertSame(7, 'stage:noise', ops, 'normals');
});

test('mixture draws (vectorised in sample_gmm, null classes drawing their class) are sampleGmm bit for bit', { skip }, () => {
  const spec = { dim: 3, classes: 4, modes: 4, std: 0.1, radius: 4, seed: 5, c: Array.from({ length: 600 }, (_, i) => (i * 7) % 5) };
  const g = makeGmm({ dim: spec.dim, classes: spec.classes, modesPerClass: spec.modes, modeStd: spec.std, radius: spec.radius, seed: spec.seed });
  const r = new Rng(spec.seed + 1);
  const x = sampleGmm(g, spec.c, r);
  const f = join(dir, 'gmm.json');
  writeFileSync(f, JSON.stringify(spec));
  const out = spawnSync(py!, [repoPath('test/runtime/torch/engine_check.py'), 'gmm', f], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: repoPath('runtime/torch') },
  });
  assert.equal(out.status, 0, out.stderr);
  const got = JSON.parse(out.stdout) as { means: number[]; x: number[]; state: number[] };
  assert.deepEqual(got.means, Array.from(g.means));
  assert.deepEqual(got.x, Array.from(x));
  assert.deepEqual(got.state, r.getState());
});
