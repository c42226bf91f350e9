// The weight-normalised time density pi(t) = w(t) p(t) / E_p[w] (eq. 14; one column of Fig. 2),
// on a midpoint grid of (0, 1).
import type { TimeDist } from './time-dist.js';

interface PiCurve {
  t: Float64Array;
  p: Float64Array;
  pi: Float64Array;
  /** E_p[w] */
  norm: number;
}

export function piCurve(dist: TimeDist, w: (t: number) => number, n = 2000, [lo, hi]: [number, number] = [0, 1]): PiCurve {
  const t = new Float64Array(n);
  const p = new Float64Array(n);
  const pi = new Float64Array(n);
  const mass = dist.cdf(hi) - dist.cdf(lo);
  let norm = 0;
  for (let i = 0; i < n; i++) {
    t[i] = (i + 0.5) / n;
    const ti = t[i]!;
    p[i] = ti > lo && ti < hi ? dist.pdf(ti) / mass : 0;
    norm += (w(ti) * p[i]!) / n;
  }
  for (let i = 0; i < n; i++) pi[i] = (w(t[i]!) * p[i]!) / norm;
  return { t, p, pi, norm };
}
