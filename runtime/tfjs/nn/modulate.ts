// adaLN(-Zero) modulation (DiT, Peebles & Xie 2023): per-sample shift/scale/gate vectors from the
// conditioning embedding, broadcast over tokens.
import * as tf from '@tensorflow/tfjs-core';
import { linear } from './linear.js';
import { param, type Params, type ParamValues } from './params.js';

/** x [B, N, D] * (1 + scale[B, D]) + shift[B, D]. */
export function modulate(x: tf.Tensor, shift: tf.Tensor, scale: tf.Tensor): tf.Tensor {
  return tf.add(tf.mul(x, tf.add(tf.expandDims(scale, 1), 1)), tf.expandDims(shift, 1));
}

/** gate[B, D] * y [B, N, D]. */
export function gate(g: tf.Tensor, y: tf.Tensor): tf.Tensor {
  return tf.mul(tf.expandDims(g, 1), y);
}

/**
 * The modulation Linear of an adaLN layer: siluC [B, Dc] -> `chunks` vectors [B, D] (split on the last
 * axis). The caller passes SiLU(c) once for all blocks. Zero-initialised weights give adaLN-Zero.
 */
export function adaLNChunks(p: Params | ParamValues, prefix: string, siluC: tf.Tensor, chunks: number): tf.Tensor[] {
  const m = linear(siluC, param(p, `${prefix}.weight`), param(p, `${prefix}.bias`));
  return tf.split(m, chunks, -1);
}
