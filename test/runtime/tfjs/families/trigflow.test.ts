// TrigFlow <-> rectified flow (docs/algorithm.md §1) against closed forms: for Gaussian data x0 ~ N(0, a^2 I)
// the exact rectified-flow velocity v*(x, t) = E[eps - x0 | x_t = x] and the exact TrigFlow prediction
// F*(y, s) = E[cos s eps - sin s x0 | y] are known, so the mapping must turn F* into v* exactly, and
// SANA-Sprint's wrapper must turn v* into F*. Embedded guidance (FLUX, SANA-Sprint) is one conditional
// pass with the scale in the guidance embedder.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { relErr, useWasm } from '../nn/setup.js';
import { scratchDir } from '../../formats/tmp.js';
import { SIGMA_DATA, rectifiedFlowVelocity, rfTimeOf, sanaSprintTrigflow, trigOfRf, trigTimeOf } from '../../../../runtime/tfjs/families/trigflow.js';
import { writeTinyFamilyTeacher } from '../../../../runtime/tfjs/families/tiny-teacher.js';
import { loadFamilyTeacher } from '../../../../runtime/tfjs/families/teacher.js';
import { FamilyNet } from '../../../../runtime/tfjs/families/net.js';
import { guidedVelocity } from '../../../../runtime/tfjs/loop/sampling.js';
import { makePrecision } from '../../../../runtime/tfjs/precision/policy.js';
import { SplitMix32 } from '../../../../runtime/rng/splitmix32.js';

before(() => useWasm());

const A = 0.7; // data std in rectified-flow units
const col = (v: tf.Tensor1D) => tf.reshape(v, [-1, 1]);
/** v*(x, t) = (t - (1 - t) a^2) / ((1 - t)^2 a^2 + t^2) x */
const vStar = (x: tf.Tensor, t: tf.Tensor1D) =>
  tf.mul(x, col(tf.div(tf.sub(t, tf.mul(tf.sub(1, t), A * A)), tf.add(tf.mul(tf.square(tf.sub(1, t)), A * A), tf.square(t))) as tf.Tensor1D));
/** F*(y, s) = sin s cos s (1 - a^2) / (cos^2 s a^2 + sin^2 s) y */
const fStar = (y: tf.Tensor, s: tf.Tensor1D) =>
  tf.mul(y, col(tf.div(tf.mul(tf.mul(tf.sin(s), tf.cos(s)), 1 - A * A), tf.add(tf.mul(tf.square(tf.cos(s)), A * A), tf.square(tf.sin(s)))) as tf.Tensor1D));

const TS = [0.02, 0.1, 0.3, 0.5, 0.7, 0.9, 0.98];

test('t = sin s / (sin s + cos s) and x_rf = x_trig / sigma_d sqrt(t^2 + (1 - t)^2) hold for a sampled pair', () => {
  const rng = new SplitMix32(1);
  for (const s of [0.05, 0.4, Math.PI / 4, 1.2, 1.5]) {
    const t = rfTimeOf(s);
    assert.ok(Math.abs(trigTimeOf(t) - s) < 1e-12, `s round trip at ${s}`);
    const [x0, eps] = [rng.normal(), rng.normal()];
    const xTrig = Math.cos(s) * SIGMA_DATA * x0 + Math.sin(s) * SIGMA_DATA * eps;
    const xRf = (1 - t) * x0 + t * eps;
    assert.ok(Math.abs((xTrig / SIGMA_DATA) * Math.hypot(t, 1 - t) - xRf) < 1e-12, 'docs/algorithm.md §1 x mapping');
    assert.ok(Math.abs(trigOfRf(xRf, t) - xTrig) < 1e-12);
  }
  assert.ok(Math.abs(rfTimeOf(Math.PI / 4) - 0.5) < 1e-15);
});

test('the exact TrigFlow predictor F* seen through the mapping is the exact rectified-flow velocity v*', () => {
  const x = tf.randomNormal([TS.length, 5], 0, 1, 'float32', 2);
  const t = tf.tensor1d(TS);
  const v = rectifiedFlowVelocity(fStar, x, t);
  const err = relErr(v, vStar(x, t));
  assert.ok(err < 1e-5, `rel err ${err}`);
  // a wrong time map (s = pi t / 2) breaks it: the test can fail
  assert.ok(
    relErr(
      rectifiedFlowVelocity((y) => fStar(y, tf.mul(t, Math.PI / 2) as tf.Tensor1D), x, t),
      vStar(x, t),
    ) > 1e-2,
  );
});

test("SANA-Sprint's wrapper turns the exact flow-view velocity into the exact TrigFlow prediction", () => {
  const y = tf.randomNormal([TS.length, 5], 0, 1, 'float32', 3);
  const s = tf.tensor1d(TS.map(trigTimeOf));
  const F = sanaSprintTrigflow((x, t) => vStar(x, t))(y, s);
  const err = relErr(F, fStar(y, s));
  assert.ok(err < 1e-5, `rel err ${err}`);
});

test('a SANA-Sprint FamilyNet (objective trigflow) equals its flow-view transformer: the map composes to the identity', () => {
  const dir = scratchDir('trig-sprint');
  writeTinyFamilyTeacher('sana-sprint', dir, { seed: 4 });
  const { net, text } = loadFamilyTeacher({ checkpoint: dir, text: `${dir}/text.safetensors`, latent: { height: 4, width: 4 } });
  const trig = new FamilyNet({ ...net.opts, weights: Object.fromEntries(net.params), objective: 'trigflow' });
  const x = tf.randomNormal([3, net.dim], 0, 1, 'float32', 5) as tf.Tensor2D;
  const t = tf.tensor1d([0.2, 0.5, 0.9]);
  const c = tf.tensor1d([1, 2, 3], 'int32');
  const err = relErr(trig.forward(x, t, c), net.forward(x, t, c));
  assert.ok(err < 1e-4, `rel err ${err}`);
  trig.dispose();
  net.dispose();
  text.dispose();
});

for (const family of ['flux', 'sana-sprint']) {
  test(`${family}: embedded guidance is one conditional pass with the scale in the guidance embedder`, () => {
    const dir = scratchDir(`emb-${family}`);
    writeTinyFamilyTeacher(family, dir, { seed: 6 });
    const { net, text } = loadFamilyTeacher({ checkpoint: dir, text: `${dir}/text.safetensors`, latent: { height: 4, width: 4 } });
    const x = tf.randomNormal([2, net.dim], 0, 1, 'float32', 7) as tf.Tensor2D;
    const t = tf.tensor1d([0.3, 0.8]);
    const c = tf.tensor1d([1, 2], 'int32');
    const p = makePrecision('fp32');
    const batches: number[] = [];
    const forward = net.forward.bind(net);
    net.forward = (xi, ti, ci, pi) => (batches.push(xi.shape[0]), forward(xi, ti, ci, pi));
    const g = guidedVelocity(net, x, t, c, { mode: 'embedded', scale: 4.5 }, 1, p);
    assert.deepEqual(batches, [2], 'one pass, no doubled batch');
    assert.equal(net.guidance, 1, 'the net keeps guidance 1.0 (what G sees)');
    const at45 = net.clone(false);
    at45.guidance = 4.5;
    assert.ok(relErr(g, at45.forward(x, t, c, p)) < 1e-6);
    assert.ok(relErr(g, forward(x, t, c, p)) > 1e-3, 'the scale reaches the embedder');
    at45.dispose();
    net.dispose();
    text.dispose();
  });
}

test('embedded guidance on a backbone without a guidance embedding is refused', () => {
  const dir = scratchDir('emb-sd3');
  writeTinyFamilyTeacher('sd3', dir);
  const { net, text } = loadFamilyTeacher({ checkpoint: dir, text: `${dir}/text.safetensors`, latent: { height: 4, width: 4 } });
  const x = tf.zeros([1, net.dim]) as tf.Tensor2D;
  assert.throws(
    () => guidedVelocity(net, x, tf.tensor1d([0.5]), tf.tensor1d([1], 'int32'), { mode: 'embedded', scale: 4.5 }, 1000, makePrecision('fp32')),
    /needs a guidance-embedding backbone; sd3 has none/,
  );
  net.dispose();
  text.dispose();
});
