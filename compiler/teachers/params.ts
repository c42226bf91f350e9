// Parameter counts computed from a configuration, layer by layer as diffusers builds the model
// (weights + biases; LayerNorms without affine have none). A test checks them against the published
// sizes (0.6B, 1.6B, 2B, 2.5B, 8.1B, 12B). Per-block counts are also what `sidc plan` gathers when FSDP
// unshards one block at a time.
import type { Arch, DiTArch, FluxArch, MMDiTArch, SanaArch, TeacherConfig, VectorArch } from './types.js';

const linear = (i: number, o: number, bias = true): number => i * o + (bias ? o : 0);
/** diffusers TimestepEmbedding(256, D): two linears. */
const timestepEmbedding = (d: number): number => linear(256, d) + linear(d, d);
/** diffusers FeedForward(D, D, gelu-tanh, mult 4). */
const feedForward = (d: number, mult = 4): number => linear(d, mult * d) + linear(mult * d, d);

export function hiddenSize(arch: Arch): number {
  if (arch.kind === 'vector') return arch.width;
  return arch.num_attention_heads * arch.attention_head_dim;
}

/** Parameters of one SANA block (SanaTransformerBlock). */
function sanaBlock(a: SanaArch): number {
  const d = hiddenSize(a);
  const inner = a.num_cross_attention_heads * a.cross_attention_head_dim;
  const h = Math.floor(a.mlp_ratio * d);
  const selfAttn = 3 * linear(d, d, false) + linear(d, d) + (a.qk_norm ? 2 * d : 0); // linear attention
  const crossAttn = linear(d, inner) + 2 * linear(d, inner) + linear(inner, d) + (a.qk_norm ? 2 * inner : 0);
  const glumbconv = linear(d, 2 * h) + (2 * h * 9 + 2 * h) + linear(h, d, false); // 1x1, depthwise 3x3, 1x1
  return selfAttn + crossAttn + glumbconv + 6 * d; // + scale_shift_table
}

function sanaParams(a: SanaArch): { blocks: number; total: number; largestBlock: number } {
  const d = hiddenSize(a);
  const block = sanaBlock(a);
  const embed =
    linear(a.in_channels * a.patch_size ** 2, d) + // patch_embed (1x1 conv)
    timestepEmbedding(d) +
    (a.guidance_embeds ? timestepEmbedding(d) : 0) +
    linear(d, 6 * d) + // AdaLayerNormSingle
    linear(a.caption_channels, d) +
    linear(d, d) +
    d + // caption_projection + caption_norm
    2 * d +
    linear(d, a.patch_size ** 2 * a.in_channels); // scale_shift_table + proj_out
  return { blocks: a.num_layers * block, total: a.num_layers * block + embed, largestBlock: block };
}

/** One JointTransformerBlock; the last block's context stream is pre-only (no output, no FF). */
function mmditBlock(a: MMDiTArch, last: boolean, dual: boolean): number {
  const d = hiddenSize(a);
  const hd = a.attention_head_dim;
  const norm1 = linear(d, (dual ? 9 : 6) * d);
  const norm1Context = last ? linear(d, 2 * d) : linear(d, 6 * d);
  const attn = 6 * linear(d, d) + linear(d, d) + (last ? 0 : linear(d, d)) + (a.qk_norm ? 4 * hd : 0);
  const attn2 = dual ? 4 * linear(d, d) + (a.qk_norm ? 2 * hd : 0) : 0;
  const ff = feedForward(d) + (last ? 0 : feedForward(d));
  return norm1 + norm1Context + attn + attn2 + ff;
}

function mmditParams(a: MMDiTArch): { blocks: number; total: number; largestBlock: number } {
  const d = hiddenSize(a);
  let blocks = 0;
  let largest = 0;
  for (let i = 0; i < a.num_layers; i++) {
    const b = mmditBlock(a, i === a.num_layers - 1, i < a.dual_attention_layers);
    blocks += b;
    largest = Math.max(largest, b);
  }
  const embed =
    linear(a.in_channels * a.patch_size ** 2, d) +
    a.pos_embed_max_size ** 2 * d + // patch conv + position table
    timestepEmbedding(d) +
    linear(a.pooled_projection_dim, d) +
    linear(d, d) + // time + pooled text
    linear(a.joint_attention_dim, a.caption_projection_dim) + // context_embedder
    linear(d, 2 * d) +
    linear(d, a.patch_size ** 2 * a.in_channels); // norm_out + proj_out
  return { blocks, total: blocks + embed, largestBlock: largest };
}

function fluxParams(a: FluxArch): { blocks: number; total: number; largestBlock: number } {
  const d = hiddenSize(a);
  const hd = a.attention_head_dim;
  const double = 2 * linear(d, 6 * d) + 8 * linear(d, d) + 4 * hd + 2 * feedForward(d);
  const single = linear(d, 3 * d) + linear(d, 4 * d) + 3 * linear(d, d) + 2 * hd + linear(5 * d, d);
  const embed =
    timestepEmbedding(d) +
    (a.guidance_embeds ? timestepEmbedding(d) : 0) +
    linear(a.pooled_projection_dim, d) +
    linear(d, d) + // pooled CLIP text
    linear(a.joint_attention_dim, d) +
    linear(a.in_channels, d) + // context_embedder, x_embedder
    linear(d, 2 * d) +
    linear(d, a.in_channels); // norm_out, proj_out
  const blocks = a.num_layers * double + a.num_single_layers * single;
  return { blocks, total: blocks + embed, largestBlock: double };
}

function ditParams(a: DiTArch): { blocks: number; total: number; largestBlock: number } {
  const d = hiddenSize(a);
  const f = Math.round(a.mlp_ratio * d);
  const block = linear(d, 3 * d) + linear(d, d) + linear(d, f) + linear(f, d) + linear(d, 6 * d);
  const p2c = a.patch_size ** 2 * a.in_channels;
  const embed =
    linear(p2c, d) +
    linear(a.freq_dim, d) +
    linear(d, d) + // patch embedding, timestep MLP
    linear(a.text_dim, d) +
    linear(d, d) +
    a.vocab_size * a.text_dim + // pooled caption MLP, word embeddings
    linear(d, 2 * d) +
    linear(d, p2c); // norm_out, proj_out
  return { blocks: a.num_layers * block, total: a.num_layers * block + embed, largestBlock: block };
}

function vectorParams(a: VectorArch): { blocks: number; total: number; largestBlock: number } {
  if (a.width === 0) return { blocks: 0, total: 0, largestBlock: 0 };
  // input: x, t and a learned class embedding of width `width` added to the first hidden layer
  const hidden = linear(a.dim + 1, a.width) + (a.num_classes + 1) * a.width + (a.depth - 1) * linear(a.width, a.width);
  return { blocks: hidden, total: hidden + linear(a.width, a.dim), largestBlock: linear(a.width, a.width) };
}

export interface ParamBreakdown {
  /** All weights of the backbone (what G, psi and phi each hold). */
  total: number;
  /** Weights inside the repeated blocks (what FSDP shards unit by unit). */
  blocks: number;
  /** The largest single block: FSDP holds it unsharded while it runs. */
  largestBlock: number;
}

export function parameterBreakdown(arch: Arch): ParamBreakdown {
  switch (arch.kind) {
    case 'sana':
      return sanaParams(arch);
    case 'mmdit':
      return mmditParams(arch);
    case 'flux':
      return fluxParams(arch);
    case 'dit':
      return ditParams(arch);
    case 'vector':
      return vectorParams(arch);
  }
}

export const parameterCount = (config: TeacherConfig): number => parameterBreakdown(config.arch).total;
