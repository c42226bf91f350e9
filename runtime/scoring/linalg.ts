// Small dense float64 linear algebra for FID: symmetric eigendecomposition by cyclic Jacobi rotations
// (exact to ~1e-12 for the 64-256-d covariances here; O(n^3) per sweep, ~10 sweeps) and the PSD
// square root built from it. Matrices are row-major Float64Array of n*n.

export type Mat = Float64Array;

export function matMul(a: Mat, b: Mat, n: number): Mat {
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k]!;
      if (aik === 0) continue;
      for (let j = 0; j < n; j++) c[i * n + j]! += aik * b[k * n + j]!;
    }
  return c;
}

export function trace(a: Mat, n: number): number {
  let t = 0;
  for (let i = 0; i < n; i++) t += a[i * n + i]!;
  return t;
}

/** Eigenvalues w and eigenvectors V (columns) of symmetric A: A = V diag(w) V^T. */
export function symEig(aIn: Mat, n: number, maxSweeps = 60): { values: Float64Array; vectors: Mat } {
  const a = Float64Array.from(aIn);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < n; p++) {
      diag += a[p * n + p]! ** 2;
      for (let q = p + 1; q < n; q++) off += a[p * n + q]! ** 2;
    }
    if (off <= 1e-30 * Math.max(diag, 1e-300)) break;
    for (let p = 0; p < n - 1; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const app = a[p * n + p]!;
        const aqq = a[q * n + q]!;
        // rotation angle that zeroes a[p][q] (Golub & Van Loan, Alg. 8.4.1)
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!;
          const vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = a[i * n + i]!;
  return { values, vectors: v };
}

/** Square root of a symmetric PSD matrix: V diag(sqrt(max(w, 0))) V^T (tiny negative eigenvalues from
 *  rounding are clipped to 0). */
export function sqrtPsd(a: Mat, n: number): Mat {
  const { values, vectors: v } = symEig(a, n);
  const out = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const s = Math.sqrt(Math.max(values[k]!, 0));
    if (s === 0) continue;
    for (let i = 0; i < n; i++) {
      const vik = v[i * n + k]! * s;
      for (let j = 0; j < n; j++) out[i * n + j]! += vik * v[j * n + k]!;
    }
  }
  return out;
}
