// The registry of time distributions p(t) on (0, 1) (Section 4.1, Fig. 2 and Appendix C of the paper).
// Each entry: parameters with defaults and docs, and an exact quantile function (inverse CDF), which is
// what `time.sampling = inverse_cdf` samples with and what the checker uses to see whether an interval
// restriction leaves any probability. Canonical JSON: { "kind": name, ...params, "interval"?: [lo, hi] }.
//
// Schedules of Fig. 2 are mapped to t through SNR(t) = (1 - t)^2 / t^2, i.e. t = 1 / (1 + sqrt(SNR)).
import type { JsonValue } from './settings.js';

interface DistParam {
  name: string;
  default: number;
  doc: string;
  min?: number;
  exclusiveMin?: boolean;
}

interface Distribution {
  name: string;
  params: readonly DistParam[];
  doc: string;
  ref: string;
  /** t at probability p in (0, 1); nondecreasing in p. */
  quantile(p: number, params: Record<string, number>): number;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** Standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

const P = (name: string, def: number, doc: string, extra: Partial<DistParam> = {}): DistParam => ({ name, default: def, doc, ...extra });
const ddpmCache = new Map<string, Float64Array>();

export const DISTRIBUTIONS: readonly Distribution[] = [
  {
    name: 'uniform',
    params: [],
    doc: 't ~ U(0, 1).',
    ref: 'Fig. 2',
    quantile: (p) => p,
  },
  {
    name: 'logit_normal',
    params: [
      P('mean', 0, 'Mean of the normal before the sigmoid; ln(2) in the paper.'),
      P('std', 1, 'Standard deviation of the normal; 1.6 in the paper.', { min: 0, exclusiveMin: true }),
    ],
    doc: 't = sigmoid(n), n ~ N(mean, std^2). The paper uses logit_normal(ln(2), 1.6).',
    ref: 'Section 4.1, Fig. 2 column 1',
    quantile: (p, q) => sigmoid(q.mean! + q.std! * normalQuantile(p)),
  },
  {
    name: 'trigflow',
    params: [
      P('p_mean', -1, 'Mean of the log-normal in TrigFlow time.'),
      P('p_std', 1.4, 'Its standard deviation.', { min: 0, exclusiveMin: true }),
      P('sigma_d', 0.5, 'Data standard deviation of TrigFlow.', { min: 0, exclusiveMin: true }),
    ],
    doc: 'TrigFlow training schedule s = atan(exp(n) / sigma_d), n ~ N(p_mean, p_std^2), mapped to t = sin s / (sin s + cos s) = sigmoid(n - ln sigma_d).',
    ref: 'Fig. 2 column 2, docs/algorithm.md §1',
    quantile: (p, q) => sigmoid(q.p_mean! + q.p_std! * normalQuantile(p) - Math.log(q.sigma_d!)),
  },
  {
    name: 'sana_shifted',
    params: [
      P('mean', 0, 'Mean of the logit-normal before the shift.'),
      P('std', 1, 'Its standard deviation.', { min: 0, exclusiveMin: true }),
      P('shift', 3, 'Time-step shift s: t = s u / (1 + (s - 1) u).', { min: 0, exclusiveMin: true }),
    ],
    doc: 'SANA training: u ~ logit_normal(mean, std) with a time-step shift toward noise, t = shift u / (1 + (shift - 1) u).',
    ref: 'Fig. 2 column 3, Appendix C',
    quantile: (p, q) => {
      const u = sigmoid(q.mean! + q.std! * normalQuantile(p));
      return (q.shift! * u) / (1 + (q.shift! - 1) * u);
    },
  },
  {
    name: 'ddpm_linear',
    params: [
      P('beta_start', 1e-4, 'First beta of the linear schedule.', { min: 0, exclusiveMin: true }),
      P('beta_end', 0.02, 'Last beta.', { min: 0, exclusiveMin: true }),
      P('steps', 1000, 'Number of discrete steps (sampled uniformly).', { min: 1 }),
    ],
    doc: 'DDPM beta-linear schedule: a uniform step i, alpha_bar_i = prod (1 - beta_j), SNR = alpha_bar / (1 - alpha_bar), t = 1 / (1 + sqrt(SNR)).',
    ref: 'Fig. 2 column 4, Appendix C',
    quantile: (p, q) => {
      const steps = Math.max(1, Math.round(q.steps!));
      const key = `${q.beta_start},${q.beta_end},${steps}`;
      let ts = ddpmCache.get(key);
      if (!ts) {
        ts = new Float64Array(steps);
        let abar = 1;
        for (let i = 0; i < steps; i++) {
          const beta = q.beta_start! + ((q.beta_end! - q.beta_start!) * i) / Math.max(1, steps - 1);
          abar *= 1 - beta;
          ts[i] = 1 / (1 + Math.sqrt(abar / (1 - abar)));
        }
        ddpmCache.set(key, ts);
      }
      return ts[Math.min(steps - 1, Math.max(0, Math.floor(p * steps)))]!;
    },
  },
  {
    name: 'edm_training',
    params: [P('p_mean', -1.2, 'Mean of ln(sigma).'), P('p_std', 1.2, 'Standard deviation of ln(sigma).', { min: 0, exclusiveMin: true })],
    doc: 'EDM training: ln sigma ~ N(p_mean, p_std^2), SNR = 1/sigma^2, so t = sigma / (1 + sigma) = sigmoid(ln sigma).',
    ref: 'Fig. 2 column 5, Appendix C',
    quantile: (p, q) => sigmoid(q.p_mean! + q.p_std! * normalQuantile(p)),
  },
  {
    name: 'edm_sampling',
    params: [
      P('sigma_min', 0.002, 'Smallest sigma.', { min: 0, exclusiveMin: true }),
      P('sigma_max', 80, 'Largest sigma.', { min: 0, exclusiveMin: true }),
      P('rho', 7, 'Curvature of the sigma schedule.', { min: 0, exclusiveMin: true }),
    ],
    doc:
      'EDM sampling schedule sigma(u) = (sigma_max^(1/rho) + u (sigma_min^(1/rho) - ' +
      'sigma_max^(1/rho)))^rho, u ~ U(0, 1), t = sigma / (1 + sigma). SiD restricts it to t < 0.8 (write ' +
      '`on (0, 0.8)`).',
    ref: 'Fig. 2 column 6, Appendix C',
    quantile: (p, q) => {
      const a = q.sigma_max! ** (1 / q.rho!);
      const b = q.sigma_min! ** (1 / q.rho!);
      const sigma = (a + (1 - p) * (b - a)) ** q.rho!;
      return sigma / (1 + sigma);
    },
  },
];

export const DISTRIBUTIONS_BY_NAME: ReadonlyMap<string, Distribution> = new Map(DISTRIBUTIONS.map((d) => [d.name, d]));

/** Parameters of a canonical distribution value with defaults filled in. */
export function distParams(value: Record<string, JsonValue>): Record<string, number> {
  const d = DISTRIBUTIONS_BY_NAME.get(String(value.kind));
  const out: Record<string, number> = {};
  for (const p of d?.params ?? []) out[p.name] = typeof value[p.name] === 'number' ? (value[p.name] as number) : p.default;
  return out;
}

/** P(t <= x) by bisection on the monotone quantile function. */
export function distCdf(dist: Distribution, params: Record<string, number>, x: number): number {
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (dist.quantile(mid, params) <= x) lo = mid;
    else hi = mid;
  }
  return lo;
}
