// The one Adam of the tfjs engine (docs/algorithm.md §5), on Float32Arrays on the JS side. Two forms of the
// same update, chosen per use:
//   'torch'  - torch.optim.Adam's: eps added after the bias correction, each moment rounded to float32 once.
//              The SiD loop's (beta1 = 0 supported, no weight decay by default, constant lr); its gradient
//              first goes through nan_to_num (NaN -> 0, +-inf -> +-1e5) and the optional value clip.
//   'kingma' - Kingma & Ba's efficient form: eps added to sqrt(v) before the correction, step size
//              lr sqrt(1 - b2^t) / (1 - b1^t), every operation rounded to float32 as the tfjs ops that trained
//              the shipped DiT teacher and eval classifier rounded them, so `sidc run examples/mnist-teacher.sid`
//              still reproduces that teacher bit for bit. `ParamsAdam` runs it on tfjs parameter maps.
// bf16 storage (policy bf16): the gradient, m, v and the weights are bf16 and every elementwise op of
// torch's Adam step rounds its result, as a bf16 tensor does:
//   m = r(lerp(m, g, 1 - b1)); v = r(r(v b2) + (1 - b2) g^2); d = r(r(r(sqrt v) / sqrt(bc2)) + eps);
//   p = r(p - lr / bc1 * m / d)
import * as tf from '@tensorflow/tfjs-core';
import type { OptimizerSpec } from '../../../compiler/graph/types.js';
import type { Params } from '../nn/params.js';
import { roundBf16InPlace } from '../precision/bf16.js';

export type AdamForm = 'torch' | 'kingma';

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

/** One Adam step on every named parameter; `params` are updated in place. `lrScale` multiplies lr (warm-up, decay). */
export function adamStep(
  spec: Pick<OptimizerSpec, 'lr' | 'beta1' | 'beta2' | 'eps'> & { weight_decay?: number },
  state: AdamState,
  params: Record<string, Float32Array>,
  grads: Record<string, Float32Array>,
  bf16: boolean,
  form: AdamForm = 'torch',
  lrScale = 1,
): void {
  state.step += 1;
  if (form === 'kingma') {
    if (bf16 || spec.weight_decay) throw new Error('Adam: the kingma form has neither bf16 storage nor weight decay');
    kingmaStep(spec, state, params, grads, lrScale);
    return;
  }
  if (lrScale !== 1) throw new Error('Adam: the torch form runs at a constant lr');
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

/**
 * Kingma & Ba's form with float32 rounding after every operation, in the order the tfjs ops ran it:
 * m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; p = p - (m / (sqrt(v) + eps)) lr_t. Scalars are float32
 * as tfjs makes them; the first step starts from m = (1 - b1) g, v = (1 - b2) g^2 (no zero moments added).
 */
function kingmaStep(
  spec: Pick<OptimizerSpec, 'lr' | 'beta1' | 'beta2' | 'eps'>,
  state: AdamState,
  params: Record<string, Float32Array>,
  grads: Record<string, Float32Array>,
  lrScale: number,
): void {
  const { beta1: b1, beta2: b2 } = spec;
  const lr = f32((spec.lr * lrScale * Math.sqrt(1 - b2 ** state.step)) / (1 - b1 ** state.step));
  const [cb1, c1b1, cb2, c1b2, eps] = [f32(b1), f32(1 - b1), f32(b2), f32(1 - b2), f32(spec.eps)];
  for (const [name, g] of Object.entries(grads)) {
    const p = params[name];
    if (!p) throw new Error(`Adam: gradient for unknown parameter ${name}`);
    const fresh = !state.params[name];
    const st = (state.params[name] ??= { m: new Float32Array(p.length), v: new Float32Array(p.length) });
    const { m, v } = st;
    for (let i = 0; i < p.length; i++) {
      const gi = g[i]!;
      const gm = f32(gi * c1b1);
      const gv = f32(f32(gi * gi) * c1b2);
      m[i] = fresh ? gm : f32(f32(m[i]! * cb1) + gm);
      v[i] = fresh ? gv : f32(f32(v[i]! * cb2) + gv);
      p[i] = f32(p[i]! - f32(f32(m[i]! / f32(f32(Math.sqrt(v[i]!)) + eps)) * lr));
    }
  }
}

/**
 * The kingma-form Adam on a tfjs parameter map (the DiT teacher, the eval classifier): each step reads the
 * parameters and gradients, updates them on the JS side and assigns the result. The moments are Float32Arrays
 * (state.params), saved and restored exactly with the step count.
 */
export class ParamsAdam {
  state: AdamState = newAdamState();
  constructor(readonly spec: Pick<OptimizerSpec, 'lr' | 'beta1' | 'beta2' | 'eps'>) {}

  get step(): number {
    return this.state.step;
  }

  /** One update of the parameters named in `grads`; `lrScale` multiplies lr. Disposes nothing it does not own. */
  apply(params: Params, grads: Record<string, tf.Tensor>, lrScale = 1): void {
    const values: Record<string, Float32Array> = {};
    const gradValues: Record<string, Float32Array> = {};
    for (const [name, g] of Object.entries(grads)) {
      const p = params[name];
      if (!p) throw new Error(`Adam: gradient for unknown parameter ${name}`);
      values[name] = Float32Array.from(p.dataSync() as Float32Array); // a copy: clones may share the buffer
      gradValues[name] = g.dataSync() as Float32Array;
    }
    adamStep(this.spec, this.state, values, gradValues, false, 'kingma', lrScale);
    for (const [name, value] of Object.entries(values)) {
      const p = params[name]!;
      tf.tidy(() => p.assign(tf.tensor(value, p.shape, 'float32')));
    }
  }
}
