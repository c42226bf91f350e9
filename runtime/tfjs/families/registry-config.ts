// The teacher registry's architecture (compiler/teachers) as the diffusers config.json its checkpoint
// would carry, and seeded random weights for it: how tests and `sidc` build tiny teachers of each family.
import type { TeacherConfig } from '../../../compiler/teachers/types.js';
import { parseFamilyConfig, type FamilyConfig } from './config.js';
import { expectedShapes } from './index.js';
import { SplitMix32 } from '../../rng/splitmix32.js';

/** diffusers config.json contents for a registry teacher of the sana / sd3 / flux families. */
export function diffusersConfigOf(t: TeacherConfig): Record<string, unknown> {
  const a = t.arch;
  if (a.kind === 'sana') {
    const d = a.num_attention_heads * a.attention_head_dim;
    return {
      _class_name: 'SanaTransformer2DModel',
      in_channels: a.in_channels,
      out_channels: a.in_channels,
      num_attention_heads: a.num_attention_heads,
      attention_head_dim: a.attention_head_dim,
      num_layers: a.num_layers,
      num_cross_attention_heads: a.num_cross_attention_heads,
      cross_attention_head_dim: a.cross_attention_head_dim,
      cross_attention_dim: d,
      caption_channels: a.caption_channels,
      mlp_ratio: a.mlp_ratio,
      attention_bias: false,
      sample_size: 32,
      patch_size: a.patch_size,
      norm_elementwise_affine: false,
      norm_eps: 1e-6,
      interpolation_scale: null,
      guidance_embeds: a.guidance_embeds,
      qk_norm: a.qk_norm ? 'rms_norm_across_heads' : null,
      ...(a.guidance_embeds ? { guidance_embeds_scale: a.guidance_embeds_scale ?? 0.1, timestep_scale: 1 } : {}),
    };
  }
  if (a.kind === 'mmdit') {
    return {
      _class_name: 'SD3Transformer2DModel',
      sample_size: 128,
      patch_size: a.patch_size,
      in_channels: a.in_channels,
      out_channels: a.in_channels,
      num_layers: a.num_layers,
      attention_head_dim: a.attention_head_dim,
      num_attention_heads: a.num_attention_heads,
      joint_attention_dim: a.joint_attention_dim,
      caption_projection_dim: a.caption_projection_dim,
      pooled_projection_dim: a.pooled_projection_dim,
      pos_embed_max_size: a.pos_embed_max_size,
      dual_attention_layers: Array.from({ length: a.dual_attention_layers }, (_, i) => i),
      qk_norm: a.qk_norm ? 'rms_norm' : null,
    };
  }
  if (a.kind === 'flux') {
    const dh = a.attention_head_dim;
    // FLUX.1: [16, 56, 56] for head_dim 128; smaller heads keep the 2:7:7 split rounded to even sizes
    const t0 = dh === 128 ? 16 : 2 * Math.max(1, Math.round(dh / 16));
    const r = (dh - t0) / 2;
    const axes = r % 2 ? [t0 + 2, r - 1, r - 1] : [t0, r, r];
    return {
      _class_name: 'FluxTransformer2DModel',
      patch_size: 1,
      in_channels: a.in_channels,
      out_channels: null,
      num_layers: a.num_layers,
      num_single_layers: a.num_single_layers,
      attention_head_dim: dh,
      num_attention_heads: a.num_attention_heads,
      joint_attention_dim: a.joint_attention_dim,
      pooled_projection_dim: a.pooled_projection_dim,
      guidance_embeds: a.guidance_embeds,
      axes_dims_rope: axes,
    };
  }
  throw new Error(`teacher ${t.name} (${t.family}) is not a diffusers transformer family`);
}

export const familyConfigOf = (t: TeacherConfig): FamilyConfig => parseFamilyConfig(diffusersConfigOf(t), `registry:${t.name}`);

/**
 * Seeded random weights for every parameter: N(0, std^2) with std = 1/sqrt(fan_in) for matrices, small
 * values for vectors, ones for norm weights. `zeroOut` zeroes the final layers (adaLN-Zero style init).
 */
export function randomWeights(c: FamilyConfig, seed: number, o: { zeroOut?: boolean } = {}): Record<string, { shape: number[]; data: Float32Array }> {
  const rng = new SplitMix32(seed);
  const out: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (const [name, shape] of Object.entries(expectedShapes(c))) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    const isNormWeight = /(norm_q|norm_k|norm_added_q|norm_added_k|caption_norm|norm2)\.weight$/.test(name);
    const fanIn = shape.length >= 2 ? n / shape[0]! : 0;
    const std = name.endsWith('scale_shift_table') ? 0.1 : fanIn ? 1 / Math.sqrt(fanIn) : 0.05;
    for (let i = 0; i < n; i++) data[i] = isNormWeight ? 1 + 0.1 * rng.normal() : std * rng.normal();
    if (o.zeroOut && (name.startsWith('proj_out.') || name.startsWith('norm_out.'))) data.fill(0);
    out[name] = { shape, data };
  }
  return out;
}
