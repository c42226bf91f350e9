// LayerNorm and RMSNorm over the last axis, with hand-written gradients (one tape node each instead of
// ~10 autograd nodes; the normalised activations are the largest tensors a DiT block keeps).
import * as tf from '@tensorflow/tfjs-core';

type Save = (t: tf.Tensor[]) => void;

/** y = (x - mean) / sqrt(var + eps); dx = rstd (dy - mean(dy) - xhat mean(dy xhat)). */
const layerNormCore = (eps: number) =>
  tf.customGrad(((x: tf.Tensor, save: Save) => {
    const mean = tf.mean(x, -1, true);
    const xc = tf.sub(x, mean);
    const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(xc), -1, true), eps));
    const xhat = tf.mul(xc, rstd);
    save([xhat, rstd]);
    const gradFunc = (dy: tf.Tensor, [xhat, rstd]: tf.Tensor[]) =>
      tf.tidy(() => {
        const m1 = tf.mean(dy, -1, true);
        const m2 = tf.mean(tf.mul(dy, xhat!), -1, true);
        return [tf.mul(tf.sub(tf.sub(dy, m1), tf.mul(xhat!, m2)), rstd!)];
      });
    return { value: xhat, gradFunc };
  }) as never) as (x: tf.Tensor) => tf.Tensor;

/** y = x / sqrt(mean(x^2) + eps); dx = rstd (dy - xhat mean(dy xhat)). */
const rmsNormCore = (eps: number) =>
  tf.customGrad(((x: tf.Tensor, save: Save) => {
    const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), eps));
    const xhat = tf.mul(x, rstd);
    save([xhat, rstd]);
    const gradFunc = (dy: tf.Tensor, [xhat, rstd]: tf.Tensor[]) =>
      tf.tidy(() => {
        const m2 = tf.mean(tf.mul(dy, xhat!), -1, true);
        return [tf.mul(tf.sub(dy, tf.mul(xhat!, m2)), rstd!)];
      });
    return { value: xhat, gradFunc };
  }) as never) as (x: tf.Tensor) => tf.Tensor;

const lnCache = new Map<number, (x: tf.Tensor) => tf.Tensor>();
const rmsCache = new Map<number, (x: tf.Tensor) => tf.Tensor>();

/** LayerNorm on the last axis; affine (weight, bias) optional like torch elementwise_affine. */
export function layerNorm(x: tf.Tensor, eps = 1e-6, weight?: tf.Tensor, bias?: tf.Tensor): tf.Tensor {
  let f = lnCache.get(eps);
  if (!f) lnCache.set(eps, (f = layerNormCore(eps)));
  let y = f(x);
  if (weight) y = tf.mul(y, weight);
  if (bias) y = tf.add(y, bias);
  return y;
}

/** RMSNorm on the last axis with optional weight. */
export function rmsNorm(x: tf.Tensor, eps = 1e-6, weight?: tf.Tensor): tf.Tensor {
  let f = rmsCache.get(eps);
  if (!f) rmsCache.set(eps, (f = rmsNormCore(eps)));
  const y = f(x);
  return weight ? tf.mul(y, weight) : y;
}
