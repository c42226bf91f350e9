// FluxTransformerBlock / FluxSingleTransformerBlock / FluxTransformer2DModel (diffusers
// models/transformers/transformer_flux.py): x_embedder on packed 2x2 latents (64-channel tokens),
// timestep (x1000 inside) + guidance (x1000) + pooled CLIP conditioning, double-stream blocks (joint
// attention over [text; image] with RMS qk-norm and 3-axis RoPE), single-stream blocks (parallel
// attention + MLP on the concatenated sequence), AdaLayerNormContinuous, proj_out, unpack.
import * as tf from '@tensorflow/tfjs-core';
import type { FluxConfig } from './config.js';
import {
  type Ctx,
  adaChunks,
  feedForward,
  gated,
  geluTanh,
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
import { jointAttention } from './sd3.js';
import { patchify, unpatchifyCpq } from '../nn/patch.js';
import { applyRope, ropeTables } from '../nn/rope.js';

const hidden = (c: FluxConfig) => c.num_attention_heads * c.attention_head_dim;

function shapes(c: FluxConfig): Record<string, number[]> {
  const d = hidden(c);
  const dh = c.attention_head_dim;
  const { s, lin } = shapeTable();
  lin('x_embedder', d, c.in_channels);
  lin('context_embedder', d, c.joint_attention_dim);
  const embs = c.guidance_embeds ? ['timestep_embedder', 'guidance_embedder'] : ['timestep_embedder'];
  for (const e of embs) {
    lin(`time_text_embed.${e}.linear_1`, d, 256);
    lin(`time_text_embed.${e}.linear_2`, d, d);
  }
  lin('time_text_embed.text_embedder.linear_1', d, c.pooled_projection_dim);
  lin('time_text_embed.text_embedder.linear_2', d, d);
  for (let i = 0; i < c.num_layers; i++) {
    const b = `transformer_blocks.${i}`;
    lin(`${b}.norm1.linear`, 6 * d, d);
    lin(`${b}.norm1_context.linear`, 6 * d, d);
    for (const n of ['to_q', 'to_k', 'to_v', 'add_q_proj', 'add_k_proj', 'add_v_proj', 'to_out.0', 'to_add_out']) lin(`${b}.attn.${n}`, d, d);
    for (const n of ['norm_q', 'norm_k', 'norm_added_q', 'norm_added_k']) s[`${b}.attn.${n}.weight`] = [dh];
    for (const f of ['ff', 'ff_context']) {
      lin(`${b}.${f}.net.0.proj`, 4 * d, d);
      lin(`${b}.${f}.net.2`, d, 4 * d);
    }
  }
  for (let i = 0; i < c.num_single_layers; i++) {
    const b = `single_transformer_blocks.${i}`;
    lin(`${b}.norm.linear`, 3 * d, d);
    lin(`${b}.proj_mlp`, 4 * d, d);
    lin(`${b}.proj_out`, d, 5 * d);
    for (const n of ['to_q', 'to_k', 'to_v']) lin(`${b}.attn.${n}`, d, d);
    for (const n of ['norm_q', 'norm_k']) s[`${b}.attn.${n}.weight`] = [dh];
  }
  lin('norm_out.linear', 2 * d, d);
  lin('proj_out', c.patch_size * c.patch_size * c.out_channels, d);
  return s;
}

/** txt_ids (zeros, L rows) then img_ids (0, row, col) of the packed gh x gw grid (_prepare_latent_image_ids). */
export function fluxIds(textLen: number, gh: number, gw: number): number[][] {
  const ids: number[][] = [];
  for (let i = 0; i < textLen; i++) ids.push([0, 0, 0]);
  for (let r = 0; r < gh; r++) for (let q = 0; q < gw; q++) ids.push([0, r, q]);
  return ids;
}

function singleBlock(c: FluxConfig, ctx: Ctx, i: number, x: tf.Tensor, siluTemb: tf.Tensor, rope: (h: tf.Tensor) => tf.Tensor): tf.Tensor {
  const pre = `single_transformer_blocks.${i}`;
  const h = c.num_attention_heads;
  // AdaLayerNormZeroSingle: shift, scale, gate
  const [shift, scale, gate] = adaChunks(ctx, `${pre}.norm.linear`, siluTemb, 3);
  const n = modulate(plainLayerNorm(x), shift!, scale!);
  const mlp = geluTanh(ctx.lin(`${pre}.proj_mlp`, n));
  const q = headRmsNorm(ctx.lin(`${pre}.attn.to_q`, n), h, ctx.get(`${pre}.attn.norm_q.weight`), 1e-6);
  const k = headRmsNorm(ctx.lin(`${pre}.attn.to_k`, n), h, ctx.get(`${pre}.attn.norm_k.weight`), 1e-6);
  const a = mha(q, k, ctx.lin(`${pre}.attn.to_v`, n), h, rope);
  return tf.add(x, gated(gate!, ctx.lin(`${pre}.proj_out`, tf.concat([a, mlp], -1))));
}

function doubleBlock(
  c: FluxConfig,
  ctx: Ctx,
  i: number,
  x: tf.Tensor,
  y: tf.Tensor,
  siluTemb: tf.Tensor,
  rope: (h: tf.Tensor) => tf.Tensor,
): [tf.Tensor, tf.Tensor] {
  const pre = `transformer_blocks.${i}`;
  const m = adaChunks(ctx, `${pre}.norm1.linear`, siluTemb, 6);
  const cm = adaChunks(ctx, `${pre}.norm1_context.linear`, siluTemb, 6);
  const [ax, ay] = jointAttention(
    { num_attention_heads: c.num_attention_heads, qk_norm: 'rms_norm' },
    ctx,
    `${pre}.attn`,
    modulate(plainLayerNorm(x), m[0]!, m[1]!),
    modulate(plainLayerNorm(y), cm[0]!, cm[1]!),
    true,
    rope,
  );
  x = tf.add(x, gated(m[2]!, ax));
  x = tf.add(x, gated(m[5]!, feedForward(ctx, `${pre}.ff`, modulate(plainLayerNorm(x), m[3]!, m[4]!))));
  y = tf.add(y, gated(cm[2]!, ay!));
  y = tf.add(y, gated(cm[5]!, feedForward(ctx, `${pre}.ff_context`, modulate(plainLayerNorm(y), cm[3]!, cm[4]!))));
  return [x, y];
}

function forward(c: FluxConfig, ctx: Ctx, inp: FamilyInputs, featuresOnly = false): FamilyOutput {
  const [, ch, hh, ww] = inp.x.shape as [number, number, number, number];
  if (hh % 2 || ww % 2) throw new Error(`FLUX packs 2x2 latent patches: latent ${hh}x${ww} must be even`);
  const gh = hh / 2;
  const gw = ww / 2;
  const l = inp.text.shape[1]!;
  if (!inp.pooled) throw new Error('FLUX needs the pooled text embedding');
  // _pack_latents: [B, C, H, W] -> [B, (H/2)(W/2), C*4] with features (c, py, px) = patchify's order
  let x = ctx.lin('x_embedder', patchify(inp.x, 2));
  let temb = tf.add(
    timestepEmbedding(ctx, 'time_text_embed.timestep_embedder', tf.mul(inp.timestep, 1000)),
    textProjection(ctx, 'time_text_embed.text_embedder', inp.pooled, 'silu'),
  );
  if (c.guidance_embeds) {
    if (!inp.guidance) throw new Error('this FLUX checkpoint has guidance_embeds: a guidance value is required');
    temb = tf.add(temb, timestepEmbedding(ctx, 'time_text_embed.guidance_embedder', tf.mul(inp.guidance, 1000)));
  }
  const st = silu(temb);
  let y = ctx.lin('context_embedder', inp.text);
  const tables = ropeTables(fluxIds(l, gh, gw), c.axes_dims_rope);
  const s = l + gh * gw;
  const cos = tf.tensor2d(tables.cos, [s, c.attention_head_dim]);
  const sin = tf.tensor2d(tables.sin, [s, c.attention_head_dim]);
  const rope = (heads: tf.Tensor) => applyRope(heads, cos, sin);
  for (let i = 0; i < c.num_layers; i++) [x, y] = doubleBlock(c, ctx, i, x, y, st, rope);
  let xy = tf.concat([y, x], 1);
  for (let i = 0; i < c.num_single_layers; i++) xy = singleBlock(c, ctx, i, xy, st, rope);
  x = tf.slice(xy, [0, l, 0], [-1, gh * gw, -1]);
  const [scale, shift] = adaChunks(ctx, 'norm_out.linear', st, 2);
  const features = modulate(plainLayerNorm(x), shift!, scale!);
  if (featuresOnly) return { features };
  return { features, v: unpatchifyCpq(ctx.lin('proj_out', features), 2, ch, hh, ww) };
}

export const fluxFamily: FamilyModule<FluxConfig> = {
  shapes,
  forward,
  latentChannels: (c) => c.in_channels / 4,
  spatialMultiple: () => 2,
  textDims: (c) => ({ seq: c.joint_attention_dim, pooled: c.pooled_projection_dim }),
};
