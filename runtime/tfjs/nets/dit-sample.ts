// Euler sampler for a flow-matching DiT with classifier-free guidance on velocity (docs/algorithm.md §1):
// v_w = v(x, t, null) + w (v(x, t, c) - v(x, t, null)), one forward pass on the doubled batch
// [null half; conditional half]. Integrates dx/dt = v from t = 1 (noise) to t = 0 (data).
import * as tf from '@tensorflow/tfjs-core';
import type { DiT } from './dit.js';
import type { Params, ParamValues } from '../nn/params.js';
import { cfgVelocity } from '../loop/sampling.js';

/**
 * Guided velocity at (x, t in [0, 1]) for pooled caption embeddings `cond` and `nullCond` ([B, textDim]):
 * the loop's one CFG (loop/sampling.ts cfgVelocity) with the DiT's forward pass bound to its parameters.
 */
export function ditGuidedVelocity(
  net: DiT,
  p: Params | ParamValues,
  x: tf.Tensor4D,
  t: tf.Tensor,
  cond: tf.Tensor,
  nullCond: tf.Tensor,
  w: number,
): tf.Tensor4D {
  return tf.tidy(() => {
    const ts = tf.mul(t, net.config.timeScale) as tf.Tensor1D;
    return cfgVelocity<tf.Tensor4D>((xx, tt, cc) => net.velocity(p, xx, tt, cc), x, ts, cond, nullCond, w);
  });
}

interface EulerOptions {
  steps: number;
  cfg: number; // guidance scale w (1 = no guidance)
  seed: number;
  /** Start noise [B, C, H, W]; drawn from `seed` when absent. */
  noise?: tf.Tensor4D;
}

/** Samples x0 for each caption: N uniform Euler steps t_i = 1 - i/N. Returns [B, C, H, W]. */
export function sampleEuler(net: DiT, p: Params | ParamValues, captions: readonly string[], o: EulerOptions): tf.Tensor4D {
  const c = net.config;
  const b = captions.length;
  return tf.tidy(() => {
    const cond = net.encodeText(p, captions);
    const nullCond = net.encodeText(
      p,
      captions.map(() => ''),
    );
    let x: tf.Tensor4D = o.noise ? tf.clone(o.noise) : tf.randomNormal([b, c.channels, c.height, c.width], 0, 1, 'float32', o.seed);
    for (let i = 0; i < o.steps; i++) {
      const t0 = 1 - i / o.steps;
      const t1 = 1 - (i + 1) / o.steps;
      const v = ditGuidedVelocity(net, p, x, tf.fill([b], t0), cond, nullCond, o.cfg);
      const next = tf.add(x, tf.mul(v, t1 - t0)) as tf.Tensor4D;
      x.dispose();
      v.dispose();
      x = tf.keep(next);
    }
    return x;
  });
}
