// Analytic conditional Gaussian-mixture teacher (the `gmm` family): K classes, M isotropic components
// per class (std s, equal weights), means placed by a seed. Under x_t = (1 - t) x0 + t eps
// (docs/algorithm.md §1) each component gives x_t | k ~ N((1 - t) mu_k, var_t I), var_t = (1-t)^2 s^2 + t^2, so
//   r_k = softmax_k( log w_k(c) - |x_t - (1-t) mu_k|^2 / (2 var_t) )            (posterior over components)
//   E[eps - x0 | x_t, k] = (t - (1-t) s^2) / var_t * (x_t - (1-t) mu_k) - mu_k
// and the exact velocity is v = sum_k r_k E[eps - x0 | x_t, k] - finite at every t in [0, 1]
// (equivalently (x_t - E[x0 | x_t, c]) / t, eq. 11). The null condition (index K) is the class-marginal
// mixture over all K*M components (classes equally likely). Zero-error oracle (docs/algorithm.md §9).
import * as tf from '@tensorflow/tfjs-core';
import type { Precision } from '../precision/policy.js';
import type { VelocityNet } from './net.js';
import type { Gmm } from '../../data/gaussian-mixture.js';

const NEG = -1e30;

export class GmmTeacher implements VelocityNet {
  readonly kind = 'gmm';
  readonly params = new Map<string, tf.Variable>();
  readonly nullCondition: number;
  readonly config: Record<string, number | string>;
  private readonly mu: tf.Tensor2D;
  private readonly logw: tf.Tensor2D;

  constructor(
    readonly gmm: Gmm,
    private readonly timeScale = 1,
  ) {
    const { classes: K, modesPerClass: M } = gmm;
    this.nullCondition = K;
    this.config = { dim: gmm.dim, classes: K, modes_per_class: M, mode_std: gmm.modeStd, radius: gmm.radius, seed: gmm.seed };
    this.mu = tf.keep(tf.tensor2d(gmm.means, [K * M, gmm.dim]));
    const lw = new Float32Array((K + 1) * K * M).fill(NEG);
    for (let c = 0; c < K; c++) for (let j = 0; j < M; j++) lw[c * K * M + c * M + j] = -Math.log(M);
    for (let k = 0; k < K * M; k++) lw[K * K * M + k] = -Math.log(K * M);
    this.logw = tf.keep(tf.tensor2d(lw, [K + 1, K * M]));
  }

  forward(x: tf.Tensor2D, tScaled: tf.Tensor1D, c: tf.Tensor1D, _precision: Precision): tf.Tensor2D {
    return tf.tidy(() => {
      const s2 = this.gmm.modeStd ** 2;
      const t = tf.reshape(tf.div(tScaled, this.timeScale), [-1, 1]); // [B,1]
      const a = tf.sub(1, t);
      const v = tf.add(tf.mul(tf.square(a), s2), tf.square(t)); // var_t [B,1]
      const B = x.shape[0];
      const diff = tf.sub(tf.expandDims(x, 1), tf.mul(tf.reshape(a, [B, 1, 1]), tf.expandDims(this.mu, 0))); // [B,KM,D]
      const sq = tf.sum(tf.square(diff), -1); // [B,KM]
      const onehot = tf.cast(tf.oneHot(tf.cast(c, 'int32'), this.gmm.classes + 1), 'float32') as tf.Tensor2D;
      const logits = tf.add(tf.div(tf.mul(sq, -0.5), v), tf.matMul(onehot, this.logw));
      const r = tf.softmax(logits) as tf.Tensor2D; // [B,KM]
      const m = tf.matMul(r, this.mu); // sum_k r_k mu_k [B,D]
      const coef = tf.div(tf.sub(t, tf.mul(a, s2)), v); // [B,1]
      return tf.sub(tf.mul(coef, tf.sub(x, tf.mul(a, m))), m) as tf.Tensor2D;
    });
  }

  /** E[x0 | x_t, c] (for oracle tests): x_t - t v (eq. 11). */
  posteriorMean(x: tf.Tensor2D, t: tf.Tensor1D, c: tf.Tensor1D, p: Precision): tf.Tensor2D {
    return tf.tidy(() => tf.sub(x, tf.mul(tf.reshape(t, [-1, 1]), this.forward(x, tf.mul(t, this.timeScale), c, p))) as tf.Tensor2D);
  }

  clone(): VelocityNet {
    return new GmmTeacher(this.gmm, this.timeScale);
  }

  dispose(): void {
    this.mu.dispose();
    this.logw.dispose();
  }
}
