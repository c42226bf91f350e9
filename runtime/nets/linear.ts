// 2-D matmul whose gradient multiplies explicitly transposed operands: tfjs-wasm runs only plain,
// non-transposed 2-D matMul on its fast path (XNNPACK); the transposed products of the default
// gradient fall to a scalar loop (docs/design.md; measured ~4x slower on the MLP step here).
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

/**
 * y = x W + b as one fused wasm kernel (tfjs-wasm's broadcasting Add is slow on [B, N] + [1, N]);
 * gradient as matMul2d's plus db = sum_b dy.
 */
export const dense = tf.customGrad(((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    // the kernel itself; b must be a rank-1 tensor with its own data (the wasm kernel checks the stored shape)
    value: tf.reshape(tf.engine().runKernel('_FusedMatMul', { a: tf.expandDims(x, 0), b: tf.expandDims(w, 0), bias: b }, { transposeA: false, transposeB: false, activation: 'linear' }) as tf.Tensor, [x.shape[0]!, w.shape[1]!]),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy as tf.Tensor2D, tf.transpose(sw)), tf.matMul(tf.transpose(sx), dy as tf.Tensor2D), tf.sum(dy, 0)];
    },
  };
}) as never) as unknown as (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;
