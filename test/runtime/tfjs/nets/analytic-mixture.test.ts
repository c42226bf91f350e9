// The analytic mixture teacher: exact posterior mean against a Monte-Carlo posterior mean (importance
// weights of prior draws), and eq. 11/12's parameterisations of the same denoiser agree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../../runtime/tfjs/backend/select.js';
import { GmmTeacher } from '../../../../runtime/tfjs/nets/analytic-mixture.js';
import { makeGmm, sampleGmm } from '../../../../runtime/data/gaussian-mixture.js';
import { Rng } from '../../../../runtime/rng/prng.js';
import { FP32 } from '../../../../runtime/tfjs/precision/policy.js';

await initBackend({ prefer: 'cpu' });
const gmm = makeGmm({ dim: 2, classes: 2, modesPerClass: 2, modeStd: 0.5, radius: 2, seed: 4 });
const teacher = new GmmTeacher(gmm);

test('E[x0 | x_t, c] equals the Monte-Carlo posterior mean (self-normalised importance sampling)', () => {
  const rng = new Rng(11);
  const N = 200000;
  // typical points x_t = (1 - t) x0 + t eps of the class (MC is only reliable where the prior has mass)
  for (const [t, c] of [
    [0.5, 0],
    [0.3, 1],
    [0.8, 2],
    [0.1, 0],
  ] as const) {
    const x0 = sampleGmm(gmm, [c], rng);
    const x1 = (1 - t) * x0[0]! + t * rng.normal();
    const x2 = (1 - t) * x0[1]! + t * rng.normal();
    const prior = sampleGmm(gmm, new Int32Array(N).fill(c), rng);
    let w = 0;
    let m1 = 0;
    let m2 = 0;
    for (let i = 0; i < N; i++) {
      // p(x_t | x0) = N(x_t; (1 - t) x0, t^2 I)
      const d1 = x1 - (1 - t) * prior[2 * i]!;
      const d2 = x2 - (1 - t) * prior[2 * i + 1]!;
      const wi = Math.exp(-(d1 * d1 + d2 * d2) / (2 * t * t));
      w += wi;
      m1 += wi * prior[2 * i]!;
      m2 += wi * prior[2 * i + 1]!;
    }
    const exact = tf.tidy(() => teacher.posteriorMean(tf.tensor2d([[x1, x2]]), tf.tensor1d([t]), tf.tensor1d([c], 'int32'), FP32).dataSync());
    assert.ok(Math.abs(exact[0]! - m1 / w) < 0.02 && Math.abs(exact[1]! - m2 / w) < 0.02, `t=${t} c=${c}: exact ${exact} vs MC ${m1 / w}, ${m2 / w}`);
  }
});

test("eq. 11's parameterisations of the score agree: x0-, eps- and velocity-views round-trip", () => {
  tf.tidy(() => {
    const rng = new Rng(3);
    const B = 64;
    const x = tf.tensor2d(rng.normals(B * 2), [B, 2]);
    const tv = Float32Array.from({ length: B }, () => 0.05 + 0.9 * rng.uniform());
    const t = tf.tensor1d(tv);
    const c = tf.tensor1d(
      Int32Array.from({ length: B }, (_, i) => i % 3),
      'int32',
    );
    const v = teacher.forward(x, t, c, FP32);
    const tc = tf.reshape(t, [-1, 1]);
    const f = tf.sub(x, tf.mul(tc, v)); // x0-prediction, eq. 11
    const eps = tf.add(x, tf.mul(tf.sub(1, tc), v)); // E[eps | x_t] = x_t + (1 - t) v
    // v = (x_t - f) / t = (eps - x_t) / (1 - t), and score S = -(x_t + (1 - t) v) / t = -eps / t (eq. 12)
    const v1 = tf.div(tf.sub(x, f), tc);
    const v2 = tf.div(tf.sub(eps, x), tf.sub(1, tc));
    const s1 = tf.neg(tf.div(tf.add(x, tf.mul(tf.sub(1, tc), v)), tc));
    const s2 = tf.neg(tf.div(tf.sub(x, tf.mul(tf.sub(1, tc), f)), tf.square(tc))); // x0-prediction form with alpha = 1 - t, sigma = t
    const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
    assert.ok(maxDiff(v1, v) < 1e-3, `v from x0 view: ${maxDiff(v1, v)}`);
    assert.ok(maxDiff(v2, v) < 1e-3, `v from eps view: ${maxDiff(v2, v)}`);
    assert.ok(maxDiff(s1, s2) < 1e-2, `score views: ${maxDiff(s1, s2)}`);
    // and the mixture velocity equals E[eps - x0 | x_t]: E[eps] - E[x0] = v
    assert.ok(maxDiff(tf.sub(eps, f), v) < 1e-4);
  });
});

test('the null condition is the class-marginal mixture: v(x, t, null) = sum_c p(c | x_t) v(x, t, c)', () => {
  tf.tidy(() => {
    const x = tf.tensor2d([[0.4, -0.7]]);
    const t = 0.6;
    const vnull = teacher.forward(x, tf.tensor1d([t]), tf.tensor1d([gmm.classes], 'int32'), FP32).dataSync();
    // p(c | x_t) proportional to p(x_t | c): mixture densities of x_t
    const dens = (c: number) => {
      let s = 0;
      const v = (1 - t) ** 2 * gmm.modeStd ** 2 + t * t;
      for (let j = 0; j < gmm.modesPerClass; j++) {
        const k = c * gmm.modesPerClass + j;
        const d = (0.4 - (1 - t) * gmm.means[2 * k]!) ** 2 + (-0.7 - (1 - t) * gmm.means[2 * k + 1]!) ** 2;
        s += Math.exp(-d / (2 * v));
      }
      return s;
    };
    const w = [0, 1].map(dens);
    const z = w[0]! + w[1]!;
    const vc = [0, 1].map((c) => teacher.forward(x, tf.tensor1d([t]), tf.tensor1d([c], 'int32'), FP32).dataSync());
    for (let i = 0; i < 2; i++) assert.ok(Math.abs(vnull[i]! - (w[0]! * vc[0]![i]! + w[1]! * vc[1]![i]!) / z) < 1e-4);
  });
});

test("a symmetric mixture mirrors each class's components, so every class mean is the origin", () => {
  const g = makeGmm({ dim: 2, classes: 4, modesPerClass: 6, modeStd: 0.12, radius: 4, seed: 3, symmetric: true });
  for (let k = 0; k < 4; k++) {
    let m1 = 0;
    let m2 = 0;
    for (let j = 0; j < 6; j++) {
      m1 += g.means[2 * (k * 6 + j)]!;
      m2 += g.means[2 * (k * 6 + j) + 1]!;
    }
    assert.ok(Math.abs(m1) < 1e-6 && Math.abs(m2) < 1e-6, `class ${k} mean (${m1 / 6}, ${m2 / 6})`);
  }
  // components still separated: no two closer than 6 mode_std
  for (let i = 0; i < 24; i++)
    for (let j = 0; j < i; j++) {
      const d = Math.hypot(g.means[2 * i]! - g.means[2 * j]!, g.means[2 * i + 1]! - g.means[2 * j + 1]!);
      assert.ok(d >= 6 * 0.12, `components ${i} and ${j} are ${d} apart`);
    }
  // the exact denoiser agrees: at t = 1 the conditional and null posterior means coincide (both 0)
  const x = tf.tensor2d([[0.3, -0.8]]);
  const tv = tf.tensor1d([1]);
  const gt = new GmmTeacher(g);
  const cond = tf.tidy(() => gt.posteriorMean(x, tv, tf.tensor1d([1], 'int32'), FP32).dataSync());
  const nul = tf.tidy(() => gt.posteriorMean(x, tv, tf.tensor1d([4], 'int32'), FP32).dataSync());
  assert.ok(Math.hypot(cond[0]! - nul[0]!, cond[1]! - nul[1]!) < 1e-4, `${cond} vs ${nul}`);
  assert.throws(() => makeGmm({ dim: 2, classes: 2, modesPerClass: 3, modeStd: 0.1, radius: 4, seed: 0, symmetric: true }), /even number/);
});
