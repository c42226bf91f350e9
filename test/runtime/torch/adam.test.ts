// The torch engine's Adam (sidc_torch/optim.py: float32 torch ops) against the tfjs engine's
// (runtime/tfjs/optim/adam.ts: float64 arithmetic rounded once per stored value) on the same parameters and
// gradients over three steps - beta1 0 and 0.9, weight decay, clip, non-finite gradients, magnitudes from
// 1e-6 to 1e2. fp32: the same values to a few float32 ulps, and torch.optim.Adam's exact bits. bf16 storage
// (float64 between the bf16 roundings, as adam.ts): the same bits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OptimizerSpec } from '../../../compiler/graph/types.js';
import { Rng } from '../../../runtime/rng/prng.js';
import { roundBf16InPlace } from '../../../runtime/tfjs/precision/bf16.js';
import { adamStep, newAdamState, sanitizeGrad } from '../../../runtime/tfjs/optim/adam.js';
import { repoPath } from '../../helpers/paths.js';
import { pythonExeWith } from '../../helpers/python.js';
import { scratchDir } from '../formats/tmp.js';

const py = pythonExeWith('torch', 'numpy');
const skip = py ? false : 'python3 with torch and numpy not found';
const dir = scratchDir('torch-adam');

type Arrays = Record<string, Float32Array>;
interface TorchAdam {
  params: Record<string, number[]>;
  m: Record<string, number[]>;
  v: Record<string, number[]>;
  nonfinite: number;
  torch_adam_max_abs_diff: number;
}

const SHAPES: Record<string, number> = { 'in.w': 4000, 'in.b': 64, 'out.w': 1500 };

/** Values of mixed magnitude: normal x 10^u, u uniform in [-6, 2]. */
function values(rng: Rng, n: number): Float32Array {
  const z = rng.normals(n);
  return Float32Array.from(z, (x) => x * Math.pow(10, -6 + 8 * rng.uniform()));
}

function run(opt: OptimizerSpec, bf16: boolean, seed: number) {
  const rng = new Rng(seed);
  const params: Arrays = Object.fromEntries(Object.entries(SHAPES).map(([k, n]) => [k, values(rng, n)]));
  if (bf16) for (const p of Object.values(params)) roundBf16InPlace(p);
  const steps: Arrays[] = [0, 1, 2].map(() => Object.fromEntries(Object.entries(SHAPES).map(([k, n]) => [k, values(rng, n)])));
  steps[1]!['in.b']!.set([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY], 5);
  const spec = join(dir, `adam-${seed}.json`);
  const plain = (a: Arrays) => Object.fromEntries(Object.entries(a).map(([k, v]) => [k, Array.from(v)]));
  // JSON has no NaN / Infinity: the Python side reads them back from these strings
  writeFileSync(
    spec,
    JSON.stringify({ optimizer: opt, bf16, params: plain(params), steps: steps.map(plain) }, (_, v) =>
      typeof v === 'number' && !Number.isFinite(v) ? String(v) : v,
    ),
  );
  const r = spawnSync(py!, [repoPath('test/runtime/torch/engine_check.py'), 'adam', spec], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: repoPath('runtime/torch') },
  });
  assert.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout) as TorchAdam;
  const state = newAdamState();
  let nonfinite = 0;
  for (const g of steps) {
    for (const x of Object.values(g)) nonfinite += sanitizeGrad(x, opt.clip);
    adamStep(opt, state, params, g, bf16);
  }
  const want: Record<string, Arrays> = {
    params,
    m: Object.fromEntries(Object.entries(state.params).map(([k, s]) => [k, s.m])),
    v: Object.fromEntries(Object.entries(state.params).map(([k, s]) => [k, s.v])),
  };
  return { got, want, nonfinite, steps };
}

const OPTIMIZERS: OptimizerSpec[] = [
  { kind: 'adam', lr: 1e-4, beta1: 0, beta2: 0.999, eps: 1e-8, weight_decay: 0, clip: null },
  { kind: 'adam', lr: 1e-3, beta1: 0.9, beta2: 0.99, eps: 1e-6, weight_decay: 0.01, clip: 50 },
];

test('fp32 Adam: the tfjs engine values to float32 rounding, torch.optim.Adam bit for bit', { skip }, (t) => {
  OPTIMIZERS.forEach((opt, i) => {
    const { got, want, nonfinite, steps } = run(opt, false, 10 + i);
    assert.equal(got.nonfinite, nonfinite);
    assert.equal(nonfinite, 3);
    assert.equal(got.torch_adam_max_abs_diff, 0, 'torch.optim.Adam takes other bits');
    const ulp = 2 ** -23;
    for (const group of ['params', 'm', 'v'] as const) {
      let worst = 0;
      for (const [k, w] of Object.entries(want[group]!)) {
        const g = got[group][k]!;
        assert.equal(g.length, w.length);
        for (let j = 0; j < w.length; j++) {
          // float32 rounds each intermediate where adam.ts rounds once: an error of a few ulps of the largest term
          // (b1 m and (1 - b1) g can cancel in m); in p the update's share of it is a tiny fraction of lr
          const gmax = Math.max(...steps.map((s) => Math.abs(s[k]![j]!))) + opt.weight_decay * Math.abs(want.params[k]![j]!);
          const bound =
            group === 'params' ? 2 * ulp * Math.abs(w[j]!) + 1e-5 * opt.lr : group === 'm' ? 4 * ulp * gmax : 4 * ulp * (Math.abs(w[j]!) + gmax * gmax);
          worst = Math.max(worst, Math.abs(g[j]! - w[j]!) / bound);
        }
      }
      t.diagnostic(`opt ${i} ${group}: largest difference ${worst.toFixed(3)} of the bound`);
      assert.ok(worst <= 1, `opt ${i} ${group}: a difference ${worst} times the bound`);
    }
  });
});

test('bf16 Adam: the tfjs engine emulation bit for bit (float64 between the bf16 roundings)', { skip }, () => {
  OPTIMIZERS.forEach((opt, i) => {
    const { got, want } = run(opt, true, 20 + i);
    for (const group of ['params', 'm', 'v'] as const)
      for (const [k, w] of Object.entries(want[group]!)) {
        const g = Float32Array.from(got[group][k]!);
        const j = g.findIndex((x, j) => !Object.is(x, w[j]));
        assert.equal(j, -1, `opt ${i} ${group} ${k}[${j}]: torch ${g[j]} tfjs ${w[j]}`);
      }
  });
});
