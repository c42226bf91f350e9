import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fid, fitGaussian, frechetDistance, type Gaussian } from '../../../runtime/scoring/fid.js';
import { matMul, sqrtPsd, symEig } from '../../../runtime/scoring/linalg.js';
import { promptAlignment } from '../../../runtime/scoring/align.js';
import { SplitMix32 } from '../../../runtime/rng/splitmix32.js';

/** A random SPD matrix B B^T + eps I. */
function spd(n: number, rng: SplitMix32, eps = 0.1): Float64Array {
  const b = Float64Array.from({ length: n * n }, () => rng.normal());
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += b[i * n + k]! * b[j * n + k]!;
      a[i * n + j] = s / n + (i === j ? eps : 0);
    }
  return a;
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0);

test('symEig reconstructs A = V diag(w) V^T with orthonormal V', () => {
  const n = 24;
  const a = spd(n, new SplitMix32(1));
  const { values, vectors: v } = symEig(a, n);
  const vd = Float64Array.from(v, (x, idx) => x * values[idx % n]!);
  const vt = Float64Array.from({ length: n * n }, (_, idx) => v[(idx % n) * n + Math.floor(idx / n)]!);
  assert.ok(maxAbsDiff(matMul(vd, vt, n), a) < 1e-10);
  const eye = matMul(vt, v, n);
  assert.ok(
    maxAbsDiff(
      eye,
      Float64Array.from({ length: n * n }, (_, idx) => (idx % (n + 1) === 0 ? 1 : 0)),
    ) < 1e-10,
  );
});

test('sqrtPsd squared reproduces the matrix (64-d)', () => {
  const n = 64;
  const a = spd(n, new SplitMix32(2));
  const s = sqrtPsd(a, n);
  assert.ok(maxAbsDiff(matMul(s, s, n), a) < 1e-9);
});

test('FID of a set against itself is ~0; shifting the mean by delta adds |delta|^2', () => {
  const rng = new SplitMix32(3);
  const rows = Array.from({ length: 400 }, () => Float64Array.from({ length: 16 }, () => rng.normal() * 2 + 1));
  assert.ok(fid(rows, rows) < 1e-8);
  const shifted = rows.map((r) => r.map((x, i) => x + (i === 3 ? 0.5 : 0)));
  assert.ok(Math.abs(fid(rows, shifted) - 0.25) < 1e-8);
});

test('FID of two Gaussians equals the closed form', () => {
  // Commuting (diagonal) covariances: FID = |mu1-mu2|^2 + sum_i (sqrt(a_i) - sqrt(b_i))^2.
  const d = 5;
  const diag = (v: number[]) => Float64Array.from({ length: d * d }, (_, k) => (k % (d + 1) === 0 ? v[k / (d + 1)]! : 0));
  const ga: Gaussian = { mean: Float64Array.from([0, 1, 2, 3, 4]), cov: diag([1, 4, 9, 0.25, 2]), dim: d, count: 0 };
  const gb: Gaussian = { mean: Float64Array.from([1, 1, 2, 3, 2]), cov: diag([4, 1, 9, 1, 8]), dim: d, count: 0 };
  const expect = 1 + 4 + (1 - 2) ** 2 + (2 - 1) ** 2 + 0 + (0.5 - 1) ** 2 + (Math.sqrt(2) - Math.sqrt(8)) ** 2;
  assert.ok(Math.abs(frechetDistance(ga, gb) - expect) < 1e-9);
  // Non-commuting case: S2 = c^2 S1 gives tr(S1 + S2 - 2 c S1) = (1 - c)^2 tr S1.
  const n = 12;
  const s1 = spd(n, new SplitMix32(4));
  const c = 1.7;
  const g1: Gaussian = { mean: new Float64Array(n), cov: s1, dim: n, count: 0 };
  const g2: Gaussian = { mean: new Float64Array(n), cov: s1.map((x) => x * c * c), dim: n, count: 0 };
  let tr = 0;
  for (let i = 0; i < n; i++) tr += s1[i * n + i]!;
  assert.ok(Math.abs(frechetDistance(g1, g2) - (1 - c) ** 2 * tr) < 1e-8);
});

test('fitGaussian: sample mean and unbiased covariance', () => {
  const g = fitGaussian([
    [1, 2],
    [3, 2],
    [2, 5],
  ]);
  assert.deepEqual(Array.from(g.mean), [2, 3]);
  assert.ok(maxAbsDiff(g.cov, [1, 0, 0, 3]) < 1e-12);
});

test('prompt alignment counts matches per prompted class', () => {
  const a = promptAlignment([1, 1, 2, 0], [1, 2, 2, 0], 3);
  assert.equal(a.accuracy, 0.75);
  assert.deepEqual(a.perClass, [1, 1, 0.5]);
});
