// Rotary position embedding with interleaved pairs (diffusers get_1d_rotary_pos_embed with
// repeat_interleave_real=True + apply_rotary_emb(use_real=True)), over several position axes (FLUX:
// text/row/column ids). Rotation of pair (x_2i, x_2i+1) by angle pos * theta^(-2i/d) per axis.
// The pair swap x -> (-x_2i+1, x_2i) is one plain 2-D matMul with a fixed signed permutation, so the
// backward pass stays on wasm's fast path and needs no custom gradient.
import * as tf from '@tensorflow/tfjs-core';
import { matMul2d } from './linear.js';

/** cos and sin tables [S, sum(axesDims)] for integer-or-real positions ids [S][axes]. */
export function ropeTables(ids: ArrayLike<number>[], axesDims: readonly number[], theta = 10000): { cos: Float32Array; sin: Float32Array } {
  const dh = axesDims.reduce((a, b) => a + b, 0);
  const s = ids.length;
  const cos = new Float32Array(s * dh);
  const sin = new Float32Array(s * dh);
  for (let n = 0; n < s; n++) {
    let off = 0;
    axesDims.forEach((d, a) => {
      const pos = ids[n]![a]!;
      for (let i = 0; i < d / 2; i++) {
        const ang = pos * Math.pow(theta, -(2 * i) / d); // float64 like diffusers' freqs_dtype
        const c = Math.cos(ang);
        const sn = Math.sin(ang);
        cos[n * dh + off + 2 * i] = c;
        cos[n * dh + off + 2 * i + 1] = c;
        sin[n * dh + off + 2 * i] = sn;
        sin[n * dh + off + 2 * i + 1] = sn;
      }
      off += d;
    });
  }
  return { cos, sin };
}

const swaps = new Map<number, tf.Tensor2D>();

/** R with x R = (-x_1, x_0, -x_3, x_2, ...) for [*, dh] rows. */
function pairSwap(dh: number): tf.Tensor2D {
  let r = swaps.get(dh);
  if (!r || r.isDisposed) {
    const m = new Float32Array(dh * dh);
    for (let i = 0; i < dh; i += 2) {
      m[(i + 1) * dh + i] = -1; // out[i] = -x[i+1]
      m[i * dh + i + 1] = 1; // out[i+1] = x[i]
    }
    r = tf.keep(tf.tensor2d(m, [dh, dh]));
    swaps.set(dh, r);
  }
  return r;
}

/** x [G, S, dh] rotated: x cos + swap(x) sin, with cos/sin [S, dh] broadcast over G. */
export function applyRope(x: tf.Tensor, cos: tf.Tensor, sin: tf.Tensor): tf.Tensor {
  const dh = x.shape[x.rank - 1]!;
  const rot = tf.reshape(matMul2d(tf.reshape(x, [-1, dh]), pairSwap(dh)), x.shape);
  return tf.add(tf.mul(x, cos), tf.mul(rot, sin));
}
