// Forward passes of the tiny teachers loaded from disk: shapes, finiteness, determinism, conditioning,
// the zero-initialised output layer, the discriminator features, and text-encoding checks.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { useWasm } from '../nn/setup.js';
import { FAMILIES, writeTinyTeacher, tinyText } from './fixtures.js';
import { loadTransformer } from '../../../../runtime/tfjs/families/load.js';
import { readTextEncodings, writeTextEncodings, TextTable } from '../../../../runtime/tfjs/families/text.js';
import { FamilyNet } from '../../../../runtime/tfjs/families/net.js';
import { hiddenOf, type FamilyName } from '../../../../runtime/tfjs/families/config.js';
import { UserError } from '../../../../common/errors.js';
import { makePrecision } from '../../../../runtime/tfjs/precision/policy.js';

before(() => useWasm());

function netOf(f: FamilyName, o: { zeroOut?: boolean; seed?: number } = {}) {
  const w = writeTinyTeacher(f, o.seed ?? 1, o);
  const ld = loadTransformer(w.root);
  const text = new TextTable(readTextEncodings(w.text));
  const net = new FamilyNet({ config: ld.info.config, weights: ld.tensors, text, latent: { height: 8, width: 8 }, trainable: false, guidance: 3.5 });
  return { w, net, text };
}

const inputs = (dim: number) => ({
  x: tf.randomNormal([2, dim], 0, 1, 'float32', 5) as tf.Tensor2D,
  t: tf.tensor1d([600, 300]),
  c: tf.tensor1d([1, 2], 'int32'),
});

for (const f of FAMILIES) {
  test(`${f}: v has the latent's shape, is finite, deterministic and depends on the prompt`, () => {
    const { net, text } = netOf(f);
    const { x, t, c } = inputs(net.dim);
    const v1 = net.forward(x, t, c);
    const v2 = net.forward(x, t, c);
    assert.deepEqual(v1.shape, [2, net.dim]);
    assert.ok((v1.dataSync() as Float32Array).every(Number.isFinite));
    assert.deepEqual(v1.dataSync(), v2.dataSync());
    const again = netOf(f).net; // a second load of the same files
    assert.deepEqual(again.forward(x, t, c).dataSync(), v1.dataSync());
    const vNull = net.forward(x, t, tf.tensor1d([net.nullCondition, net.nullCondition], 'int32'));
    assert.ok(tf.max(tf.abs(tf.sub(vNull, v1))).dataSync()[0]! > 1e-4, 'the prompt must change v');
    const vt = net.forward(x, tf.tensor1d([100, 900]), c);
    assert.ok(tf.max(tf.abs(tf.sub(vt, v1))).dataSync()[0]! > 1e-4, 'the timestep must change v');
    // discriminator features: tokens after the final norm, averaged -> [B, D]
    assert.deepEqual(net.features(x, t, c).shape, [2, hiddenOf(net.opts.config)]);
    // a copy computes the same function with its own variables
    const copy = net.clone(true);
    assert.deepEqual(copy.forward(x, t, c).dataSync(), v1.dataSync());
    assert.ok([...copy.params.values()].every((p) => p.trainable));
    assert.notEqual(copy.params.get([...copy.params.keys()][0]!), net.params.get([...net.params.keys()][0]!));
    copy.dispose();
    again.dispose();
    net.dispose();
    text.dispose();
  });

  test(`${f}: zero-initialised final layers give exactly zero velocity (features are not zero)`, () => {
    const { net, text } = netOf(f, { zeroOut: true });
    const { x, t, c } = inputs(net.dim);
    assert.ok((net.forward(x, t, c).dataSync() as Float32Array).every((v) => v === 0));
    assert.ok(tf.max(tf.abs(net.features(x, t, c))).dataSync()[0]! > 0);
    net.dispose();
    text.dispose();
  });
}

test('sana: padded text tokens are masked out; real tokens matter', () => {
  const { w, net, text } = netOf('sana');
  const enc = readTextEncodings(w.text);
  const [n, l, d] = enc.seq.shape;
  const row = 1; // 3 real tokens, 3 padding (fixtures)
  const edit = (tok: number) => {
    const seq = Float32Array.from(enc.seq.data);
    for (let j = 0; j < d; j++) seq[(row * l + tok) * d + j] += 5;
    const p = join(w.root, `text-${tok}.safetensors`);
    writeTextEncodings(p, { ...enc, seq: { shape: [n, l, d], data: seq } });
    const t2 = new TextTable(readTextEncodings(p));
    const n2 = new FamilyNet({ ...net.opts, text: t2 });
    return { n2, t2 };
  };
  const { x, t } = inputs(net.dim);
  const c = tf.tensor1d([row, row], 'int32');
  const v = net.forward(x, t, c).dataSync();
  const pad = edit(5);
  const real = edit(0);
  const vPad = pad.n2.forward(x, t, c).dataSync();
  const vReal = real.n2.forward(x, t, c).dataSync();
  let dPad = 0;
  let dReal = 0;
  for (let i = 0; i < v.length; i++) {
    dPad = Math.max(dPad, Math.abs(vPad[i]! - v[i]!));
    dReal = Math.max(dReal, Math.abs(vReal[i]! - v[i]!));
  }
  assert.ok(dPad < 1e-5, `padding changed v by ${dPad}`);
  assert.ok(dReal > 1e-3, `a real token changed v by only ${dReal}`);
  for (const k of [pad, real]) {
    k.n2.dispose();
    k.t2.dispose();
  }
  net.dispose();
  text.dispose();
});

test('flux: the guidance embedding changes v (generator keeps 1.0, teacher takes its scale)', () => {
  const { net, text } = netOf('flux');
  const { x, c } = inputs(net.dim);
  const tf1 = tf.tensor1d([0.6, 0.3]);
  const a = net.forward(x, tf1, c).dataSync();
  net.guidance = 1;
  const b = net.forward(x, tf1, c).dataSync();
  assert.ok(a.some((v, i) => Math.abs(v - b[i]!) > 1e-4));
  net.dispose();
  text.dispose();
});

test('text encodings: the empty prompt is required and widths are checked against the teacher', () => {
  const { w } = netOf('sd3');
  const cfg = loadTransformer(w.root).info.config;
  const noNull = join(w.root, 'no-null.safetensors');
  writeTextEncodings(noNull, tinyText(cfg, ['a cat', 'a dog'], 3));
  assert.throws(
    () => readTextEncodings(noNull),
    (e: Error) => e instanceof UserError && /empty prompt "" is missing: it is the null condition/.test(e.message),
  );
  assert.throws(
    () => readTextEncodings(w.text, { seq: 4096, pooled: 2048, teacher: 'sd3_medium' }),
    (e: Error) =>
      /prompt_embeds are 64-wide but sd3_medium takes 4096/.test(e.message) && /pooled_prompt_embeds are 32-wide but sd3_medium takes 2048/.test(e.message),
  );
  const ok = readTextEncodings(w.text, { seq: 64, pooled: 32, teacher: 'sd3_tiny' });
  assert.equal(ok.prompts[0], '');
  assert.equal(ok.mask.data.length, 3 * 6);
});

test('precision policies reach every Linear: amp (bf16 compute) stays close to fp32 but is not identical', () => {
  const { net, text } = netOf('sd3');
  const { x, t, c } = inputs(net.dim);
  const a = net.forward(x, t, c, makePrecision('fp32'));
  const b = net.forward(x, t, c, makePrecision('amp'));
  const diff = tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
  const scale = tf.max(tf.abs(a)).dataSync()[0]!;
  assert.ok(diff > 0 && diff < 0.05 * scale, `amp vs fp32: ${diff} of ${scale}`);
  net.dispose();
  text.dispose();
});

for (const f of FAMILIES) {
  test(`${f}: d<r, v>/dx through every layer agrees with central finite differences`, () => {
    const { net, text } = netOf(f, { seed: 4 });
    const { t, c } = inputs(net.dim);
    const x = tf.mul(tf.randomNormal([2, net.dim], 0, 1, 'float32', 8), 0.5) as tf.Tensor2D;
    const r = tf.randomNormal([2, net.dim], 0, 1, 'float32', 9);
    const u = tf.randomNormal([2, net.dim], 0, 1, 'float32', 10);
    const f0 = (xx: tf.Tensor) => tf.sum(tf.mul(net.forward(xx as tf.Tensor2D, t, c), r));
    const g = tf.grad(f0)(x);
    const analytic = tf.sum(tf.mul(g, u)).dataSync()[0]!;
    const h = 1e-3; // small: SANA's ReLU kernels make larger steps cross kinks
    const fd = (f0(tf.add(x, tf.mul(u, h))).dataSync()[0]! - f0(tf.sub(x, tf.mul(u, h))).dataSync()[0]!) / (2 * h);
    assert.ok(Math.abs(analytic - fd) < 2e-2 * Math.max(1, Math.abs(fd)), `${f}: analytic ${analytic} vs finite difference ${fd}`);
    net.dispose();
    text.dispose();
  });
}
