// The GMM and Fig. 3 tables' numbers (runtime/scoring/mixture.ts) against closed forms and against an
// independent numpy computation (scripts/reference/mixture_metrics.py; skipped without numpy).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { creditSamples, energyDistance, mixtureMetrics, mixtureTruth, slicedW1, type MixtureTruth } from '../../../runtime/scoring/mixture.js';
import { makeGmm, sampleGmm } from '../../../runtime/data/gaussian-mixture.js';
import { Rng } from '../../../runtime/rng/prng.js';
import { writeNpy } from '../../../runtime/formats/npy.js';
import { repoPath } from '../../helpers/paths.js';
import { scratchDir } from '../formats/tmp.js';
import { pythonWith } from '../../helpers/python.js';

const numpy = pythonWith('numpy');

/** erf by Abramowitz-Stegun 7.1.26 (|error| < 1.5e-7: far below the sampling tolerances here). */
function erf(x: number): number {
  const s = Math.sign(x);
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}
const Phi = (x: number) => 0.5 * (1 + erf(x / Math.SQRT2));

/** Modified Bessel I_nu (nu = 0, 1) by its power series (converges fast for the arguments used). */
function besselI(nu: 0 | 1, x: number): number {
  let term = nu === 0 ? 1 : x / 2;
  let sum = term;
  for (let k = 1; k < 200; k++) {
    term *= (x * x) / 4 / (k * (k + nu));
    sum += term;
  }
  return sum;
}

/** Mean of the Rice distribution: |D| for D ~ N(delta e1, s^2 I_2). */
function riceMean(delta: number, s: number): number {
  const x = -(delta * delta) / (2 * s * s);
  const laguerreHalf = Math.exp(x / 2) * ((1 - x) * besselI(0, -x / 2) - x * besselI(1, -x / 2));
  return s * Math.sqrt(Math.PI / 2) * laguerreHalf;
}

function gaussians(n: number, dim: number, mean: number[], std: number, rng: Rng): Float32Array {
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) for (let k = 0; k < dim; k++) out[i * dim + k] = mean[k]! + std * rng.normal();
  return out;
}

/** The unbiased estimator over several seeds: |mean - expected| must be within 4 standard errors. */
function assertUnbiased(estimates: number[], expected: number, what: string): void {
  const m = estimates.reduce((a, b) => a + b, 0) / estimates.length;
  const sd = Math.sqrt(estimates.reduce((a, b) => a + (b - m) ** 2, 0) / (estimates.length - 1));
  const se = sd / Math.sqrt(estimates.length);
  assert.ok(Math.abs(m - expected) < 4 * se + 1e-3, `${what}: mean ${m} over ${estimates.length} seeds, closed form ${expected}, standard error ${se}`);
}

test("energy distance of two 1-D Gaussians matches the closed form 2E|X-Y| - E|X-X'| - E|Y-Y'|", () => {
  // X ~ N(0, 1), Y ~ N(1.5, 0.5^2): X - Y ~ N(-1.5, 1.25), E|N(d, s^2)| = s sqrt(2/pi) exp(-d^2 / 2s^2) + d (1 - 2 Phi(-d/s))
  const [mx, sx, my, sy] = [0, 1, 1.5, 0.5];
  const d = my - mx;
  const s = Math.hypot(sx, sy);
  const exy = s * Math.sqrt(2 / Math.PI) * Math.exp(-(d * d) / (2 * s * s)) + d * (1 - 2 * Phi(-d / s));
  const expected = 2 * exy - (2 * sx) / Math.sqrt(Math.PI) - (2 * sy) / Math.sqrt(Math.PI);
  const est = [1, 2, 3, 4, 5, 6].map((seed) => {
    const rng = new Rng(seed);
    return energyDistance(gaussians(800, 1, [mx], sx, rng), gaussians(800, 1, [my], sy, rng), 1);
  });
  assertUnbiased(est, expected, '1-D energy distance');
  // and zero in expectation for equal distributions
  const same = [7, 8, 9, 10, 11, 12].map((seed) => {
    const rng = new Rng(seed);
    return energyDistance(gaussians(800, 1, [0], 1, rng), gaussians(800, 1, [0], 1, rng), 1);
  });
  assertUnbiased(same, 0, '1-D energy distance, equal laws');
});

test('energy distance of two 2-D isotropic Gaussians matches the closed form (Rice mean)', () => {
  // X ~ N(0, sigma^2 I), Y ~ N(delta e1, sigma^2 I): E|X-Y| = Rice mean with s = sigma sqrt 2; E|X-X'| = sigma sqrt(pi)
  const [sigma, delta] = [0.7, 1.2];
  const expected = 2 * riceMean(delta, sigma * Math.SQRT2) - 2 * sigma * Math.sqrt(Math.PI);
  assert.ok(Math.abs(riceMean(0, 1) - Math.sqrt(Math.PI / 2)) < 1e-12, 'Rice mean at delta 0 is the Rayleigh mean');
  const est = [1, 2, 3, 4, 5, 6].map((seed) => {
    const rng = new Rng(100 + seed);
    return energyDistance(gaussians(700, 2, [0, 0], sigma, rng), gaussians(700, 2, [delta, 0], sigma, rng), 2);
  });
  assertUnbiased(est, expected, '2-D energy distance');
  // a hand-checkable case: one point each, |x - y| = 5, no within-sample pairs
  assert.equal(energyDistance(Float32Array.from([0, 0]), Float32Array.from([3, 4]), 2), 10);
});

test('sliced W1 of two shifted 2-D Gaussians is E|cos theta| |delta| = 2 |delta| / pi', () => {
  const rng = new Rng(5);
  const delta = 3;
  const x = gaussians(2000, 2, [0, 0], 0.3, rng);
  const y = gaussians(2000, 2, [delta, 0], 0.3, rng);
  const w = slicedW1(x, y, 2, new Rng(6), 3000);
  assert.ok(Math.abs(w - (2 * delta) / Math.PI) < 0.03, `sliced W1 ${w} vs ${(2 * delta) / Math.PI}`);
});

// class 0: A at (0, 0) and B at (4, 0), std 1 - their 3-std balls overlap; class 1: C at (10, 0), std 0.5
const OVERLAP: MixtureTruth = {
  dim: 2,
  classes: 2,
  components: [
    { class: 0, mean: [0, 0], std: 1, weight: 0.5 },
    { class: 0, mean: [4, 0], std: 1, weight: 0.5 },
    { class: 1, mean: [10, 0], std: 0.5, weight: 1 },
  ],
};

test('precision and coverage credit the NEAREST component of the own class, within 3 std', () => {
  // (1, 0) and (1.5, 0) lie within 3 std of both A and B but nearer A; (0, 2.9) is A's; (0, 3.1) nobody's;
  // a class-0 sample on C is not credited (C is class 1's); (10, 1.4) is C's (2.8 std), (10, 1.6) is not (3.2)
  const x = [1, 0, 1.5, 0, 0, 2.9, 0, 3.1, 10, 0, 10, 1.4, 10, 1.6];
  const c = [0, 0, 0, 0, 0, 1, 1];
  const r = creditSamples(OVERLAP, x, c);
  assert.deepEqual(Array.from(r.credited), [0, 0, 0, -1, -1, 2, -1]);
  assert.equal(r.precision, 4 / 7);
  // class 0 has 5 samples: A is expected 2.5 and gets 3 (share 1.2), B expected 2.5 and gets 0; C: 1 of 2
  assert.deepEqual(Array.from(r.share), [3 / 2.5, 0, 1 / 2]);
  assert.equal(r.coverage, 2 / 3);
});

test('true draws of a well separated mixture: precision = P(chi2_2 <= 9) = 1 - exp(-4.5), full coverage', () => {
  const g = makeGmm({ dim: 2, classes: 4, modesPerClass: 6, modeStd: 0.12, radius: 4, seed: 3 }); // the gmm example's mixture
  const n = 8000;
  const c = Int32Array.from({ length: n }, (_, i) => i % 4);
  const m = mixtureMetrics(g, sampleGmm(g, c, new Rng(21)), c);
  const p = 1 - Math.exp(-4.5);
  const se = Math.sqrt((p * (1 - p)) / n);
  assert.ok(Math.abs(m.precision - p) < 4 * se, `precision ${m.precision} vs ${p} (se ${se})`);
  assert.equal(m.coverage, 1);
  assert.ok(m.energy < 0.01, `energy of true draws vs true draws ${m.energy}`);
});

test('the mixture of examples/gmm.sid and recipes/fig3-gmm.sid is well separated: no sample is within 3 std of two components (the nearest rule changes no number there)', () => {
  for (const spec of [{ dim: 2, classes: 4, modesPerClass: 6, modeStd: 0.12, radius: 4, seed: 3 }]) {
    const t = mixtureTruth(makeGmm(spec));
    let closest = Infinity;
    t.components.forEach((a, i) =>
      t.components.forEach((b, j) => {
        if (j > i) closest = Math.min(closest, Math.hypot(a.mean[0]! - b.mean[0]!, a.mean[1]! - b.mean[1]!) / a.std);
      }),
    );
    assert.ok(closest >= 6, `closest components ${closest} std apart`);
  }
});

test('numpy, independently: precision, coverage, credited components and energy distance agree with sidc', { skip: numpy.skip }, () => {
  const dir = scratchDir('mixture-numpy');
  const rng = new Rng(4);
  // samples near OVERLAP's components, some far off, with classes
  const n = 400;
  const c = Int32Array.from({ length: n }, (_, i) => (i % 3 === 2 ? 1 : 0));
  const x = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const centre = c[i] === 1 ? [10, 0] : i % 2 ? [4, 0] : [0, 0];
    const spread = i % 7 === 0 ? 4 : 1.2;
    x[2 * i] = centre[0]! + spread * rng.normal();
    x[2 * i + 1] = centre[1]! + spread * rng.normal();
  }
  writeFileSync(join(dir, 'truth.json'), JSON.stringify(OVERLAP));
  writeNpy(join(dir, 'x.npy'), { dtype: 'f4', shape: [n, 2], data: x });
  writeNpy(join(dir, 'labels.npy'), { dtype: 'i4', shape: [n], data: c });
  const script = repoPath('scripts', 'reference', 'mixture_metrics.py');
  const r = spawnSync(numpy.exe, [script, join(dir, 'truth.json'), join(dir, 'x.npy'), join(dir, 'labels.npy')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const ref = JSON.parse(r.stdout) as { precision: number; coverage: number; credited: number[] };
  const ours = creditSamples(OVERLAP, x, c);
  assert.deepEqual(Array.from(ours.credited), ref.credited);
  assert.equal(ours.precision, ref.precision);
  assert.equal(ours.coverage, ref.coverage);
  const y = gaussians(300, 2, [1, 1], 2, rng);
  writeNpy(join(dir, 'y.npy'), { dtype: 'f4', shape: [300, 2], data: y });
  const e = spawnSync(numpy.exe, [script, '--energy', join(dir, 'x.npy'), join(dir, 'y.npy')], { encoding: 'utf8' });
  assert.equal(e.status, 0, e.stderr);
  const refE = (JSON.parse(e.stdout) as { energy: number }).energy;
  assert.ok(Math.abs(energyDistance(x, y, 2) - refE) < 1e-9 * Math.abs(refE) + 1e-12, `energy ${energyDistance(x, y, 2)} vs numpy ${refE}`);
});
