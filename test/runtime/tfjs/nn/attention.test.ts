import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { useWasm, relErr } from './setup.js';
import { attentionCore, attentionReference, mergeHeads, splitHeads, selfAttention } from '../../../../runtime/tfjs/nn/attention.js';

before(() => useWasm());

const rnd = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

/** softmax(q k^T / sqrt(d)) v written out with plain JS loops. */
function naive(q: number[][][], k: number[][][], v: number[][][]): number[][][] {
  return q.map((qg, g) =>
    qg.map((qi) => {
      const s = k[g]!.map((kj) => qi.reduce((a, x, d) => a + x * kj[d]!, 0) / Math.sqrt(qi.length));
      const mx = Math.max(...s);
      const e = s.map((x) => Math.exp(x - mx));
      const z = e.reduce((a, b) => a + b, 0);
      return v[g]![0]!.map((_, d) => e.reduce((a, w, j) => a + (w / z) * v[g]![j]![d]!, 0));
    }),
  );
}

test('attentionCore equals a naive loop implementation', () => {
  const [q, k, v] = [rnd([3, 5, 4], 1), rnd([3, 5, 4], 2), rnd([3, 5, 4], 3)];
  const ref = naive(q.arraySync() as number[][][], k.arraySync() as number[][][], v.arraySync() as number[][][]);
  assert.ok(relErr(attentionCore(q, k, v), ref.flat(2)) < 1e-5);
});

test('attentionCore gradients (hand-written backward) equal autograd of the batched reference', () => {
  const [q, k, v] = [rnd([4, 6, 3], 4), rnd([4, 6, 3], 5), rnd([4, 6, 3], 6)];
  const dy = rnd([4, 6, 3], 7);
  const g1 = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(attentionCore(a, b, c), dy)))([q, k, v]);
  const g2 = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
    tf.sum(tf.mul(attentionReference(a as tf.Tensor3D, b as tf.Tensor3D, c as tf.Tensor3D), dy)),
  )([q, k, v]);
  for (let i = 0; i < 3; i++) assert.ok(relErr(g1[i]!, g2[i]!) < 1e-5, `grad ${i}: ${relErr(g1[i]!, g2[i]!)}`);
});

test('splitHeads / mergeHeads are inverse and put head h at channels [h*dh, (h+1)*dh)', () => {
  const x = rnd([2, 5, 6], 8);
  const s = splitHeads(x, 3);
  assert.deepEqual(s.shape, [6, 5, 2]);
  assert.equal(relErr(mergeHeads(s, 3), x), 0);
  const xv = x.arraySync() as number[][][];
  const sv = s.arraySync() as number[][][];
  assert.equal(sv[1 * 3 + 2]![4]![1], xv[1]![4]![2 * 2 + 1]);
});

test('selfAttention with identity projections equals per-head attention of the input', () => {
  const D = 4;
  const eye = tf.eye(D);
  const z = tf.zeros([D]);
  const p: Record<string, tf.Tensor> = {};
  for (const n of ['to_q', 'to_k', 'to_v', 'to_out.0']) {
    p[`a.${n}.weight`] = eye;
    p[`a.${n}.bias`] = z;
  }
  const x = rnd([2, 3, D], 9);
  const out = selfAttention(p, 'a', x, 2);
  const ref = mergeHeads(attentionReference(splitHeads(x, 2), splitHeads(x, 2), splitHeads(x, 2)), 2);
  assert.ok(relErr(out, ref) < 1e-5);
});
