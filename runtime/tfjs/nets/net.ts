// What every velocity backbone offers the interpreter (docs/algorithm.md §1: nets predict v ~ eps - x0).
import type * as tf from '@tensorflow/tfjs-core';
import type { Precision } from '../precision/policy.js';

export interface VelocityNet {
  /** 'mlp', 'gmm', ... */
  kind: string;
  /** Named trainable tensors (empty for analytic teachers). Names are stable: checkpoints use them. */
  params: Map<string, tf.Variable>;
  /** Condition index of the null condition (CFG's unconditional branch). */
  nullCondition: number;
  /**
   * v(x, t, c): x [B, D] float32, t [B] float32 (already multiplied by time_scale), c [B] int32.
   * Returns [B, D].
   */
  forward(x: tf.Tensor2D, t: tf.Tensor1D, c: tf.Tensor1D, precision: Precision): tf.Tensor2D;
  /** A new net with copied weights (psi and G start as copies, docs/algorithm.md §2). */
  clone(trainable: boolean): VelocityNet;
  /** Hyper-parameters that rebuild the same architecture (saved with checkpoints). */
  config: Record<string, number | string>;
  dispose(): void;
}
