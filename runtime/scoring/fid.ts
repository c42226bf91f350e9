// Frechet distance between Gaussians fitted to two feature sets (Heusel et al. 2017):
//   FID = |mu1 - mu2|^2 + tr(S1 + S2 - 2 (S1^1/2 S2 S1^1/2)^1/2)
// The cross term uses the symmetric form (S1^1/2 S2 S1^1/2)^1/2, whose trace equals tr((S1 S2)^1/2) but
// which stays symmetric PSD, so the float64 Jacobi eigendecomposition applies (linalg.ts).
import { matMul, sqrtPsd, trace, type Mat } from './linalg.js';

export interface Gaussian {
  mean: Float64Array;
  cov: Mat; // unbiased (n - 1) covariance, row-major d x d
  dim: number;
  count: number;
}

/** Mean and covariance of feature rows (each a length-d vector), in float64. */
export function fitGaussian(rows: ArrayLike<number>[]): Gaussian {
  const n = rows.length;
  if (n < 2) throw new Error(`FID needs at least 2 feature vectors, got ${n}`);
  const d = rows[0]!.length;
  const mean = new Float64Array(d);
  for (const r of rows) for (let i = 0; i < d; i++) mean[i]! += r[i]! / n;
  const cov = new Float64Array(d * d);
  const c = new Float64Array(d);
  for (const r of rows) {
    for (let i = 0; i < d; i++) c[i] = r[i]! - mean[i]!;
    for (let i = 0; i < d; i++) {
      const ci = c[i]!;
      if (ci === 0) continue;
      for (let j = i; j < d; j++) cov[i * d + j]! += ci * c[j]!;
    }
  }
  for (let i = 0; i < d; i++)
    for (let j = i; j < d; j++) {
      const v = cov[i * d + j]! / (n - 1);
      cov[i * d + j] = v;
      cov[j * d + i] = v;
    }
  return { mean, cov, dim: d, count: n };
}

/** Frechet distance between two Gaussians. */
export function frechetDistance(a: Gaussian, b: Gaussian): number {
  if (a.dim !== b.dim) throw new Error(`FID: feature sizes differ (${a.dim} vs ${b.dim})`);
  const d = a.dim;
  let m = 0;
  for (let i = 0; i < d; i++) m += (a.mean[i]! - b.mean[i]!) ** 2;
  const s1h = sqrtPsd(a.cov, d);
  const cross = sqrtPsd(symmetrise(matMul(matMul(s1h, b.cov, d), s1h, d), d), d);
  return Math.max(0, m + trace(a.cov, d) + trace(b.cov, d) - 2 * trace(cross, d));
}

/** FID between two sets of feature rows. */
export function fid(rowsA: ArrayLike<number>[], rowsB: ArrayLike<number>[]): number {
  return frechetDistance(fitGaussian(rowsA), fitGaussian(rowsB));
}

function symmetrise(a: Mat, n: number): Mat {
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const v = 0.5 * (a[i * n + j]! + a[j * n + i]!);
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  return a;
}
