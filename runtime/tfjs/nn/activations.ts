// Activations written for wasm's vectorised kernels (Tanh is slow there; Sigmoid is fast).
import * as tf from '@tensorflow/tfjs-core';

const C = Math.sqrt(2 / Math.PI);
const A = 0.044715;

/**
 * GELU, tanh approximation (torch approximate="tanh"): 0.5 x (1 + tanh z) with z = C (x + A x^3),
 * computed as x * sigmoid(2z) (identical function). Hand-written gradient:
 * d/dx = s + 2 x s (1 - s) C (1 + 3 A x^2), s = sigmoid(2z).
 */
export const geluTanh = tf.customGrad(((x: tf.Tensor, save: (t: tf.Tensor[]) => void) => {
  save([x]);
  const z2 = tf.mul(x, tf.add(tf.mul(tf.square(x), 2 * C * A), 2 * C)); // 2z
  const value = tf.mul(x, tf.sigmoid(z2));
  const gradFunc = (dy: tf.Tensor, [x]: tf.Tensor[]) =>
    tf.tidy(() => {
      const x2 = tf.square(x!);
      const s = tf.sigmoid(tf.mul(x!, tf.add(tf.mul(x2, 2 * C * A), 2 * C)));
      const dz2 = tf.add(tf.mul(x2, 6 * C * A), 2 * C); // d(2z)/dx
      const d = tf.add(s, tf.mul(tf.mul(x!, tf.mul(s, tf.sub(1, s))), dz2));
      return [tf.mul(dy, d)];
    });
  return { value, gradFunc };
}) as never) as (x: tf.Tensor) => tf.Tensor;

/** SiLU x * sigmoid(x) (autograd; only used on small conditioning vectors). */
export function silu(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.sigmoid(x));
}
