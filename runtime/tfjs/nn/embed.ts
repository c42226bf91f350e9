// Timestep and position embeddings (DiT / diffusers conventions).
import * as tf from '@tensorflow/tfjs-core';
import { linear } from './linear.js';
import { silu } from './activations.js';
import { param, type Params, type ParamValues } from './params.js';
import { timestepFrequencies } from './float32-math.js';

/**
 * Sinusoidal embedding of timesteps t [B] (already multiplied by the family's time_scale) -> [B, dim]:
 * [cos(t f_i), sin(t f_i)] with f_i = 10000^(-i / (dim/2)) (diffusers Timesteps, flip_sin_to_cos=True,
 * downscale_freq_shift=0, as in DiT and SD3). The frequencies, the product and sin/cos are float32 as in
 * diffusers' get_timestep_embedding (see float32-math.ts: at FLUX's t x 1000 one ulp of f_i matters).
 */
export function timestepSinusoidal(t: tf.Tensor, dim: number, maxPeriod = 10000): tf.Tensor2D {
  const half = dim / 2;
  const f = timestepFrequencies(half, maxPeriod);
  return tf.tidy(() => {
    const args = tf.mul(tf.reshape(t, [-1, 1]), tf.tensor2d(f, [1, half]));
    return tf.concat([tf.cos(args), tf.sin(args)], 1) as tf.Tensor2D;
  });
}

/** diffusers TimestepEmbedding: linear_1 -> SiLU -> linear_2. */
export function mlpEmbed(p: Params | ParamValues, prefix: string, x: tf.Tensor): tf.Tensor {
  const h = silu(linear(x, param(p, `${prefix}.linear_1.weight`), param(p, `${prefix}.linear_1.bias`)));
  return linear(h, param(p, `${prefix}.linear_2.weight`), param(p, `${prefix}.linear_2.bias`));
}

/** Fixed 2-D sin-cos position embedding [gh*gw, dim] (DiT / MAE get_2d_sincos_pos_embed): integer positions,
 *  frequencies and angles in float64 and rounded once, as diffusers does (its omega is float64). */
export function sincosPosEmbed2d(dim: number, gh: number, gw: number): Float32Array {
  const out = new Float32Array(gh * gw * dim);
  const quarter = dim / 4;
  for (let y = 0; y < gh; y++)
    for (let x = 0; x < gw; x++) {
      const row = (y * gw + x) * dim;
      // first half encodes the column (w) coordinate, second half the row (h), as in MAE's grid order
      for (const [half, pos] of [
        [0, x],
        [1, y],
      ] as const)
        for (let i = 0; i < quarter; i++) {
          const omega = 1 / Math.pow(10000, i / quarter);
          out[row + half * 2 * quarter + i] = Math.sin(pos * omega);
          out[row + half * 2 * quarter + quarter + i] = Math.cos(pos * omega);
        }
    }
  return out;
}
