// 2-D matmul whose gradient multiplies explicitly transposed operands: tfjs-wasm runs only plain,
// non-transposed 2-D matMul on its fast path (XNNPACK); the transposed products of the default
// gradient fall to a scalar loop (DESIGN.md, measured ~4x slower on the MLP step here).
import * as tf from '@tensorflow/tfjs-core';

export const matMul2d = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy as tf.Tensor2D, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy as tf.Tensor2D)];
    },
  };
}) as never) as unknown as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;
