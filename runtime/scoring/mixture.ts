// Sample quality against the TRUE mixture (vector teachers), per class and averaged over classes:
//   energy distance  2E|X-Y| - E|X-X'| - E|Y-Y'| (Szekely; U-statistics, so unbiased), with Y fresh draws of
//                    the true class mixture
//   sliced W1        mean over random directions of W1 of the 1-D projections (sorted quantiles); W1 rather
//                    than W2 because W2 is dominated by the multinomial noise of mode weights
//   coverage         fraction of components credited with >= 25% of their expected share of samples
//   precision        fraction of samples within 3 std of the nearest component of their own class
// A sample is credited to the NEAREST component of its class by std-normalised (Mahalanobis, isotropic)
// distance, if that is within 3 std. The truth these use is `MixtureTruth` (what `sidc export-mixture`
// writes), so an independent tool can recompute coverage and precision (scripts/reference/mixture_metrics.py).
import type { Gmm } from '../data/gaussian-mixture.js';
import { sampleGmm } from '../data/gaussian-mixture.js';
import { Rng } from '../rng/prng.js';

/** The true mixture per class: isotropic Gaussian components N(mean, std^2 I), weights summing to 1 within a class. */
export interface MixtureTruth {
  dim: number;
  classes: number;
  components: { class: number; mean: number[]; std: number; weight: number }[];
}

/** The truth of a gmm teacher (M equal-weight components of std modeStd per class). */
export function mixtureTruth(g: Gmm): MixtureTruth {
  const M = g.modesPerClass;
  const components = Array.from({ length: g.classes * M }, (_, k) => ({
    class: Math.floor(k / M),
    mean: Array.from(g.means.subarray(k * g.dim, (k + 1) * g.dim)),
    std: g.modeStd,
    weight: 1 / M,
  }));
  return { dim: g.dim, classes: g.classes, components };
}

/** Samples within this many std of a component count as its own. */
export const CREDIT_STD = 3;
/** A component is covered when it is credited with at least this fraction of its expected share. */
export const COVERAGE_SHARE = 0.25;

export interface Credit {
  /** per sample: the component credited (index into truth.components), or -1 */
  credited: Int32Array;
  /** per component: samples credited / samples expected (class count x weight) */
  share: Float64Array;
  precision: number;
  coverage: number;
}

/** Coverage and precision of samples x [n * dim] with classes c [n]: each sample to the nearest component of its class. */
export function creditSamples(truth: MixtureTruth, x: ArrayLike<number>, c: ArrayLike<number>): Credit {
  const d = truth.dim;
  const n = c.length;
  const comps = truth.components;
  const credited = new Int32Array(n).fill(-1);
  const hits = new Float64Array(comps.length);
  const perClass = new Float64Array(truth.classes);
  let good = 0;
  for (let i = 0; i < n; i++) {
    const cls = c[i]!;
    if (cls >= 0 && cls < truth.classes) perClass[cls]!++;
    let best = -1;
    let bestZ = Infinity;
    comps.forEach((k, j) => {
      if (k.class !== cls) return;
      let q = 0;
      for (let e = 0; e < d; e++) q += (x[i * d + e]! - k.mean[e]!) ** 2;
      const z = Math.sqrt(q) / k.std;
      if (z < bestZ) (bestZ = z), (best = j);
    });
    if (best >= 0 && bestZ <= CREDIT_STD) {
      credited[i] = best;
      hits[best]!++;
      good++;
    }
  }
  const share = Float64Array.from(comps, (k, j) => (perClass[k.class]! > 0 ? hits[j]! / (perClass[k.class]! * k.weight) : 0));
  const covered = share.filter((h) => h >= COVERAGE_SHARE).length;
  return { credited, share, precision: n ? good / n : 0, coverage: comps.length ? covered / comps.length : 0 };
}

export interface MixtureMetrics {
  energy: number;
  sliced_w1: number;
  coverage: number;
  precision: number;
  n: number;
}

function meanDist(a: Float32Array, na: number, b: Float32Array, nb: number, d: number, same: boolean): number {
  let s = 0;
  let cnt = 0;
  for (let i = 0; i < na; i++) {
    for (let j = same ? i + 1 : 0; j < nb; j++) {
      let q = 0;
      for (let k = 0; k < d; k++) q += (a[i * d + k]! - b[j * d + k]!) ** 2;
      s += Math.sqrt(q);
      cnt++;
    }
  }
  return cnt ? s / cnt : 0;
}

export function energyDistance(x: Float32Array, y: Float32Array, d: number): number {
  const nx = x.length / d;
  const ny = y.length / d;
  return 2 * meanDist(x, nx, y, ny, d, false) - meanDist(x, nx, x, nx, d, true) - meanDist(y, ny, y, ny, d, true);
}

export function slicedW1(x: Float32Array, y: Float32Array, d: number, rng: Rng, directions = 64): number {
  const nx = x.length / d;
  const ny = y.length / d;
  const m = Math.min(nx, ny);
  let acc = 0;
  for (let p = 0; p < directions; p++) {
    const dir = Array.from({ length: d }, () => rng.normal());
    const norm = Math.hypot(...dir);
    const proj = (a: Float32Array, n: number) => {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) out[i]! += (a[i * d + k]! * dir[k]!) / norm;
      return out.sort();
    };
    const px = proj(x, nx);
    const py = proj(y, ny);
    let s = 0;
    for (let q = 0; q < m; q++) s += Math.abs(px[Math.floor(((q + 0.5) * nx) / m)]! - py[Math.floor(((q + 0.5) * ny) / m)]!);
    acc += s / m;
  }
  return acc / directions;
}

/** Metrics of samples x [n * dim] with classes c [n] against the mixture g. */
export function mixtureMetrics(g: Gmm, x: Float32Array, c: ArrayLike<number>, seed = 12345): MixtureMetrics {
  const d = g.dim;
  const n = c.length;
  const rng = new Rng(seed);
  let energy = 0;
  let sw = 0;
  let classes = 0;
  for (let cls = 0; cls < g.classes; cls++) {
    const idx: number[] = [];
    for (let i = 0; i < n; i++) if (c[i] === cls) idx.push(i);
    if (!idx.length) continue;
    const xs = new Float32Array(idx.length * d);
    idx.forEach((i, j) => xs.set(x.subarray(i * d, (i + 1) * d), j * d));
    const ys = sampleGmm(g, new Int32Array(idx.length).fill(cls), rng);
    energy += energyDistance(xs, ys, d);
    sw += slicedW1(xs, ys, d, rng);
    classes++;
  }
  const { coverage, precision } = creditSamples(mixtureTruth(g), x, c);
  return { energy: energy / classes, sliced_w1: sw / classes, coverage, precision, n };
}
