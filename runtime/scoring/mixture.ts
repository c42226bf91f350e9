// Sample quality against the TRUE mixture (vector teachers), per class and averaged over classes:
//   energy distance  2E|X-Y| - E|X-X'| - E|Y-Y'| (Szekely), with Y fresh draws of the true class mixture
//   sliced W1        mean over random directions of W1 of the 1-D projections (sorted quantiles); W1 rather
//                    than W2 because W2 is dominated by the multinomial noise of mode weights
//   coverage         fraction of components that receive >= 25% of their expected share within 3 std
//   precision        fraction of samples within 3 std of a component of their own class
import type { Gmm } from '../data/gaussian-mixture.js';
import { sampleGmm } from '../data/gaussian-mixture.js';
import { Rng } from '../rng/prng.js';

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

function slicedW1(x: Float32Array, y: Float32Array, d: number, rng: Rng, directions = 64): number {
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
  const M = g.modesPerClass;
  const r2 = (3 * g.modeStd) ** 2;
  const rng = new Rng(seed);
  const hits = new Float64Array(g.classes * M);
  let good = 0;
  let energy = 0;
  let sw = 0;
  let classes = 0;
  for (let cls = 0; cls < g.classes; cls++) {
    const idx: number[] = [];
    for (let i = 0; i < n; i++) if (c[i] === cls) idx.push(i);
    if (!idx.length) continue;
    const xs = new Float32Array(idx.length * d);
    idx.forEach((i, j) => xs.set(x.subarray(i * d, (i + 1) * d), j * d));
    for (let j = 0; j < idx.length; j++) {
      let near = -1;
      for (let m = 0; m < M; m++) {
        const k = cls * M + m;
        let q = 0;
        for (let e = 0; e < d; e++) q += (xs[j * d + e]! - g.means[k * d + e]!) ** 2;
        if (q <= r2) near = k;
      }
      if (near >= 0) (good++, hits[near]!++);
    }
    const ys = sampleGmm(g, new Int32Array(idx.length).fill(cls), rng);
    energy += energyDistance(xs, ys, d);
    sw += slicedW1(xs, ys, d, rng);
    classes++;
    for (let m = 0; m < M; m++) hits[cls * M + m] = hits[cls * M + m]! / (idx.length / M);
  }
  let covered = 0;
  for (const h of hits) if (h >= 0.25) covered++;
  return { energy: energy / classes, sliced_w1: sw / classes, coverage: covered / hits.length, precision: good / n, n };
}
