// SanaTransformer2DModel (diffusers models/transformers/sana_transformer.py): patch embedding without
// positions (or sin-cos when interpolation_scale is set), AdaLayerNormSingle timestep (PixArt-style
// per-block scale_shift_table), caption projection + RMS caption norm, blocks of ReLU linear
// self-attention, softmax cross-attention to the caption, GLU Mix-FFN (1x1 conv, depthwise 3x3 conv,
// SiLU gate, 1x1 conv); final modulated LayerNorm, proj_out, unpatchify.
import * as tf from '@tensorflow/tfjs-core';
import type { SanaConfig } from './config.js';
import { type Ctx, modulate, gated, plainLayerNorm, timestepEmbedding, textProjection, silu, rmsNorm, layerNorm, shapeTable } from './layers.js';
import type { FamilyInputs, FamilyModule, FamilyOutput } from './model.js';
import { patchify, unpatchify } from '../nn/patch.js';
import { depthwiseConv3x3 } from '../nn/dwconv.js';
import { attentionWithBias, maskBias } from '../nn/attention-bias.js';
import { attentionCore, mergeHeads, splitHeads } from '../nn/attention.js';

const hidden = (c: SanaConfig) => c.num_attention_heads * c.attention_head_dim;
const ffHidden = (c: SanaConfig) => Math.floor(c.mlp_ratio * hidden(c));

function shapes(c: SanaConfig): Record<string, number[]> {
  const d = hidden(c);
  const dc = c.num_cross_attention_heads * c.cross_attention_head_dim;
  const h = ffHidden(c);
  const { s, lin } = shapeTable();
  s['patch_embed.proj.weight'] = [d, c.in_channels, c.patch_size, c.patch_size];
  s['patch_embed.proj.bias'] = [d];
  if (c.guidance_embeds) {
    for (const e of ['timestep_embedder', 'guidance_embedder']) {
      lin(`time_embed.${e}.linear_1`, d, 256);
      lin(`time_embed.${e}.linear_2`, d, d);
    }
  } else {
    lin('time_embed.emb.timestep_embedder.linear_1', d, 256);
    lin('time_embed.emb.timestep_embedder.linear_2', d, d);
  }
  lin('time_embed.linear', 6 * d, d);
  lin('caption_projection.linear_1', d, c.caption_channels);
  lin('caption_projection.linear_2', d, d);
  s['caption_norm.weight'] = [d];
  for (let i = 0; i < c.num_layers; i++) {
    const b = `transformer_blocks.${i}`;
    s[`${b}.scale_shift_table`] = [6, d];
    for (const n of ['to_q', 'to_k', 'to_v']) lin(`${b}.attn1.${n}`, d, d, c.attention_bias);
    lin(`${b}.attn1.to_out.0`, d, d);
    if (c.qk_norm) {
      s[`${b}.attn1.norm_q.weight`] = [d];
      s[`${b}.attn1.norm_k.weight`] = [d];
    }
    if (c.norm_elementwise_affine) {
      s[`${b}.norm2.weight`] = [d];
      s[`${b}.norm2.bias`] = [d];
    }
    lin(`${b}.attn2.to_q`, dc, d);
    lin(`${b}.attn2.to_k`, dc, c.cross_attention_dim);
    lin(`${b}.attn2.to_v`, dc, c.cross_attention_dim);
    lin(`${b}.attn2.to_out.0`, d, dc);
    if (c.qk_norm) {
      s[`${b}.attn2.norm_q.weight`] = [dc];
      s[`${b}.attn2.norm_k.weight`] = [dc];
    }
    s[`${b}.ff.conv_inverted.weight`] = [2 * h, d, 1, 1];
    s[`${b}.ff.conv_inverted.bias`] = [2 * h];
    s[`${b}.ff.conv_depth.weight`] = [2 * h, 1, 3, 3];
    s[`${b}.ff.conv_depth.bias`] = [2 * h];
    s[`${b}.ff.conv_point.weight`] = [d, h, 1, 1];
  }
  s['scale_shift_table'] = [2, d];
  lin('proj_out', c.patch_size * c.patch_size * c.out_channels, d);
  return s;
}

/** PatchEmbed's sin-cos table (pos_embed_type="sincos"): positions scaled by base_size and interpolation_scale.
 *  As diffusers' get_2d_sincos_pos_embed: the positions arange(g) / (g / base) / interp are float32 (each
 *  quotient rounded), the frequencies and angles float64, the table rounded to float32 once. */
function sincosTable(d: number, gh: number, gw: number, base: number, interp: number): Float32Array {
  const out = new Float32Array(gh * gw * d);
  const q = d / 4;
  const f32 = Math.fround;
  const position = (i: number, g: number) => f32(f32(i / f32(g / base)) / f32(interp));
  for (let y = 0; y < gh; y++)
    for (let x = 0; x < gw; x++) {
      // first half encodes the column coordinate, second half the row (get_2d_sincos_pos_embed's meshgrid)
      const pos = [position(x, gw), position(y, gh)];
      for (let half = 0; half < 2; half++)
        for (let i = 0; i < q; i++) {
          const a = pos[half]! * (1 / Math.pow(10000, i / q));
          out[(y * gw + x) * d + half * 2 * q + i] = Math.sin(a);
          out[(y * gw + x) * d + half * 2 * q + q + i] = Math.cos(a);
        }
    }
  return out;
}

/** ReLU-kernel linear attention (SanaLinearAttnProcessor2_0) on heads [G, N, dh]:
 *  out_n = sum_m v_m (k_m . q_n) / (sum_m k_m . q_n + 1e-15). */
export function linearAttentionHeads(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor): tf.Tensor {
  const qr = tf.relu(q);
  const kr = tf.relu(k);
  const kv = tf.matMul(kr as tf.Tensor3D, v as tf.Tensor3D, true, false); // [G, dh, dh]
  const num = tf.matMul(qr as tf.Tensor3D, kv); // [G, N, dh]
  const den = tf.sum(tf.mul(qr, tf.sum(kr, 1, true)), -1, true); // [G, N, 1]
  return tf.div(num, tf.add(den, 1e-15));
}

function selfAttention(c: SanaConfig, ctx: Ctx, pre: string, x: tf.Tensor): tf.Tensor {
  let q = ctx.lin(`${pre}.to_q`, x);
  let k = ctx.lin(`${pre}.to_k`, x);
  const v = ctx.lin(`${pre}.to_v`, x);
  if (c.qk_norm) {
    // rms_norm_across_heads: one RMSNorm over all heads, eps 1e-5 (Attention's default eps)
    q = rmsNorm(q, 1e-5, ctx.get(`${pre}.norm_q.weight`));
    k = rmsNorm(k, 1e-5, ctx.get(`${pre}.norm_k.weight`));
  }
  const h = c.num_attention_heads;
  const o = mergeHeads(linearAttentionHeads(splitHeads(q, h), splitHeads(k, h), splitHeads(v, h)), h);
  return ctx.lin(`${pre}.to_out.0`, o);
}

function crossAttention(c: SanaConfig, ctx: Ctx, pre: string, x: tf.Tensor, y: tf.Tensor, bias: tf.Tensor | null): tf.Tensor {
  let q = ctx.lin(`${pre}.to_q`, x);
  let k = ctx.lin(`${pre}.to_k`, y);
  const v = ctx.lin(`${pre}.to_v`, y);
  if (c.qk_norm) {
    q = rmsNorm(q, 1e-5, ctx.get(`${pre}.norm_q.weight`));
    k = rmsNorm(k, 1e-5, ctx.get(`${pre}.norm_k.weight`));
  }
  const h = c.num_cross_attention_heads;
  const [qh, kh, vh] = [splitHeads(q, h), splitHeads(k, h), splitHeads(v, h)];
  const o = bias ? attentionWithBias(qh, kh, vh, bias) : attentionCore(qh, kh, vh);
  return ctx.lin(`${pre}.to_out.0`, mergeHeads(o, h));
}

/** GLUMBConv(residual_connection=False) on tokens [B, gh*gw, D]. */
function glumbConv(c: SanaConfig, ctx: Ctx, pre: string, x: tf.Tensor, gh: number, gw: number): tf.Tensor {
  const h = ffHidden(c);
  const d = hidden(c);
  const b = x.shape[0]!;
  let y = ctx.linW(x, tf.reshape(ctx.get(`${pre}.conv_inverted.weight`), [2 * h, d]), ctx.get(`${pre}.conv_inverted.bias`));
  y = silu(y);
  y = depthwiseConv3x3(tf.reshape(y, [b, gh, gw, 2 * h]), ctx.get(`${pre}.conv_depth.weight`), ctx.get(`${pre}.conv_depth.bias`));
  const [val, gate] = tf.split(tf.reshape(y, [b, gh * gw, 2 * h]), 2, -1) as [tf.Tensor, tf.Tensor];
  return ctx.linW(tf.mul(val, silu(gate)), tf.reshape(ctx.get(`${pre}.conv_point.weight`), [d, h]), tf.zeros([d]));
}

function forward(c: SanaConfig, ctx: Ctx, inp: FamilyInputs, featuresOnly = false): FamilyOutput {
  const [b, , hh, ww] = inp.x.shape as [number, number, number, number];
  const p = c.patch_size;
  const d = hidden(c);
  const gh = hh / p;
  const gw = ww / p;
  // 1. input: PatchEmbed (a stride-p conv = linear on patchified (c, py, px) features)
  let x = ctx.linW(patchify(inp.x, p), tf.reshape(ctx.get('patch_embed.proj.weight'), [d, c.in_channels * p * p]), ctx.get('patch_embed.proj.bias'));
  if (c.interpolation_scale !== null) {
    x = tf.add(x, tf.tensor3d(sincosTable(d, gh, gw, Math.floor(c.sample_size / p), c.interpolation_scale), [1, gh * gw, d]));
  }
  // AdaLayerNormSingle (or SANA-Sprint's timestep + guidance embedder): 6D modulation + embedded timestep
  let emb: tf.Tensor;
  if (c.guidance_embeds) {
    if (!inp.guidance) throw new Error('this SANA checkpoint has guidance_embeds: a guidance value is required');
    emb = tf.add(timestepEmbedding(ctx, 'time_embed.timestep_embedder', inp.timestep), timestepEmbedding(ctx, 'time_embed.guidance_embedder', inp.guidance));
  } else {
    emb = timestepEmbedding(ctx, 'time_embed.emb.timestep_embedder', inp.timestep);
  }
  const t6 = tf.reshape(ctx.lin('time_embed.linear', silu(emb)), [b, 6, d]);
  let y = textProjection(ctx, 'caption_projection', inp.text, 'gelu_tanh');
  y = rmsNorm(y, 1e-5, ctx.get('caption_norm.weight'));
  const bias = inp.mask ? maskBias(inp.mask, c.num_cross_attention_heads) : null;
  // 2. blocks
  for (let i = 0; i < c.num_layers; i++) {
    const pre = `transformer_blocks.${i}`;
    const mod = tf.add(ctx.get(`${pre}.scale_shift_table`), t6); // [B, 6, D]
    const [shMsa, scMsa, gMsa, shMlp, scMlp, gMlp] = tf.unstack(mod, 1);
    const n1 = modulate(plainLayerNorm(x, c.norm_eps), shMsa!, scMsa!);
    x = tf.add(x, gated(gMsa!, selfAttention(c, ctx, `${pre}.attn1`, n1)));
    x = tf.add(x, crossAttention(c, ctx, `${pre}.attn2`, x, y, bias));
    const n2raw = c.norm_elementwise_affine
      ? layerNorm(x, c.norm_eps, ctx.get(`${pre}.norm2.weight`), ctx.get(`${pre}.norm2.bias`))
      : plainLayerNorm(x, c.norm_eps);
    const n2 = modulate(n2raw, shMlp!, scMlp!);
    x = tf.add(x, gated(gMlp!, glumbConv(c, ctx, `${pre}.ff`, n2, gh, gw)));
  }
  // 3. SanaModulatedNorm: shift, scale = scale_shift_table + embedded_timestep
  const [shift, scale] = tf.unstack(tf.add(ctx.get('scale_shift_table'), tf.expandDims(emb, 1)), 1);
  const features = modulate(plainLayerNorm(x, 1e-6), shift!, scale!);
  if (featuresOnly) return { features };
  const out = ctx.lin('proj_out', features);
  return { features, v: unpatchify(out, p, c.out_channels, hh, ww) };
}

export const sanaFamily: FamilyModule<SanaConfig> = {
  shapes,
  forward,
  latentChannels: (c) => c.in_channels,
  spatialMultiple: (c) => c.patch_size,
  textDims: (c) => ({ seq: c.caption_channels, pooled: 0 }),
};
