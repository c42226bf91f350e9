// TrigFlow (SANA-Sprint teachers) seen as rectified flow, docs/algorithm.md §1: SiD-DiT only ever works in the
// rectified-flow view x_rf = (1 - t) x0 + t eps, t in [0, 1]. A TrigFlow model lives at
// x_trig = cos(s) sigma_d x0 + sin(s) sigma_d eps, s in [0, pi/2], and predicts
// F(x_trig / sigma_d, s) = cos(s) eps - sin(s) x0 (so that dx_trig/ds = sigma_d F). The two views are tied by
//   t = sin s / (sin s + cos s),   x_rf = x_trig / sigma_d * sqrt(t^2 + (1 - t)^2).
// SANA-Sprint's transformer itself is called in the flow view by its TrigFlow wrapper (diffusers'
// SanaSprintPipeline, SANA's SanaMSCM): `sanaSprintTrigflow` is that wrapper, and `rectifiedFlowVelocity`
// maps any TrigFlow prediction back to the rectified-flow velocity v = eps - x0 the SiD loop needs.
import * as tf from '@tensorflow/tfjs-core';

/** sigma_data of SANA-Sprint's SCMScheduler config (the mapping is exact for any value). */
export const SIGMA_DATA = 0.5;

/** s of a rectified-flow t: the inverse of t = sin s / (sin s + cos s) on [0, pi/2]. */
export function trigTimeOf(t: number): number {
  return Math.atan2(t, 1 - t);
}

/** t of a TrigFlow s (docs/algorithm.md §1). */
export function rfTimeOf(s: number): number {
  return Math.sin(s) / (Math.sin(s) + Math.cos(s));
}

/** x_trig of a rectified-flow point (docs/algorithm.md §1, solved for x_trig). */
export function trigOfRf(xRf: number, t: number, sigmaData = SIGMA_DATA): number {
  return (xRf * sigmaData) / Math.hypot(t, 1 - t);
}

/** A TrigFlow model: F(y, s) with y = x_trig / sigma_d [B, ...], s [B]. */
type TrigflowModel = (y: tf.Tensor, s: tf.Tensor1D) => tf.Tensor;

const col = (v: tf.Tensor1D, rank: number) => tf.reshape(v, [-1, ...Array<number>(rank - 1).fill(1)]);

/**
 * Rectified-flow velocity at (x_rf, t) of a TrigFlow model. With y = x_trig / sigma_d = cos s x0 + sin s eps
 * and F = cos s eps - sin s x0: x0 = cos s y - sin s F, eps = sin s y + cos s F, so
 * v = eps - x0 = (sin s - cos s) y + (sin s + cos s) F. Differentiable in x_rf.
 */
export function rectifiedFlowVelocity(model: TrigflowModel, xRf: tf.Tensor, t: tf.Tensor1D): tf.Tensor {
  return tf.tidy(() => {
    const s = tf.atan2(t, tf.sub(1, t)) as tf.Tensor1D;
    const [sin, cos] = [col(tf.sin(s) as tf.Tensor1D, xRf.rank), col(tf.cos(s) as tf.Tensor1D, xRf.rank)];
    const norm = col(tf.sqrt(tf.add(tf.square(t), tf.square(tf.sub(1, t)))) as tf.Tensor1D, xRf.rank);
    const y = tf.div(xRf, norm); // x_trig / sigma_d
    const F = model(y, s);
    return tf.add(tf.mul(tf.sub(sin, cos), y), tf.mul(tf.add(sin, cos), F));
  });
}

/**
 * SANA-Sprint's TrigFlow model around its flow-view transformer (diffusers SanaSprintPipeline):
 * t' = sin s / (sin s + cos s), x' = y sqrt(t'^2 + (1 - t')^2), out = transformer(x', t'),
 * F = ((1 - 2t') x' + (1 - 2t' + 2t'^2) out) / sqrt(t'^2 + (1 - t')^2).
 */
export function sanaSprintTrigflow(transformer: (x: tf.Tensor, t: tf.Tensor1D) => tf.Tensor): TrigflowModel {
  return (y, s) => {
    const tp = tf.div(tf.sin(s), tf.add(tf.sin(s), tf.cos(s))) as tf.Tensor1D;
    const tc = col(tp, y.rank);
    const norm = tf.sqrt(tf.add(tf.square(tc), tf.square(tf.sub(1, tc))));
    const x = tf.mul(y, norm);
    const out = transformer(x, tp);
    const a = tf.sub(1, tf.mul(2, tc));
    const b = tf.add(a, tf.mul(2, tf.square(tc)));
    return tf.div(tf.add(tf.mul(a, x), tf.mul(b, out)), norm);
  };
}
