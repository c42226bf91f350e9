// Adam (Kingma & Ba) over a named parameter map, with state that can be saved and restored exactly
// (moments as named tensors + the step count). Used by the DiT teacher and the eval classifier;
// the SiD loop has its own optimizer with the precision policies (runtime/tfjs/loop/adam.ts).
// Why two: this one is Kingma & Ba's efficient form (eps added to sqrt(v) before bias correction, step size
// lr sqrt(1 - b2^t) / (1 - b1^t)) on tensors; the loop's is torch.optim.Adam's (eps after correction) on
// Float32Arrays with bf16 storage. The shipped teacher and classifier were trained with this one, and
// `sidc run examples/mnist-teacher.sid` reproduces that teacher bit for bit, so it keeps its arithmetic.
import * as tf from '@tensorflow/tfjs-core';
import type { Params } from './params.js';

interface AdamConfig {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
}

export class Adam {
  m: Record<string, tf.Tensor> = {};
  v: Record<string, tf.Tensor> = {};
  step = 0;
  constructor(readonly cfg: AdamConfig) {}

  /** One update with bias correction; `lrScale` multiplies lr (warm-up). Disposes nothing it does not own. */
  apply(params: Params, grads: Record<string, tf.Tensor>, lrScale = 1): void {
    this.step++;
    const { beta1: b1, beta2: b2, eps } = this.cfg;
    const lr = (this.cfg.lr * lrScale * Math.sqrt(1 - b2 ** this.step)) / (1 - b1 ** this.step);
    for (const [name, g] of Object.entries(grads)) {
      const p = params[name];
      if (!p) throw new Error(`Adam: gradient for unknown parameter ${name}`);
      const [m, v] = tf.tidy(() => {
        const m = this.m[name] ? tf.add(tf.mul(this.m[name]!, b1), tf.mul(g, 1 - b1)) : tf.mul(g, 1 - b1);
        const v = this.v[name] ? tf.add(tf.mul(this.v[name]!, b2), tf.mul(tf.square(g), 1 - b2)) : tf.mul(tf.square(g), 1 - b2);
        p.assign(tf.sub(p, tf.mul(tf.div(m, tf.add(tf.sqrt(v), eps)), lr)));
        return [m, v];
      });
      this.m[name]?.dispose();
      this.v[name]?.dispose();
      this.m[name] = m!;
      this.v[name] = v!;
    }
  }

  dispose(): void {
    tf.dispose([...Object.values(this.m), ...Object.values(this.v)]);
    this.m = {};
    this.v = {};
  }
}

/**
 * Exponential moving average of parameters (kept as plain tensors). The decay warms up as
 * min(decay, (1 + step) / (10 + step)) so that short runs are not dominated by the initial weights
 * (measured here: with a fixed 0.995 the EMA after 200 steps had 3.5x the loss of the raw weights).
 */
export class Ema {
  shadow: Record<string, tf.Tensor> = {};
  constructor(
    readonly decay: number,
    params: Params,
  ) {
    for (const [n, p] of Object.entries(params)) this.shadow[n] = tf.keep(tf.clone(p));
  }
  /** `step`: optimizer steps taken so far (1 after the first update). */
  update(params: Params, step = Infinity): void {
    const decay = Math.min(this.decay, (1 + step) / (10 + step));
    for (const [n, p] of Object.entries(params)) {
      const next = tf.tidy(() => tf.add(tf.mul(this.shadow[n]!, decay), tf.mul(p, 1 - decay)));
      this.shadow[n]!.dispose();
      this.shadow[n] = tf.keep(next);
    }
  }
  dispose(): void {
    tf.dispose(Object.values(this.shadow));
  }
}
