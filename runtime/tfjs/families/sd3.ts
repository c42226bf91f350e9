// SD3Transformer2DModel (diffusers models/transformers/transformer_sd3.py + JointTransformerBlock in
// models/attention.py + JointAttnProcessor2_0): PatchEmbed with a cropped position table, timestep +
// pooled-text conditioning, context_embedder, MMDiT blocks (joint attention over [image; text] with
// per-stream projections, optional per-head RMS qk-norm; SD3.5-Medium's extra image-only attention in
// `dual_attention_layers` (AdaLayerNormZeroX); the last block is context_pre_only), AdaLayerNormContinuous,
// proj_out, unpatchify.
import * as tf from '@tensorflow/tfjs-core';
import type { SD3Config } from './config.js';
import {
  type Ctx,
  adaChunks,
  feedForward,
  gated,
  headRmsNorm,
  mha,
  modulate,
  plainLayerNorm,
  silu,
  textProjection,
  timestepEmbedding,
  shapeTable,
} from './layers.js';
import type { FamilyInputs, FamilyModule, FamilyOutput } from './model.js';
import { patchify, unpatchify } from '../nn/patch.js';

const hidden = (c: SD3Config) => c.num_attention_heads * c.attention_head_dim;

function shapes(c: SD3Config): Record<string, number[]> {
  const d = hidden(c);
  const dh = c.attention_head_dim;
  const { s, lin } = shapeTable();
  s['pos_embed.proj.weight'] = [d, c.in_channels, c.patch_size, c.patch_size];
  s['pos_embed.proj.bias'] = [d];
  s['pos_embed.pos_embed'] = [1, c.pos_embed_max_size * c.pos_embed_max_size, d];
  lin('time_text_embed.timestep_embedder.linear_1', d, 256);
  lin('time_text_embed.timestep_embedder.linear_2', d, d);
  lin('time_text_embed.text_embedder.linear_1', d, c.pooled_projection_dim);
  lin('time_text_embed.text_embedder.linear_2', d, d);
  lin('context_embedder', c.caption_projection_dim, c.joint_attention_dim);
  for (let i = 0; i < c.num_layers; i++) {
    const b = `transformer_blocks.${i}`;
    const last = i === c.num_layers - 1;
    const dual = c.dual_attention_layers.includes(i);
    lin(`${b}.norm1.linear`, (dual ? 9 : 6) * d, d);
    lin(`${b}.norm1_context.linear`, (last ? 2 : 6) * d, d);
    for (const n of ['to_q', 'to_k', 'to_v', 'add_q_proj', 'add_k_proj', 'add_v_proj', 'to_out.0']) lin(`${b}.attn.${n}`, d, d);
    if (!last) lin(`${b}.attn.to_add_out`, d, d);
    if (c.qk_norm) for (const n of ['norm_q', 'norm_k', 'norm_added_q', 'norm_added_k']) s[`${b}.attn.${n}.weight`] = [dh];
    if (dual) {
      for (const n of ['to_q', 'to_k', 'to_v', 'to_out.0']) lin(`${b}.attn2.${n}`, d, d);
      if (c.qk_norm) for (const n of ['norm_q', 'norm_k']) s[`${b}.attn2.${n}.weight`] = [dh];
    }
    lin(`${b}.ff.net.0.proj`, 4 * d, d);
    lin(`${b}.ff.net.2`, d, 4 * d);
    if (!last) {
      lin(`${b}.ff_context.net.0.proj`, 4 * d, d);
      lin(`${b}.ff_context.net.2`, d, 4 * d);
    }
  }
  lin('norm_out.linear', 2 * d, d);
  lin('proj_out', c.patch_size * c.patch_size * c.out_channels, d);
  return s;
}

/** PatchEmbed.cropped_pos_embed: the centre gh x gw window of the max x max table -> [1, gh*gw, D]. */
export function croppedPosEmbed(table: tf.Tensor, max: number, gh: number, gw: number): tf.Tensor {
  if (gh > max || gw > max) throw new Error(`latent grid ${gh}x${gw} exceeds pos_embed_max_size ${max}`);
  const d = table.shape[2]!;
  const top = Math.floor((max - gh) / 2);
  const left = Math.floor((max - gw) / 2);
  return tf.reshape(tf.slice(tf.reshape(table, [max, max, d]), [top, left, 0], [gh, gw, d]), [1, gh * gw, d]);
}

/**
 * JointAttnProcessor2_0: q/k/v of both streams, per-head RMS norm (eps 1e-6) when qk_norm, attention over
 * the concatenation [image; text], split back; to_out.0 for the image, to_add_out for the text (absent
 * in a context_pre_only block). Returns [image, text | null].
 */
export function jointAttention(
  c: SD3Config | { num_attention_heads: number; qk_norm: string | null },
  ctx: Ctx,
  pre: string,
  x: tf.Tensor,
  y: tf.Tensor,
  textFirst: boolean,
  rope?: (heads: tf.Tensor) => tf.Tensor,
): [tf.Tensor, tf.Tensor | null] {
  const h = c.num_attention_heads;
  const norm = (t: tf.Tensor, n: string) => (c.qk_norm ? headRmsNorm(t, h, ctx.get(`${pre}.${n}.weight`), 1e-6) : t);
  const q = norm(ctx.lin(`${pre}.to_q`, x), 'norm_q');
  const k = norm(ctx.lin(`${pre}.to_k`, x), 'norm_k');
  const v = ctx.lin(`${pre}.to_v`, x);
  const qc = norm(ctx.lin(`${pre}.add_q_proj`, y), 'norm_added_q');
  const kc = norm(ctx.lin(`${pre}.add_k_proj`, y), 'norm_added_k');
  const vc = ctx.lin(`${pre}.add_v_proj`, y);
  const cat = (a: tf.Tensor, b: tf.Tensor) => (textFirst ? tf.concat([b, a], 1) : tf.concat([a, b], 1));
  const o = mha(cat(q, qc), cat(k, kc), cat(v, vc), h, rope);
  const n = x.shape[1]!;
  const l = y.shape[1]!;
  const [oi, ot] = textFirst
    ? [tf.slice(o, [0, l, 0], [-1, n, -1]), tf.slice(o, [0, 0, 0], [-1, l, -1])]
    : [tf.slice(o, [0, 0, 0], [-1, n, -1]), tf.slice(o, [0, n, 0], [-1, l, -1])];
  const image = ctx.lin(`${pre}.to_out.0`, oi);
  return [image, ctx.has(`${pre}.to_add_out.weight`) ? ctx.lin(`${pre}.to_add_out`, ot) : null];
}

/** Plain self-attention (attn2 of a dual-attention block), with per-head RMS qk-norm when configured. */
function selfAttention(c: SD3Config, ctx: Ctx, pre: string, x: tf.Tensor): tf.Tensor {
  const h = c.num_attention_heads;
  const norm = (t: tf.Tensor, n: string) => (c.qk_norm ? headRmsNorm(t, h, ctx.get(`${pre}.${n}.weight`), 1e-6) : t);
  const o = mha(norm(ctx.lin(`${pre}.to_q`, x), 'norm_q'), norm(ctx.lin(`${pre}.to_k`, x), 'norm_k'), ctx.lin(`${pre}.to_v`, x), h);
  return ctx.lin(`${pre}.to_out.0`, o);
}

function block(c: SD3Config, ctx: Ctx, i: number, x: tf.Tensor, y: tf.Tensor, siluTemb: tf.Tensor): [tf.Tensor, tf.Tensor] {
  const pre = `transformer_blocks.${i}`;
  const last = i === c.num_layers - 1;
  const dual = c.dual_attention_layers.includes(i);
  // AdaLayerNormZero (6 chunks) or AdaLayerNormZeroX (9: + shift/scale/gate of the second attention)
  const m = adaChunks(ctx, `${pre}.norm1.linear`, siluTemb, dual ? 9 : 6);
  const nx = plainLayerNorm(x);
  const normX = modulate(nx, m[0]!, m[1]!);
  let normY: tf.Tensor;
  let cm: tf.Tensor[] = [];
  if (last) {
    // AdaLayerNormContinuous: scale first, then shift
    const [scale, shift] = adaChunks(ctx, `${pre}.norm1_context.linear`, siluTemb, 2);
    normY = modulate(plainLayerNorm(y), shift!, scale!);
  } else {
    cm = adaChunks(ctx, `${pre}.norm1_context.linear`, siluTemb, 6);
    normY = modulate(plainLayerNorm(y), cm[0]!, cm[1]!);
  }
  const [ax, ay] = jointAttention(c, ctx, `${pre}.attn`, normX, normY, false);
  x = tf.add(x, gated(m[2]!, ax));
  if (dual) x = tf.add(x, gated(m[8]!, selfAttention(c, ctx, `${pre}.attn2`, modulate(nx, m[6]!, m[7]!))));
  x = tf.add(x, gated(m[5]!, feedForward(ctx, `${pre}.ff`, modulate(plainLayerNorm(x), m[3]!, m[4]!))));
  if (last) return [x, y];
  y = tf.add(y, gated(cm[2]!, ay!));
  y = tf.add(y, gated(cm[5]!, feedForward(ctx, `${pre}.ff_context`, modulate(plainLayerNorm(y), cm[3]!, cm[4]!))));
  return [x, y];
}

function forward(c: SD3Config, ctx: Ctx, inp: FamilyInputs, featuresOnly = false): FamilyOutput {
  const [, , hh, ww] = inp.x.shape as [number, number, number, number];
  const p = c.patch_size;
  const d = hidden(c);
  if (!inp.pooled) throw new Error('SD3 needs the pooled text embedding');
  let x = ctx.linW(patchify(inp.x, p), tf.reshape(ctx.get('pos_embed.proj.weight'), [d, c.in_channels * p * p]), ctx.get('pos_embed.proj.bias'));
  x = tf.add(x, croppedPosEmbed(ctx.get('pos_embed.pos_embed'), c.pos_embed_max_size, hh / p, ww / p));
  // CombinedTimestepTextProjEmbeddings: timestep embedding + pooled text projection (SiLU)
  const temb = tf.add(
    timestepEmbedding(ctx, 'time_text_embed.timestep_embedder', inp.timestep),
    textProjection(ctx, 'time_text_embed.text_embedder', inp.pooled, 'silu'),
  );
  const st = silu(temb);
  let y = ctx.lin('context_embedder', inp.text);
  for (let i = 0; i < c.num_layers; i++) [x, y] = block(c, ctx, i, x, y, st);
  const [scale, shift] = adaChunks(ctx, 'norm_out.linear', st, 2);
  const features = modulate(plainLayerNorm(x), shift!, scale!);
  if (featuresOnly) return { features };
  return { features, v: unpatchify(ctx.lin('proj_out', features), p, c.out_channels, hh, ww) };
}

export const sd3Family: FamilyModule<SD3Config> = {
  shapes,
  forward,
  latentChannels: (c) => c.in_channels,
  spatialMultiple: (c) => c.patch_size,
  textDims: (c) => ({ seq: c.joint_attention_dim, pooled: c.pooled_projection_dim }),
};
