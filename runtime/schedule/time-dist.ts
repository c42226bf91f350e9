// p(t) of the recipe (canonical JSON, compiler/recipe/settings.ts): { kind: 'logit_normal', mean, std,
// interval? } | { kind: 'uniform', interval? }, optionally restricted to an interval (Fig. 3), sampled by
// inverse CDF (exact; the default) or by rejection (docs/algorithm.md §4: the choice is a recipe setting).
import type { JsonValue } from '../../compiler/recipe/settings.js';
import { normCdf, normInv } from './normal.js';
import type { Rng } from '../rng/prng.js';

export interface TimeDist {
  describe: string;
  pdf(t: number): number;
  cdf(t: number): number;
  inv(u: number): number;
}

const logit = (t: number) => Math.log(t / (1 - t));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

class TimeDistError extends Error {}

export function timeDist(json: JsonValue): TimeDist {
  const d = (json ?? {}) as Record<string, JsonValue>;
  const kind = typeof d === 'string' ? d : (d.kind as string);
  if (kind === 'uniform') return { describe: 'uniform(0, 1)', pdf: (t) => (t > 0 && t < 1 ? 1 : 0), cdf: (t) => Math.min(1, Math.max(0, t)), inv: (u) => u };
  if (kind === 'logit_normal') {
    const m = Number(d.mean ?? 0);
    const s = Number(d.std ?? 1);
    return {
      describe: `logit_normal(${m.toPrecision(4)}, ${s})`,
      // sigmoid(N(m, s^2)): density N(logit t; m, s) / (t (1 - t))
      pdf: (t) => (t <= 0 || t >= 1 ? 0 : Math.exp(-0.5 * ((logit(t) - m) / s) ** 2) / (s * Math.sqrt(2 * Math.PI) * t * (1 - t))),
      cdf: (t) => (t <= 0 ? 0 : t >= 1 ? 1 : normCdf((logit(t) - m) / s)),
      inv: (u) => sigmoid(m + s * normInv(u)),
    };
  }
  throw new TimeDistError(`unknown time distribution ${JSON.stringify(json)}; the runtime knows uniform and logit_normal(mean, std)`);
}

/** The restriction interval: the attr wins, then the distribution's own `interval`, else [0, 1]. */
export function restriction(distJson: JsonValue, interval: JsonValue | undefined): [number, number] {
  const iv = (Array.isArray(interval) ? interval : (distJson as Record<string, JsonValue> | null)?.interval) as number[] | undefined;
  if (Array.isArray(iv) && iv.length === 2) return [Number(iv[0]), Number(iv[1])];
  return [0, 1];
}

/** n draws of t ~ p(t | lo < t < hi). */
export function sampleTimes(dist: TimeDist, [lo, hi]: [number, number], n: number, rng: Rng, method: string = 'inverse_cdf'): Float32Array {
  const out = new Float32Array(n);
  if (method === 'rejection') {
    for (let i = 0; i < n; ) {
      const t = dist.inv(rng.uniform());
      if (t > lo && t < hi) out[i++] = t;
    }
    return out;
  }
  const a = dist.cdf(lo);
  const b = dist.cdf(hi);
  if (!(b > a)) throw new TimeDistError(`time interval (${lo}, ${hi}) has zero probability under ${dist.describe}`);
  for (let i = 0; i < n; i++) {
    // clamp into the open interval: float32 storage must not round to an endpoint such as t = 1
    const t = dist.inv(a + (b - a) * rng.uniform());
    out[i] = Math.min(Math.max(t, lo + 1e-7), hi - 1e-7);
  }
  return out;
}
