// Structural invariants derived independently of diffusers' code: SANA's linear attention equals its
// quadratic form with ReLU kernels; RoPE rotations preserve norms and make scores depend on position
// differences only; MMDiT joint attention equals one softmax attention over the concatenated sequence;
// the SD3 position table is cropped at its centre; the depthwise conv and the biased attention agree
// with direct formulas (values and gradients).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { useWasm, relErr } from '../nn/setup.js';
import { linearAttentionHeads } from '../../../../runtime/tfjs/families/sana.js';
import { croppedPosEmbed, jointAttention } from '../../../../runtime/tfjs/families/sd3.js';
import { fluxIds } from '../../../../runtime/tfjs/families/flux.js';
import { Ctx } from '../../../../runtime/tfjs/families/layers.js';
import { applyRope, ropeTables } from '../../../../runtime/tfjs/nn/rope.js';
import { depthwiseConv3x3 } from '../../../../runtime/tfjs/nn/dwconv.js';
import { attentionWithBias, maskBias } from '../../../../runtime/tfjs/nn/attention-bias.js';
import { attentionReference } from '../../../../runtime/tfjs/nn/attention.js';
import { rmsNorm } from '../../../../runtime/tfjs/nn/norm.js';

before(() => useWasm());

const rnd = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

test('SANA linear attention = sum_m relu(q_n).relu(k_m) v_m / sum_m relu(q_n).relu(k_m)', () => {
  const [g, n, dh] = [3, 7, 5];
  const q = rnd([g, n, dh], 1);
  const k = rnd([g, n, dh], 2);
  const v = rnd([g, n, dh], 3);
  const ours = linearAttentionHeads(q, k, v);
  const qa = q.arraySync() as number[][][];
  const ka = k.arraySync() as number[][][];
  const va = v.arraySync() as number[][][];
  const relu = (x: number) => Math.max(0, x);
  const ref: number[] = [];
  for (let a = 0; a < g; a++)
    for (let i = 0; i < n; i++) {
      const w = ka[a]!.map((km) => km.reduce((s, kv, j) => s + relu(kv) * relu(qa[a]![i]![j]!), 0)); // N x N kernel row
      const z = w.reduce((s, x) => s + x, 0);
      for (let j = 0; j < dh; j++) ref.push(w.reduce((s, wm, m) => s + wm * va[a]![m]![j]!, 0) / (z + 1e-15));
    }
  assert.ok(relErr(ours, ref) < 1e-5);
});

test('FLUX RoPE: rotations preserve norms, text ids are the identity, scores depend on offsets only', () => {
  const axes = [4, 6, 6];
  const ids = fluxIds(2, 3, 3); // 2 text tokens (id 0) + a 3x3 grid
  const { cos, sin } = ropeTables(ids, axes);
  const s = ids.length;
  const x = rnd([2, s, 16], 4);
  const y = applyRope(x, tf.tensor2d(cos, [s, 16]), tf.tensor2d(sin, [s, 16]));
  assert.ok(relErr(tf.norm(y, 'euclidean', -1), tf.norm(x, 'euclidean', -1)) < 1e-5);
  assert.ok(relErr(tf.slice(y, [0, 0, 0], [-1, 2, -1]), tf.slice(x, [0, 0, 0], [-1, 2, -1])) < 1e-7);
  // <R(p) q, R(p') k> = <R(p + d) q, R(p' + d) k> for a shift d of all positions
  const q = rnd([1, 1, 16], 5);
  const k = rnd([1, 1, 16], 6);
  const score = (p: number[], pp: number[]) => {
    const a = ropeTables([p], axes);
    const b = ropeTables([pp], axes);
    const rq = applyRope(q, tf.tensor2d(a.cos, [1, 16]), tf.tensor2d(a.sin, [1, 16]));
    const rk = applyRope(k, tf.tensor2d(b.cos, [1, 16]), tf.tensor2d(b.sin, [1, 16]));
    return tf.sum(tf.mul(rq, rk)).dataSync()[0]!;
  };
  const s1 = score([0, 1, 2], [0, 3, 1]);
  assert.ok(Math.abs(s1 - score([0, 6, 9], [0, 8, 8])) < 1e-4);
  assert.ok(Math.abs(s1 - score([0, 1, 2], [0, 3, 2])) > 1e-3, 'a different offset must change the score');
  // pairs are interleaved (x_2i, x_2i+1): rotating e_0 by angle a gives (cos a, sin a) in slots 0, 1
  const t = ropeTables([[0, 1, 0]], axes); // row axis: slots 4..9, first pair angle 1
  const r = applyRope(tf.tensor3d([[[0, 0, 0, 0, 1, ...new Array(11).fill(0)]]]), tf.tensor2d(t.cos, [1, 16]), tf.tensor2d(t.sin, [1, 16])).dataSync();
  assert.ok(Math.abs(r[4]! - Math.cos(1)) < 1e-6 && Math.abs(r[5]! - Math.sin(1)) < 1e-6);
});

test('MMDiT joint attention = one softmax attention over the concatenated [image; text] sequence', () => {
  const [b, n, l, h, dh] = [2, 5, 3, 2, 4];
  const d = h * dh;
  const w: Record<string, tf.Tensor> = {};
  let seed = 10;
  for (const p of ['to_q', 'to_k', 'to_v', 'add_q_proj', 'add_k_proj', 'add_v_proj', 'to_out.0', 'to_add_out']) {
    w[`a.${p}.weight`] = tf.mul(rnd([d, d], seed++), 0.4);
    w[`a.${p}.bias`] = tf.mul(rnd([d], seed++), 0.1);
  }
  for (const p of ['norm_q', 'norm_k', 'norm_added_q', 'norm_added_k']) w[`a.${p}.weight`] = tf.add(1, tf.mul(rnd([dh], seed++), 0.2));
  const ctx = new Ctx(w);
  const x = rnd([b, n, d], 1);
  const y = rnd([b, l, d], 2);
  for (const qk of [null, 'rms_norm']) {
    const [ox, oy] = jointAttention({ num_attention_heads: h, qk_norm: qk }, ctx, 'a', x, y, false);
    // reference: project each stream, normalise per head, attend over all n + l tokens with plain math
    const proj = (z: tf.Tensor, p: string) => tf.add(tf.matMul(tf.reshape(z, [-1, d]), w[`a.${p}.weight`]!, false, true), w[`a.${p}.bias`]!);
    const heads = (z: tf.Tensor, len: number, norm?: string) => {
      let r = tf.reshape(z, [b, len, h, dh]);
      if (norm && qk) r = rmsNorm(r, 1e-6, w[`a.${norm}.weight`]!);
      return tf.reshape(tf.transpose(r, [0, 2, 1, 3]), [b * h, len, dh]);
    };
    const q = tf.concat([heads(proj(x, 'to_q'), n, 'norm_q'), heads(proj(y, 'add_q_proj'), l, 'norm_added_q')], 1) as tf.Tensor3D;
    const k = tf.concat([heads(proj(x, 'to_k'), n, 'norm_k'), heads(proj(y, 'add_k_proj'), l, 'norm_added_k')], 1) as tf.Tensor3D;
    const v = tf.concat([heads(proj(x, 'to_v'), n), heads(proj(y, 'add_v_proj'), l)], 1) as tf.Tensor3D;
    const o = tf.reshape(tf.transpose(tf.reshape(attentionReference(q, k, v), [b, h, n + l, dh]), [0, 2, 1, 3]), [b, n + l, d]);
    const refX = tf.reshape(proj(tf.slice(o, [0, 0, 0], [-1, n, -1]), 'to_out.0'), [b, n, d]);
    const refY = tf.reshape(proj(tf.slice(o, [0, n, 0], [-1, l, -1]), 'to_add_out'), [b, l, d]);
    assert.ok(relErr(ox, refX) < 1e-5, `image stream, qk_norm ${qk}`);
    assert.ok(relErr(oy!, refY) < 1e-5, `text stream, qk_norm ${qk}`);
  }
});

test('SD3 position table: the centred gh x gw window of the max x max grid', () => {
  const max = 6;
  const table = tf.reshape(tf.range(0, max * max * 2), [1, max * max, 2]);
  const crop = croppedPosEmbed(table, max, 2, 4).arraySync() as number[][][];
  // top = (6 - 2) / 2 = 2, left = (6 - 4) / 2 = 1: first row of the window is cell (2, 1)
  assert.deepEqual(crop[0]![0], [(2 * max + 1) * 2, (2 * max + 1) * 2 + 1]);
  assert.deepEqual(crop[0]![4], [(3 * max + 1) * 2, (3 * max + 1) * 2 + 1]);
  assert.throws(() => croppedPosEmbed(table, max, 8, 2), /exceeds pos_embed_max_size 6/);
});

test('depthwise 3x3 conv (zero padding) equals the direct sum, and its gradients match autograd of that sum', () => {
  const [b, h, w, c] = [2, 4, 5, 3];
  const x = rnd([b, h, w, c], 7);
  const k = rnd([c, 1, 3, 3], 8);
  const bias = rnd([c], 9);
  const xa = x.arraySync() as number[][][][];
  const ka = k.arraySync() as number[][][][];
  const ba = bias.arraySync() as number[];
  const ref: number[] = [];
  for (let n = 0; n < b; n++)
    for (let i = 0; i < h; i++)
      for (let j = 0; j < w; j++)
        for (let ch = 0; ch < c; ch++) {
          let s = ba[ch]!;
          for (let dy = -1; dy <= 1; dy++)
            for (let dx = -1; dx <= 1; dx++) {
              const yy = i + dy;
              const xx = j + dx;
              if (yy >= 0 && yy < h && xx >= 0 && xx < w) s += xa[n]![yy]![xx]![ch]! * ka[ch]![0]![dy + 1]![dx + 1]!;
            }
          ref.push(s);
        }
  assert.ok(relErr(depthwiseConv3x3(x, k, bias), ref) < 1e-5);
  // gradients of sum(y * r): dx[i, j] = sum r[i - dy, j - dx] k[dy, dx]; dk[dy, dx] = sum x[i + dy, j + dx] r[i, j]
  const r = rnd([b, h, w, c], 11);
  const ra = r.arraySync() as number[][][][];
  const [gx, gk] = tf.grads((xx: tf.Tensor, kk: tf.Tensor) => tf.sum(tf.mul(depthwiseConv3x3(xx, kk, bias), r)))([x, k]);
  const gxRef: number[] = [];
  for (let n = 0; n < b; n++)
    for (let i = 0; i < h; i++)
      for (let j = 0; j < w; j++)
        for (let ch = 0; ch < c; ch++) {
          let s = 0;
          for (let dy = -1; dy <= 1; dy++)
            for (let dx = -1; dx <= 1; dx++) {
              const yy = i - dy;
              const xx = j - dx;
              if (yy >= 0 && yy < h && xx >= 0 && xx < w) s += ra[n]![yy]![xx]![ch]! * ka[ch]![0]![dy + 1]![dx + 1]!;
            }
          gxRef.push(s);
        }
  const gkRef: number[] = [];
  for (let ch = 0; ch < c; ch++)
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        let s = 0;
        for (let n = 0; n < b; n++)
          for (let i = 0; i < h; i++)
            for (let j = 0; j < w; j++) {
              const yy = i + dy;
              const xx = j + dx;
              if (yy >= 0 && yy < h && xx >= 0 && xx < w) s += xa[n]![yy]![xx]![ch]! * ra[n]![i]![j]![ch]!;
            }
        gkRef.push(s);
      }
  assert.ok(relErr(gx!, gxRef) < 1e-5);
  assert.ok(relErr(gk!, gkRef) < 1e-5);
});

test('biased attention: masked keys get no weight; gradients equal autograd of the plain formula', () => {
  const [b, h, nq, nk, dh] = [2, 2, 3, 4, 5];
  const q = rnd([b * h, nq, dh], 1);
  const k = rnd([b * h, nk, dh], 2);
  const v = rnd([b * h, nk, dh], 3);
  const mask = tf.tensor2d([
    [1, 1, 0, 0],
    [1, 1, 1, 0],
  ]);
  const bias = maskBias(mask, h);
  const out = attentionWithBias(q, k, v, bias);
  // dropping the masked keys altogether gives the same result for batch 0 (2 real keys)
  const ref0 = attentionReference(
    tf.slice(q, [0, 0, 0], [h, -1, -1]) as tf.Tensor3D,
    tf.slice(k, [0, 0, 0], [h, 2, -1]) as tf.Tensor3D,
    tf.slice(v, [0, 0, 0], [h, 2, -1]) as tf.Tensor3D,
  );
  assert.ok(relErr(tf.slice(out, [0, 0, 0], [h, -1, -1]), ref0) < 1e-5);
  const r = rnd([b * h, nq, dh], 4);
  const plain = (qq: tf.Tensor, kk: tf.Tensor, vv: tf.Tensor) =>
    tf.matMul(tf.softmax(tf.add(tf.mul(tf.matMul(qq, kk, false, true), 1 / Math.sqrt(dh)), bias)), vv);
  const ours = tf.grads((qq: tf.Tensor, kk: tf.Tensor, vv: tf.Tensor) => tf.sum(tf.mul(attentionWithBias(qq, kk, vv, bias), r)))([q, k, v]);
  const refs = tf.grads((qq: tf.Tensor, kk: tf.Tensor, vv: tf.Tensor) => tf.sum(tf.mul(plain(qq, kk, vv), r)))([q, k, v]);
  ours.forEach((g, i) => assert.ok(relErr(g, refs[i]!) < 1e-4, `gradient ${i}`));
});
