// Adam (docs/algorithm.md §5): beta1 = 0 supported, bias-corrected as torch.optim.Adam, no weight decay by
// default, constant lr. The gradient first goes through nan_to_num (NaN -> 0, +-inf -> +-1e5) and the
// optional value clip. Runs on Float32Arrays on the JS side (the vector nets are small).
// bf16 storage (policy bf16): the gradient, m, v and the weights are bf16 and every elementwise op of
// torch's Adam step rounds its result, as a bf16 tensor does:
//   m = r(lerp(m, g, 1 - b1)); v = r(r(v b2) + (1 - b2) g^2); d = r(r(r(sqrt v) / sqrt(bc2)) + eps);
//   p = r(p - lr / bc1 * m / d)
import type { OptimizerSpec } from '../../../compiler/graph/types.js';
import { roundBf16InPlace } from '../precision/bf16.js';

interface AdamParamState {
  m: Float32Array;
  v: Float32Array;
}

export interface AdamState {
  step: number;
  params: Record<string, AdamParamState>;
}

export function newAdamState(): AdamState {
  return { step: 0, params: {} };
}

/** NaN -> 0, +-inf -> +-1e5, then clip to [-clip, clip] when set. In place; returns how many were non-finite. */
export function sanitizeGrad(g: Float32Array, clip: number | null): number {
  let bad = 0;
  for (let i = 0; i < g.length; i++) {
    let x = g[i]!;
    if (Number.isNaN(x)) (x = 0), bad++;
    else if (x === Infinity) (x = 1e5), bad++;
    else if (x === -Infinity) (x = -1e5), bad++;
    if (clip !== null && clip !== undefined) x = Math.min(clip, Math.max(-clip, x));
    g[i] = x;
  }
  return bad;
}

const f32 = Math.fround;
const rb = (x: number): number => {
  const a = new Float32Array([x]);
  return roundBf16InPlace(a)[0]!;
};

/** One Adam step on every named parameter; `params` are updated in place. */
export function adamStep(
  spec: OptimizerSpec,
  state: AdamState,
  params: Record<string, Float32Array>,
  grads: Record<string, Float32Array>,
  bf16: boolean,
): void {
  state.step += 1;
  const { lr, beta1: b1, beta2: b2, eps } = spec;
  const wd = spec.weight_decay ?? 0;
  const bc1 = 1 - Math.pow(b1, state.step);
  const bc2s = Math.sqrt(1 - Math.pow(b2, state.step));
  const stepSize = lr / bc1;
  for (const [name, p] of Object.entries(params)) {
    const g = grads[name];
    if (!g) continue;
    if (bf16) roundBf16InPlace(g);
    const st = (state.params[name] ??= { m: new Float32Array(p.length), v: new Float32Array(p.length) });
    const { m, v } = st;
    if (!bf16) {
      for (let i = 0; i < p.length; i++) {
        const gi = wd ? g[i]! + wd * p[i]! : g[i]!;
        m[i] = f32(b1 * m[i]! + (1 - b1) * gi);
        v[i] = f32(b2 * v[i]! + (1 - b2) * gi * gi);
        p[i] = f32(p[i]! - (stepSize * m[i]!) / (Math.sqrt(v[i]!) / bc2s + eps));
      }
    } else {
      for (let i = 0; i < p.length; i++) {
        const gi = wd ? rb(g[i]! + wd * p[i]!) : g[i]!;
        m[i] = rb(m[i]! + (1 - b1) * (gi - m[i]!));
        v[i] = rb(rb(v[i]! * b2) + (1 - b2) * gi * gi);
        const d = rb(rb(rb(Math.sqrt(v[i]!)) / bc2s) + eps);
        p[i] = rb(p[i]! - (stepSize * m[i]!) / d);
      }
    }
  }
}
