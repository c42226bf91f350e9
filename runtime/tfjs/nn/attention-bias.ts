// Scaled dot-product attention with an additive key bias (padding masks: diffusers turns a 0/1 mask into
// (1 - mask) * -10000 added to the scores). Same wasm-friendly form and hand-written backward as
// attention.ts's attentionCore; the bias is a constant (no gradient), so dS is unchanged.
import * as tf from '@tensorflow/tfjs-core';

type Save = (t: tf.Tensor[]) => void;

function perGroupMatMul(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  const as = tf.unstack(a) as tf.Tensor2D[];
  const bs = tf.unstack(b) as tf.Tensor2D[];
  return tf.stack(as.map((ai, i) => tf.matMul(ai, bs[i]!))) as tf.Tensor3D;
}
const swapLast = (x: tf.Tensor): tf.Tensor3D => tf.transpose(x, [0, 2, 1]) as tf.Tensor3D;

const core = tf.customGrad(((q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, bias: tf.Tensor3D, save: Save) => {
  const scale = 1 / Math.sqrt(q.shape[2]);
  const p = tf.softmax(tf.add(tf.mul(perGroupMatMul(q, swapLast(k)), scale), bias)) as tf.Tensor3D;
  save([q, k, v, p]);
  const gradFunc = (dO: tf.Tensor, [q, k, v, p]: tf.Tensor[]) => {
    const dV = perGroupMatMul(swapLast(p!), dO as tf.Tensor3D);
    const dP = perGroupMatMul(dO as tf.Tensor3D, swapLast(v!));
    const dS = tf.mul(tf.mul(p!, tf.sub(dP, tf.sum(tf.mul(dP, p!), -1, true))), scale) as tf.Tensor3D;
    return [perGroupMatMul(dS, k as tf.Tensor3D), perGroupMatMul(swapLast(dS), q as tf.Tensor3D), dV, tf.zerosLike(bias)];
  };
  return { value: perGroupMatMul(p, v), gradFunc };
}) as never) as (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, bias: tf.Tensor) => tf.Tensor3D;

/** softmax(q k^T / sqrt(dh) + bias) v for q [G, Nq, dh], k/v [G, Nk, dh], bias [G, 1, Nk] -> [G, Nq, dh]. */
export function attentionWithBias(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, bias: tf.Tensor): tf.Tensor3D {
  return core(q, k, v, bias);
}

/** A 0/1 key mask [B, Nk] -> the additive bias [B * heads, 1, Nk] diffusers uses ((1 - m) * -10000). */
export function maskBias(mask: tf.Tensor, heads: number): tf.Tensor3D {
  const [b, n] = mask.shape as [number, number];
  const bias = tf.mul(tf.sub(1, mask), -10000);
  return tf.reshape(tf.tile(tf.reshape(bias, [b, 1, n]), [1, heads, 1]), [b * heads, 1, n]) as tf.Tensor3D;
}
