import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { useWasm, relErr } from './setup.js';
import { linear, matMul2d } from '../../../../runtime/tfjs/nn/linear.js';
import { geluTanh } from '../../../../runtime/tfjs/nn/activations.js';
import { layerNorm, rmsNorm } from '../../../../runtime/tfjs/nn/norm.js';
import { patchify, unpatchify, unpatchifyCpq } from '../../../../runtime/tfjs/nn/patch.js';
import { timestepSinusoidal, sincosPosEmbed2d } from '../../../../runtime/tfjs/nn/embed.js';

before(() => useWasm());

const rnd = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

test('matMul2d: value and gradients equal tf.matMul with its default gradient', () => {
  const a = rnd([5, 7], 1);
  const b = rnd([7, 3], 2);
  const dy = rnd([5, 3], 3);
  const f = (g: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor) => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(g(a, b), dy)))([a, b]);
  const mine = f((a, b) => matMul2d(a, b));
  const ref = f((a, b) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D));
  assert.ok(relErr(matMul2d(a, b), tf.matMul(a, b)) < 1e-6);
  assert.ok(relErr(mine[0]!, ref[0]!) < 1e-6);
  assert.ok(relErr(mine[1]!, ref[1]!) < 1e-6);
});

test('linear [out,in] on rank-3 input: value and all gradients equal the autograd reference', () => {
  const x = rnd([2, 4, 6], 4);
  const w = rnd([5, 6], 5);
  const b = rnd([5], 6);
  const dy = rnd([2, 4, 5], 7);
  const loss = (g: typeof linear) => (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(g(x, w, b), dy));
  const ref = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.reshape(tf.add(tf.matMul(tf.reshape(x, [8, 6]), tf.transpose(w)), b), [2, 4, 5]);
  const gm = tf.grads(loss(linear))([x, w, b]);
  const gr = tf.grads(loss(ref))([x, w, b]);
  assert.deepEqual(linear(x, w, b).shape, [2, 4, 5]);
  assert.ok(relErr(linear(x, w, b), ref(x, w, b)) < 1e-6);
  for (let i = 0; i < 3; i++) assert.ok(relErr(gm[i]!, gr[i]!) < 1e-5, `grad ${i}`);
});

test('linear with a frozen (non-trainable) weight still passes the input gradient', () => {
  const x = rnd([3, 4], 8);
  const w = tf.variable(rnd([2, 4], 9), false);
  const b = tf.zeros([2]);
  const g = tf.grad((x: tf.Tensor) => tf.sum(linear(x, w, b)))(x);
  assert.ok(relErr(g, tf.tile(tf.sum(w, 0, true), [3, 1])) < 1e-6);
});

/** Central finite differences of sum(f(x) * dy) at a few coordinates. */
function fdCheck(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, tol: number): void {
  const dy = rnd(x.shape, 11);
  const loss = (x: tf.Tensor) => tf.sum(tf.mul(f(x), dy));
  const g = tf.grad(loss)(x).dataSync();
  const xs = x.dataSync();
  const h = 1e-2;
  for (const i of [0, 3, xs.length - 1]) {
    const p = Float32Array.from(xs);
    p[i]! += h;
    const m = Float32Array.from(xs);
    m[i]! -= h;
    const fd = (loss(tf.tensor(p, x.shape)).dataSync()[0]! - loss(tf.tensor(m, x.shape)).dataSync()[0]!) / (2 * h);
    assert.ok(Math.abs(fd - g[i]!) < tol * (1 + Math.abs(fd)), `coord ${i}: fd ${fd} vs grad ${g[i]}`);
  }
}

test('geluTanh equals 0.5 x (1 + tanh(sqrt(2/pi)(x + 0.044715 x^3))) and its gradient matches', () => {
  const x = tf.mul(rnd([4, 6], 12), 2);
  const ref = (x: tf.Tensor) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3)))))));
  assert.ok(relErr(geluTanh(x), ref(x)) < 1e-5);
  assert.ok(relErr(tf.grad((x: tf.Tensor) => tf.sum(geluTanh(x)))(x), tf.grad((x: tf.Tensor) => tf.sum(ref(x)))(x)) < 1e-4);
  fdCheck(geluTanh, x, 2e-2);
});

test('layerNorm / rmsNorm: values match the definition, custom gradients match autograd and finite differences', () => {
  const x = tf.add(tf.mul(rnd([3, 8], 13), 3), 1);
  const lnRef = (x: tf.Tensor) => {
    const m = tf.mean(x, -1, true);
    return tf.div(tf.sub(x, m), tf.sqrt(tf.add(tf.mean(tf.square(tf.sub(x, m)), -1, true), 1e-6)));
  };
  const rmsRef = (x: tf.Tensor) => tf.div(x, tf.sqrt(tf.add(tf.mean(tf.square(x), -1, true), 1e-6)));
  const dy = rnd([3, 8], 14);
  for (const [mine, ref] of [
    [(x: tf.Tensor) => layerNorm(x), lnRef],
    [(x: tf.Tensor) => rmsNorm(x), rmsRef],
  ] as const) {
    assert.ok(relErr(mine(x), ref(x)) < 1e-5);
    const g1 = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(mine(x), dy)))(x);
    const g2 = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(ref(x), dy)))(x);
    assert.ok(relErr(g1, g2) < 1e-4);
    fdCheck(mine, x, 3e-2);
  }
  // affine form
  const w = rnd([8], 15);
  const b = rnd([8], 16);
  assert.ok(relErr(layerNorm(x, 1e-6, w, b), tf.add(tf.mul(lnRef(x), w), b)) < 1e-5);
});

test('patchify puts pixel (c, y, x) at token (y/p, x/p), feature (c, y%p, x%p); unpatchify inverts', () => {
  const [B, C, H, W, p] = [2, 3, 8, 12, 4];
  const x = rnd([B, C, H, W], 17);
  const t = patchify(x, p);
  assert.deepEqual(t.shape, [B, (H / p) * (W / p), C * p * p]);
  const xv = x.arraySync() as number[][][][];
  const tv = t.arraySync() as number[][][];
  for (const [b, c, y, xx] of [
    [0, 0, 0, 0],
    [1, 2, 7, 11],
    [0, 1, 5, 6],
    [1, 0, 3, 9],
  ] as const) {
    const tok = Math.floor(y / p) * (W / p) + Math.floor(xx / p);
    assert.equal(tv[b]![tok]![c * p * p + (y % p) * p + (xx % p)], xv[b]![c]![y]![xx]);
  }
  assert.equal(relErr(unpatchifyCpq(t, p, C, H, W), x), 0);
  // unpatchify reads features in (py, px, c) order
  const tq = tf.reshape(tf.transpose(tf.reshape(t, [B, 6, C, p * p]), [0, 1, 3, 2]), [B, 6, p * p * C]);
  assert.equal(relErr(unpatchify(tq, p, C, H, W), x), 0);
});

test('timestep embedding is [cos, sin] of t * 10000^(-i/half); 2-D pos embedding is bounded and distinct per token', () => {
  const e = timestepSinusoidal(tf.tensor1d([0, 500]), 8).arraySync();
  assert.deepEqual(e[0], [1, 1, 1, 1, 0, 0, 0, 0]);
  assert.ok(Math.abs(e[1]![5]! - Math.sin(500 * Math.exp(-Math.log(10000) / 4))) < 1e-4);
  const pe = sincosPosEmbed2d(16, 3, 3);
  assert.ok(pe.every((v) => Math.abs(v) <= 1));
  const rows = new Set(Array.from({ length: 9 }, (_, i) => Array.from(pe.subarray(i * 16, i * 16 + 16), (v) => v.toFixed(4)).join()));
  assert.equal(rows.size, 9);
});
