import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { useWasm, relErr } from '../nn/setup.js';
import { DiT, ditConfig } from '../../../../runtime/tfjs/nets/dit.js';
import { bagOfWords } from '../../../../runtime/tfjs/nets/dit-text.js';
import { ditGuidedVelocity as guidedVelocity, sampleEuler } from '../../../../runtime/tfjs/nets/dit-sample.js';

before(() => useWasm());

const cfg = ditConfig('dit_tiny');

/** Re-draw every parameter (so adaLN-Zero layers are no longer zero). */
function perturb(p: Record<string, tf.Variable>, seed: number): void {
  let s = seed;
  for (const v of Object.values(p)) v.assign(tf.mul(tf.randomNormal(v.shape, 0, 1, 'float32', s++), 0.3));
}

test('shapes(), init() and paramNames agree, with torch [out, in] Linear weights', () => {
  const net = new DiT(cfg);
  const p = net.init(0);
  const shapes = net.shapes();
  assert.deepEqual(Object.keys(p), Object.keys(shapes));
  assert.deepEqual(net.paramNames, Object.keys(shapes));
  for (const [n, s] of Object.entries(shapes)) assert.deepEqual(p[n]!.shape, s, n);
  assert.deepEqual(shapes['transformer_blocks.0.ff.net.0.proj.weight'], [cfg.hidden * cfg.mlpRatio, cfg.hidden]);
  assert.deepEqual(shapes['proj_out.weight'], [cfg.patch * cfg.patch * cfg.channels, cfg.hidden]);
});

test('init is deterministic in the seed', () => {
  const net = new DiT(cfg);
  const a = net.init(3);
  const b = net.init(3);
  const c = net.init(4);
  const w = 'transformer_blocks.1.attn.to_k.weight';
  assert.equal(relErr(a[w]!, b[w]!), 0);
  assert.ok(relErr(a[w]!, c[w]!) > 0);
});

test('adaLN-Zero: the velocity is exactly zero at init; finalHidden is [B, N, D]', () => {
  const net = new DiT(cfg);
  const p = net.init(1);
  const x = tf.randomNormal([3, 1, 8, 8], 0, 1, 'float32', 5);
  const t = tf.tensor1d([0, 400, 1000]);
  const cond = net.encodeText(p, ['a handwritten digit one', '', 'a digit two']);
  const v = net.velocity(p, x, t, cond);
  assert.deepEqual(v.shape, [3, 1, 8, 8]);
  assert.ok(v.dataSync().every((e) => e === 0));
  assert.deepEqual(net.finalHidden(p, x, t, cond).shape, [3, net.tokens, cfg.hidden]);
});

test('after perturbation the velocity depends on x, t and the caption, and is per-sample independent', () => {
  const net = new DiT(cfg);
  const p = net.init(1);
  perturb(p, 100);
  const x = tf.randomNormal([2, 1, 8, 8], 0, 1, 'float32', 6);
  const t = tf.tensor1d([300, 300]);
  const c1 = net.encodeText(p, ['a handwritten digit one', 'a handwritten digit one']);
  const c2 = net.encodeText(p, ['a handwritten digit two', 'a handwritten digit one']);
  const v1 = net.velocity(p, x, t, c1);
  const v2 = net.velocity(p, x, t, c2);
  const [a1, b1] = tf.split(v1, 2, 0);
  const [a2, b2] = tf.split(v2, 2, 0);
  assert.ok(relErr(a1!, a2!) > 1e-3, 'caption changes sample 0');
  assert.ok(relErr(b1!, b2!) < 1e-5, 'sample 1 unaffected by sample 0');
  assert.ok(relErr(net.velocity(p, x, tf.tensor1d([900, 900]), c1), v1) > 1e-3, 't matters');
});

test('gradients flow into every parameter once perturbed', () => {
  const net = new DiT(cfg);
  const p = net.init(2);
  perturb(p, 200);
  const x = tf.randomNormal([2, 1, 8, 8], 0, 1, 'float32', 7);
  const { grads } = tf.variableGrads(() => {
    const v = net.velocity(p, x, tf.tensor1d([100, 800]), net.encodeText(p, ['a digit one', 'a handwritten digit two']));
    return tf.sum(tf.square(v)) as tf.Scalar;
  }, Object.values(p));
  for (const [n, v] of Object.entries(p)) {
    if (n === 'text_encoder.token_embedding.weight') continue; // only rows of used words get gradient
    assert.ok(tf.max(tf.abs(grads[v.name]!)).dataSync()[0]! > 0, n);
  }
});

test('text encoder: empty caption is the zero (null) embedding; words are mean-pooled; unknown -> <unk>', () => {
  const vocab = ['<unk>', 'a', 'digit', 'one'];
  const m = bagOfWords(vocab, ['', 'a digit one', 'A one one zebra']).arraySync();
  assert.deepEqual(m[0], [0, 0, 0, 0]);
  assert.deepEqual(
    m[1]!.map((x) => +x.toFixed(5)),
    [0, 0.33333, 0.33333, 0.33333],
  );
  assert.deepEqual(m[2], [0.25, 0.25, 0, 0.5]);
});

test('CFG: w = 1 gives the conditional velocity, w = 0 the unconditional one; Euler with a zero net returns its noise', () => {
  const net = new DiT(cfg);
  const p = net.init(3);
  const noise = tf.randomNormal([2, 1, 8, 8], 0, 1, 'float32', 8) as tf.Tensor4D;
  assert.equal(relErr(sampleEuler(net, p, ['a digit one', 'a digit two'], { steps: 3, cfg: 4, seed: 0, noise }), noise), 0);
  perturb(p, 300);
  const cond = net.encodeText(p, ['a digit one', 'a digit two']);
  const nul = net.encodeText(p, ['', '']);
  const t = tf.tensor1d([0.5, 0.25]);
  const ts = tf.mul(t, cfg.timeScale);
  assert.ok(relErr(guidedVelocity(net, p, noise, t, cond, nul, 1), net.velocity(p, noise, ts, cond)) < 1e-5);
  assert.ok(relErr(guidedVelocity(net, p, noise, t, cond, nul, 0), net.velocity(p, noise, ts, nul)) < 1e-5);
  const w3 = guidedVelocity(net, p, noise, t, cond, nul, 3);
  const ref = tf.add(net.velocity(p, noise, ts, nul), tf.mul(tf.sub(net.velocity(p, noise, ts, cond), net.velocity(p, noise, ts, nul)), 3));
  assert.ok(relErr(w3, ref) < 1e-4);
});
