// Samplers shared by the ops and by evaluation: guided velocity (eq. 15), the k-step generator (eq. 16)
// and the teacher's Euler sampler.
import * as tf from '@tensorflow/tfjs-core';
import type { JsonValue } from '../../../compiler/recipe/settings.js';
import type { VelocityNet } from '../nets/net.js';
import type { Precision } from '../precision/policy.js';
import type { Rng } from '../../rng/prng.js';

export interface Guidance {
  mode: 'cfg' | 'embedded' | 'none';
  scale: number;
}

export function guidanceOf(j: JsonValue | undefined): Guidance {
  if (typeof j === 'number') return { mode: 'cfg', scale: j };
  const o = (j ?? {}) as Record<string, JsonValue>;
  const mode = (o.mode as Guidance['mode']) ?? 'none';
  return { mode, scale: typeof o.scale === 'number' ? o.scale : 1 };
}

/** A copy of x that carries no gradient (tfjs has no stopGradient; docs/design.md). */
export function detach<T extends tf.Tensor>(x: T): T {
  return tf.tensor(x.dataSync(), x.shape, x.dtype) as T;
}

/**
 * v_w = v(x, t, null) + w (v(x, t, c) - v(x, t, null)) on one doubled batch: unconditional half first
 * (docs/algorithm.md §1). Scale 1 or mode none: the conditional branch alone (the same value).
 */
export function guidedVelocity(net: VelocityNet, x: tf.Tensor2D, t: tf.Tensor1D, c: tf.Tensor1D, g: Guidance, timeScale: number, p: Precision): tf.Tensor2D {
  return tf.tidy(() => {
    const ts = tf.mul(t, timeScale) as tf.Tensor1D;
    if (g.mode === 'none' || g.scale === 1) return net.forward(x, ts, c, p);
    if (g.mode === 'embedded') return embeddedGuidance(net, x, ts, c, g.scale, p);
    const nul = tf.fill([x.shape[0]], net.nullCondition, 'int32') as tf.Tensor1D;
    return cfgVelocity((xx, tt, cc) => net.forward(xx, tt, cc as tf.Tensor1D, p), x, ts, tf.cast(c, 'int32'), nul, g.scale);
  });
}

/**
 * The one classifier-free guidance on velocity, for any backbone (the toy nets above; the image DiT of
 * nets/dit-sample.ts, whose conditions are caption embeddings): `forward` runs once on the doubled batch
 * [null half; conditional half] and v_w = v_u + w (v_c - v_u). Scale 1: the conditional pass alone.
 * `ts` is the time already multiplied by the net's time scale.
 */
export function cfgVelocity<T extends tf.Tensor>(
  forward: (x: T, ts: tf.Tensor1D, cond: tf.Tensor) => T,
  x: T,
  ts: tf.Tensor1D,
  cond: tf.Tensor,
  nullCond: tf.Tensor,
  scale: number,
): T {
  return tf.tidy(() => {
    if (scale === 1) return forward(x, ts, cond);
    const out = forward(tf.concat([x, x], 0) as T, tf.concat([ts, ts], 0) as tf.Tensor1D, tf.concat([nullCond, cond], 0));
    const [vu, vc] = tf.split(out, 2, 0) as [T, T];
    return tf.add(vu, tf.mul(scale, tf.sub(vc, vu))) as T;
  });
}

/** A backbone with a learned guidance embedding (FLUX.1-dev; SANA-Sprint): `guidance` is the value it is fed. */
interface GuidanceEmbedded {
  guidance: number;
}

export function hasGuidanceEmbedding(net: VelocityNet): net is VelocityNet & GuidanceEmbedded {
  const cfg = net.config as Record<string, unknown>;
  return typeof (net as Partial<GuidanceEmbedded>).guidance === 'number' && (cfg.guidance_embeds === true || cfg.guidance_embeds === 'true');
}

/**
 * Embedded guidance (paper §4.4, docs/algorithm.md §7): one conditional pass with the scale fed through the
 * guidance embedder - no unconditional branch, no doubled batch. The net's own value (1.0: what G always
 * sees, docs/algorithm.md §3) is restored afterwards; the pass has read it by then.
 */
function embeddedGuidance(net: VelocityNet, x: tf.Tensor2D, ts: tf.Tensor1D, c: tf.Tensor1D, scale: number, p: Precision): tf.Tensor2D {
  if (!hasGuidanceEmbedding(net)) throw new Error(`embedded guidance needs a guidance-embedding backbone; ${net.kind} has none`);
  const own = net.guidance;
  net.guidance = scale;
  try {
    return net.forward(x, ts, c, p);
  } finally {
    net.guidance = own;
  }
}

export type NoiseMode = 'fresh' | 'fixed' | 'ddim';

/**
 * generate_k (eq. 16, docs/algorithm.md §3): D = 0; for i < k: t_i = 1 - i/steps, n = z (i = 0) else fresh /
 * z again / re-derived from the previous step (ddim: E[eps | x] = x + (1 - t) v, eq. 11);
 * x = (1 - t_i) D + t_i n; D = x - t_i G(x, t_i, c). G never gets CFG. With gradLast only the last call
 * keeps its graph; otherwise the result is detached.
 */
export function generateK(
  G: VelocityNet,
  z: tf.Tensor2D,
  c: tf.Tensor1D,
  k: number,
  steps: number,
  noise: NoiseMode,
  rng: Rng,
  timeScale: number,
  p: Precision,
  gradLast: boolean,
): tf.Tensor2D {
  let D: tf.Tensor2D = tf.zerosLike(z);
  let prevEps: tf.Tensor2D | null = null;
  const [B, dim] = z.shape;
  for (let i = 0; i < k; i++) {
    const ti = 1 - i / steps;
    let n: tf.Tensor2D;
    if (i === 0 || noise === 'fixed') n = z;
    else if (noise === 'ddim') n = prevEps!;
    else n = tf.tensor2d(rng.normals(B * dim), [B, dim]);
    const last = i === k - 1;
    const tv = tf.fill([B], ti) as tf.Tensor1D;
    const x = tf.add(tf.mul(1 - ti, D), tf.mul(ti, n)) as tf.Tensor2D;
    const v = G.forward(x, tf.mul(tv, timeScale) as tf.Tensor1D, c, p);
    const Dn = tf.sub(x, tf.mul(ti, v)) as tf.Tensor2D;
    if (last && gradLast) return Dn;
    D = detach(Dn);
    if (noise === 'ddim') prevEps = detach(tf.add(x, tf.mul(1 - ti, v)) as tf.Tensor2D);
  }
  return D;
}

/** Teacher Euler sampler from t = 1 to 0 in `steps` uniform steps, guided (eq. 15). No gradient. */
export function eulerSample(net: VelocityNet, z: tf.Tensor2D, c: tf.Tensor1D, steps: number, g: Guidance, timeScale: number, p: Precision): tf.Tensor2D {
  let x = z;
  for (let i = 0; i < steps; i++) {
    const t = 1 - i / steps;
    const dt = 1 / steps;
    const next = tf.tidy(() => {
      const v = guidedVelocity(net, x, tf.fill([x.shape[0]], t) as tf.Tensor1D, c, g, timeScale, p);
      return tf.sub(x, tf.mul(dt, v)) as tf.Tensor2D;
    });
    if (x !== z) x.dispose();
    x = next;
  }
  return x;
}
