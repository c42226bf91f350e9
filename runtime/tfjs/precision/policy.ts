// Precision policies (docs/algorithm.md §5, graph PrecisionSpec):
//   fp32 - everything float32.
//   amp  - fp32 master weights; compute rounded to bf16: weights and activations entering matmuls.
//   bf16 - weights and Adam state stored rounded to bf16 after every update, compute in bf16; losses,
//          targets, x_g and loss weights stay fp32 (they never pass through `compute`).
import type * as tf from '@tensorflow/tfjs-core';
import type { PrecisionSpec } from '../../../compiler/graph/types.js';
import { castBf16 } from './bf16.js';

type PolicyName = PrecisionSpec['policy'];

export interface Precision {
  name: PolicyName;
  /** Applied to every operand of a matmul (weights and activations). */
  compute(x: tf.Tensor): tf.Tensor;
  /** Whether stored weights and optimizer state are rounded to bf16 after each update. */
  bf16Storage: boolean;
}

export function makePrecision(policy: PolicyName): Precision {
  const bf16Compute = policy === 'amp' || policy === 'bf16';
  return {
    name: policy,
    compute: bf16Compute ? castBf16 : (x) => x,
    bf16Storage: policy === 'bf16',
  };
}

export const FP32: Precision = makePrecision('fp32');
