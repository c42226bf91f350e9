// Building blocks shared by the three families, named after the diffusers modules they reproduce
// (embeddings.py, normalization.py, attention.py). Weights come from a flat name -> tensor map; every
// Linear goes through runtime/nn's wasm-fast `linear` with the precision policy applied to its operands.
import * as tf from '@tensorflow/tfjs-core';
import { linear } from '../nn/linear.js';
import { layerNorm, rmsNorm } from '../nn/norm.js';
import { geluTanh, silu } from '../nn/activations.js';
import { timestepSinusoidal } from '../nn/embed.js';
import { attentionCore, mergeHeads, splitHeads } from '../nn/attention.js';

export type Weights = Record<string, tf.Tensor>;

/** A diffusers parameter-shape table and its Linear helper: `lin(name, out, in)` adds `name.weight` [out, in]
 * (torch's layout) and, unless bias is false, `name.bias` [out]. */
export function shapeTable(): { s: Record<string, number[]>; lin: (name: string, out: number, inp: number, bias?: boolean) => void } {
  const s: Record<string, number[]> = {};
  const lin = (name: string, out: number, inp: number, bias = true): void => {
    s[`${name}.weight`] = [out, inp];
    if (bias) s[`${name}.bias`] = [out];
  };
  return { s, lin };
}

/**
 * The part of runtime/precision's Precision these nets use (structural, so a Precision fits): `compute`
 * rounds every matmul operand (bf16 for amp/bf16 policies, docs/algorithm.md §5).
 */
export interface ComputePolicy {
  name: string;
  compute(x: tf.Tensor): tf.Tensor;
}

export const FP32_COMPUTE: ComputePolicy = { name: 'fp32', compute: (x) => x };

/** Parameters and precision of one forward pass. */
export class Ctx {
  constructor(
    readonly w: Weights,
    readonly precision: ComputePolicy = FP32_COMPUTE,
  ) {}

  get(name: string): tf.Tensor {
    const t = this.w[name];
    if (!t) throw new Error(`missing parameter "${name}"`);
    return t;
  }
  has(name: string): boolean {
    return name in this.w;
  }
  /** torch Linear `${prefix}.weight` [out, in] (+ `${prefix}.bias` when present). */
  lin(prefix: string, x: tf.Tensor): tf.Tensor {
    const w = this.get(`${prefix}.weight`);
    const b = this.w[`${prefix}.bias`] ?? tf.zeros([w.shape[0]!]);
    return this.linW(x, w, b);
  }
  /** Linear with an explicit (possibly reshaped conv) weight. */
  linW(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor): tf.Tensor {
    // one tidy per product: runtime/nn's linear transposes the weight for its forward product, and that
    // copy would otherwise live until the whole pass ends (a second copy of every weight at peak)
    const pc = this.precision.compute;
    return tf.tidy(() => (this.precision.name === 'fp32' ? linear(x, w, b) : linear(pc(x), pc(w), b)));
  }
}

/** LayerNorm(elementwise_affine=False, eps 1e-6), the norm of every adaLN layer here. */
export const plainLayerNorm = (x: tf.Tensor, eps = 1e-6): tf.Tensor => layerNorm(x, eps);

/** x [B, N, D] * (1 + scale[B, D]) + shift[B, D]. */
export function modulate(x: tf.Tensor, shift: tf.Tensor, scale: tf.Tensor): tf.Tensor {
  return tf.add(tf.mul(x, tf.add(tf.expandDims(scale, 1), 1)), tf.expandDims(shift, 1));
}

/** gate[B, D] * y [B, N, D]. */
export const gated = (g: tf.Tensor, y: tf.Tensor): tf.Tensor => tf.mul(tf.expandDims(g, 1), y);

/** diffusers Timesteps(256, flip_sin_to_cos=True, downscale_freq_shift=0) + TimestepEmbedding. */
export function timestepEmbedding(c: Ctx, prefix: string, t: tf.Tensor): tf.Tensor {
  const h = silu(c.lin(`${prefix}.linear_1`, timestepSinusoidal(t, 256)));
  return c.lin(`${prefix}.linear_2`, h);
}

/** PixArtAlphaTextProjection: linear_1 -> act (gelu_tanh or silu) -> linear_2. */
export function textProjection(c: Ctx, prefix: string, x: tf.Tensor, act: 'gelu_tanh' | 'silu'): tf.Tensor {
  const h = c.lin(`${prefix}.linear_1`, x);
  return c.lin(`${prefix}.linear_2`, act === 'silu' ? silu(h) : geluTanh(h));
}

/** FeedForward(activation_fn="gelu-approximate"): net.0.proj -> GELU(tanh) -> net.2. */
export function feedForward(c: Ctx, prefix: string, x: tf.Tensor): tf.Tensor {
  return c.lin(`${prefix}.net.2`, geluTanh(c.lin(`${prefix}.net.0.proj`, x)));
}

/** The modulation Linear of an adaLN layer: SiLU(temb) [B, D] -> `chunks` vectors [B, D]. */
export function adaChunks(c: Ctx, prefix: string, siluTemb: tf.Tensor, chunks: number): tf.Tensor[] {
  return tf.split(c.lin(prefix, siluTemb), chunks, -1);
}

/** RMSNorm per head over head_dim (Attention qk_norm="rms_norm"): x [B, N, H*dh], weight [dh]. */
export function headRmsNorm(x: tf.Tensor, heads: number, weight: tf.Tensor, eps: number): tf.Tensor {
  const [b, n, d] = x.shape as [number, number, number];
  return tf.reshape(rmsNorm(tf.reshape(x, [b, n, heads, d / heads]), eps, weight), [b, n, d]);
}

/** Multi-head softmax attention on [B, N, H*dh] tensors, optional per-head transform of q and k. */
export function mha(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, heads: number, qkHeads?: (x: tf.Tensor) => tf.Tensor): tf.Tensor {
  let qh: tf.Tensor = splitHeads(q, heads);
  let kh: tf.Tensor = splitHeads(k, heads);
  if (qkHeads) {
    qh = qkHeads(qh);
    kh = qkHeads(kh);
  }
  return mergeHeads(attentionCore(qh, kh, splitHeads(v, heads)), heads);
}

export { silu, geluTanh, rmsNorm, layerNorm };
