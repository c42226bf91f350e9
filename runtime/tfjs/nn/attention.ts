// Scaled dot-product attention on wasm's fast path: one plain 2-D matMul per (batch x head), never a
// batched or transposed matMul (those fall to a scalar loop on wasm). One customGrad node with a
// hand-written backward (softmax Jacobian-vector product), so the tape holds one entry per layer.
// Needs the linear-cost Unpack kernel (runtime/tfjs/backend/wasm-kernels.ts) to stay fast for large B x H.
import * as tf from '@tensorflow/tfjs-core';
import { linear } from './linear.js';
import { param, type Params, type ParamValues } from './params.js';

type Save = (t: tf.Tensor[]) => void;

/** G independent products a_i [N, K] @ b_i [K, M] -> [G, N, M]. */
function perGroupMatMul(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  const as = tf.unstack(a) as tf.Tensor2D[];
  const bs = tf.unstack(b) as tf.Tensor2D[];
  return tf.stack(as.map((ai, i) => tf.matMul(ai, bs[i]!))) as tf.Tensor3D;
}

function swapLast(x: tf.Tensor): tf.Tensor3D {
  return tf.transpose(x, [0, 2, 1]) as tf.Tensor3D;
}

/**
 * softmax(q k^T / sqrt(dh)) v for q, k, v [G, N, dh] (G = batch x heads) -> [G, N, dh].
 * Backward: dV = P^T dO, dP = dO V^T, dS = P (dP - rowsum(dP P)) / sqrt(dh), dQ = dS K, dK = dS^T Q.
 */
export const attentionCore = tf.customGrad(((q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, save: Save) => {
  const scale = 1 / Math.sqrt(q.shape[2]);
  const p = tf.softmax(tf.mul(perGroupMatMul(q, swapLast(k)), scale)) as tf.Tensor3D;
  save([q, k, v, p]);
  // tidy: tfjs keeps everything a gradFunc allocates until the whole backward ends
  const gradFunc = (dO: tf.Tensor, [q, k, v, p]: tf.Tensor[]) =>
    tf.tidy(() => {
      const dV = perGroupMatMul(swapLast(p!), dO as tf.Tensor3D);
      const dP = perGroupMatMul(dO as tf.Tensor3D, swapLast(v!));
      const dS = tf.mul(tf.mul(p!, tf.sub(dP, tf.sum(tf.mul(dP, p!), -1, true))), scale) as tf.Tensor3D;
      const dQ = perGroupMatMul(dS, k as tf.Tensor3D);
      const dK = perGroupMatMul(swapLast(dS), q as tf.Tensor3D);
      return [dQ, dK, dV];
    });
  return { value: perGroupMatMul(p, v), gradFunc };
}) as never) as (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => tf.Tensor3D;

/** [B, N, H*dh] -> [B*H, N, dh] (rank-4 transpose only). */
export function splitHeads(x: tf.Tensor, heads: number): tf.Tensor3D {
  const [b, n, d] = x.shape as [number, number, number];
  return tf.reshape(tf.transpose(tf.reshape(x, [b, n, heads, d / heads]), [0, 2, 1, 3]), [b * heads, n, d / heads]);
}

/** [B*H, N, dh] -> [B, N, H*dh]. */
export function mergeHeads(x: tf.Tensor, heads: number): tf.Tensor3D {
  const [g, n, dh] = x.shape as [number, number, number];
  return tf.reshape(tf.transpose(tf.reshape(x, [g / heads, heads, n, dh]), [0, 2, 1, 3]), [g / heads, n, heads * dh]);
}

/**
 * diffusers Attention (self-attention, no qk-norm): `${prefix}.to_q/to_k/to_v/to_out.0` Linear layers.
 * q/k/v come from one fused product (weights concatenated on the output axis) split on the last axis.
 * x [B, N, D] -> [B, N, D].
 */
export function selfAttention(p: Params | ParamValues, prefix: string, x: tf.Tensor, heads: number): tf.Tensor {
  const w = tf.concat([param(p, `${prefix}.to_q.weight`), param(p, `${prefix}.to_k.weight`), param(p, `${prefix}.to_v.weight`)], 0);
  const b = tf.concat([param(p, `${prefix}.to_q.bias`), param(p, `${prefix}.to_k.bias`), param(p, `${prefix}.to_v.bias`)], 0);
  const [q, k, v] = tf.split(linear(x, w, b), 3, -1) as [tf.Tensor, tf.Tensor, tf.Tensor];
  const o = mergeHeads(attentionCore(splitHeads(q, heads), splitHeads(k, heads), splitHeads(v, heads)), heads);
  return linear(o, param(p, `${prefix}.to_out.0.weight`), param(p, `${prefix}.to_out.0.bias`));
}

/** Plain reference (autograd, batched matMul) for tests. */
export function attentionReference(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D): tf.Tensor3D {
  const s = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(q.shape[2]));
  return tf.matMul(tf.softmax(s), v) as tf.Tensor3D;
}
