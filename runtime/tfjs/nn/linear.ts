// Dense layers on wasm's fast path: XNNPACK only accelerates plain, non-transposed 2-D matMul, and tf's
// default matMul gradient uses transposed products (scalar fallback, ~0.5 GFLOP/s). So each product here
// is a tf.customGrad whose backward transposes explicitly and then multiplies plainly (docs/design.md).
// Weights are torch layout [out, in]: y = x W^T + b, dx = dy W, dW = dy^T x, db = sum_rows dy.
import * as tf from '@tensorflow/tfjs-core';

type Grad = (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[];
type Save = (ts: tf.Tensor[]) => void;

/** a [M, K] @ b [K, N] with plain-matMul gradients. */
export const matMul2d = tf.customGrad(((a: tf.Tensor2D, b: tf.Tensor2D, save: Save) => {
  save([a, b]);
  const gradFunc: Grad = (dy, [a, b]) =>
    tf.tidy(() => [tf.matMul(dy as tf.Tensor2D, tf.transpose(b!) as tf.Tensor2D), tf.matMul(tf.transpose(a!) as tf.Tensor2D, dy as tf.Tensor2D)]);
  return { value: tf.matMul(a, b), gradFunc };
}) as never) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor2D;

/** Frozen weights (Variable with trainable=false, e.g. the SiD teacher) skip the dW product. */
function isFrozen(w: tf.Tensor): boolean {
  return w instanceof tf.Variable && !w.trainable;
}

const linear2dTrain = tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, save: Save) => {
  save([x, w]);
  // tidy: tfjs keeps everything a gradFunc allocates until the whole backward ends
  const gradFunc: Grad = (dy, [x, w]) =>
    tf.tidy(() => [tf.matMul(dy as tf.Tensor2D, w as tf.Tensor2D), tf.matMul(tf.transpose(dy) as tf.Tensor2D, x as tf.Tensor2D), tf.sum(dy, 0)]);
  return { value: tf.fused.matMul({ a: x, b: tf.transpose(w), bias: b }), gradFunc };
}) as never) as (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor2D;

const linear2dFrozen = tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, save: Save) => {
  save([w]);
  const gradFunc: Grad = (dy, [w]) => [tf.matMul(dy as tf.Tensor2D, w as tf.Tensor2D), tf.zerosLike(w!), tf.zerosLike(b)];
  return { value: tf.fused.matMul({ a: x, b: tf.transpose(w), bias: b }), gradFunc };
}) as never) as (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor2D;

/** torch.nn.Linear on the last axis: x [..., in], w [out, in], b [out] -> [..., out]. */
export function linear(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const inDim = x.shape[x.rank - 1]!;
  if (w.shape[1] !== inDim) throw new Error(`linear: input has ${inDim} features, weight is [${w.shape}]`);
  const x2 = x.rank === 2 ? x : tf.reshape(x, [-1, inDim]);
  const y = (isFrozen(w) ? linear2dFrozen : linear2dTrain)(x2, w, b);
  return x.rank === 2 ? y : tf.reshape(y, [...x.shape.slice(0, -1), w.shape[0]!]);
}

/**
 * y = x W + b as one fused wasm kernel (tfjs-wasm's broadcasting Add is slow on [B, N] + [1, N]);
 * W is [in, out] (the MLP's own layout, unlike linear's torch [out, in]); gradient as matMul2d's plus
 * db = sum_b dy.
 */
export const dense = tf.customGrad(((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    // the kernel itself; b must be a rank-1 tensor with its own data (the wasm kernel checks the stored shape)
    value: tf.reshape(
      tf
        .engine()
        .runKernel(
          '_FusedMatMul',
          { a: tf.expandDims(x, 0), b: tf.expandDims(w, 0), bias: b },
          { transposeA: false, transposeB: false, activation: 'linear' },
        ) as tf.Tensor,
      [x.shape[0]!, w.shape[1]!],
    ),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy as tf.Tensor2D, tf.transpose(sw)), tf.matMul(tf.transpose(sx), dy as tf.Tensor2D), tf.sum(dy, 0)];
    },
  };
}) as never) as unknown as (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;
