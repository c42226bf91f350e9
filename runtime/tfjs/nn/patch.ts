// Patchify / unpatchify by reshape + rank-4 transposes (no conv: wasm lacks Conv2DBackpropFilter, and
// rank-5/6 transposes are slow there).
import * as tf from '@tensorflow/tfjs-core';

/**
 * x [B, C, H, W] -> tokens [B, (H/p)(W/p), C*p*p], features ordered (c, py, px): the flattening of a
 * torch Conv2d(C, D, p, stride=p) weight [D, C, p, p], so such a weight reshaped to [D, C*p*p] applies.
 */
export function patchify(x: tf.Tensor, p: number): tf.Tensor3D {
  const [b, c, h, w] = x.shape as [number, number, number, number];
  if (h % p || w % p) throw new Error(`patchify: image ${h}x${w} not divisible by patch ${p}`);
  const gh = h / p;
  const gw = w / p;
  const a = tf.transpose(tf.reshape(x, [b * c * gh, p, gw, p]), [0, 2, 1, 3]); // [B C gh, gw, py, px]
  return tf.reshape(tf.transpose(tf.reshape(a, [b, c, gh * gw, p * p]), [0, 2, 1, 3]), [b, gh * gw, c * p * p]);
}

/**
 * tokens [B, N, p*p*C] with features ordered (py, px, c) - diffusers' proj_out/unpatchify order -
 * -> [B, C, H, W].
 */
export function unpatchify(t: tf.Tensor, p: number, c: number, h: number, w: number): tf.Tensor4D {
  const b = t.shape[0]!;
  const gh = h / p;
  const gw = w / p;
  const a = tf.transpose(tf.reshape(t, [b, gh * gw, p * p, c]), [0, 3, 1, 2]); // [B, C, N, py px]
  return tf.reshape(tf.transpose(tf.reshape(a, [b * c * gh, gw, p, p]), [0, 2, 1, 3]), [b, c, h, w]) as tf.Tensor4D;
}

/** Inverse of patchify (features (c, py, px)), for round-trip tests. */
export function unpatchifyCpq(t: tf.Tensor, p: number, c: number, h: number, w: number): tf.Tensor4D {
  const b = t.shape[0]!;
  const gh = h / p;
  const gw = w / p;
  const a = tf.transpose(tf.reshape(t, [b, gh * gw, c, p * p]), [0, 2, 1, 3]); // [B, C, N, py px]
  return tf.reshape(tf.transpose(tf.reshape(a, [b * c * gh, gw, p, p]), [0, 2, 1, 3]), [b, c, h, w]) as tf.Tensor4D;
}
