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
import type { VelocityNet } from '../nets/net.js';
import { Rng } from '../rng/prng.js';

export interface GmmSpec {
  dim: number;
  classes: number;
  modesPerClass: number;
  modeStd: number;
  /** means are drawn uniformly in [-radius, radius]^dim, at least minSep apart */
  radius: number;
  seed: number;
  /** components in +-pairs about the origin, so every class's mean is 0 - the marginal's - and CFG
   * changes nothing at t = 1 (tests whether SiD's trouble with strong guidance comes from class means) */
  symmetric?: boolean;
}

export interface Gmm extends GmmSpec {
  /** [K*M, dim], row k*M + j = mode j of class k */
  means: Float32Array;
}

const NEG = -1e30;

export function makeGmm(spec: GmmSpec): Gmm {
  const rng = new Rng(spec.seed);
  const n = spec.classes * spec.modesPerClass;
  if (spec.symmetric && spec.modesPerClass % 2 !== 0) throw new Error(`a symmetric mixture needs an even number of modes per class, not ${spec.modesPerClass}`);
  const means = new Float32Array(n * spec.dim);
  const minSep = Math.max(6 * spec.modeStd, (2 * spec.radius) / Math.pow(n, 1 / spec.dim) * 0.6);
  const farFromAll = (cand: number[], placed: number): boolean =>
    Array.from({ length: placed }, (_, j) => j).every((j) => dist2(cand, means, j, spec.dim) >= minSep * minSep);
  for (let i = 0, tries = 0; i < n; tries++) {
    const cand = Array.from({ length: spec.dim }, () => (2 * rng.uniform() - 1) * spec.radius);
    // symmetric: mode i and its mirror i + 1 (the same class, since modesPerClass is even), also apart from each other
    const group = spec.symmetric ? [cand, cand.map((v) => -v)] : [cand];
    const apart = group.every((g) => farFromAll(g, i)) && (!spec.symmetric || 4 * cand.reduce((a, v) => a + v * v, 0) >= minSep * minSep);
    if (tries > 10000 || apart) {
      group.forEach((g, k) => means.set(g, (i + k) * spec.dim));
      i += group.length;
    }
  }
  return { ...spec, means };
}

function dist2(a: number[], means: Float32Array, j: number, d: number): number {
  let s = 0;
  for (let i = 0; i < d; i++) s += (a[i]! - means[j * d + i]!) ** 2;
  return s;
}

export function classOfComponent(g: Gmm, k: number): number {
  return Math.floor(k / g.modesPerClass);
}

/** Draws x0 for the given classes (the null class draws from the marginal). [n * dim] */
export function sampleGmm(g: Gmm, classes: ArrayLike<number>, rng: Rng): Float32Array {
  const out = new Float32Array(classes.length * g.dim);
  for (let b = 0; b < classes.length; b++) {
    let c = classes[b]!;
    if (c >= g.classes) c = rng.int(g.classes);
    const k = c * g.modesPerClass + rng.int(g.modesPerClass);
    for (let i = 0; i < g.dim; i++) out[b * g.dim + i] = g.means[k * g.dim + i]! + g.modeStd * rng.normal();
  }
  return out;
}

export class GmmTeacher implements VelocityNet {
  readonly kind = 'gmm';
  readonly params = new Map<string, tf.Variable>();
  readonly nullCondition: number;
  readonly config: Record<string, number | string>;
  private readonly mu: tf.Tensor2D;
  private readonly logw: tf.Tensor2D;

  constructor(readonly gmm: Gmm, private readonly timeScale = 1) {
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
