// The conditional Gaussian mixture of the `gmm` family as data: K classes, M isotropic components per
// class (std s, equal weights), means placed by a seed (`makeGmm`), and exact draws from it (`sampleGmm`).
// Engine-neutral: the tfjs teacher (runtime/tfjs/nets/analytic-mixture.ts) computes its exact velocity;
// runtime/scoring/mixture.ts scores samples against fresh draws.
import { Rng } from '../rng/prng.js';

interface GmmSpec {
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

export function makeGmm(spec: GmmSpec): Gmm {
  const rng = new Rng(spec.seed);
  const n = spec.classes * spec.modesPerClass;
  if (spec.symmetric && spec.modesPerClass % 2 !== 0) throw new Error(`a symmetric mixture needs an even number of modes per class, not ${spec.modesPerClass}`);
  const means = new Float32Array(n * spec.dim);
  const minSep = Math.max(6 * spec.modeStd, ((2 * spec.radius) / Math.pow(n, 1 / spec.dim)) * 0.6);
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
