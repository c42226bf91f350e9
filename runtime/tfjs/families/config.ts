// diffusers `transformer/config.json` -> the architecture of one of the paper's families. Field names and
// defaults are those of the model classes' __init__ (SanaTransformer2DModel, SD3Transformer2DModel,
// FluxTransformer2DModel), so a config that omits a key means what diffusers would build from it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../../common/errors.js';

export type FamilyName = 'sana' | 'sd3' | 'flux';

export const CLASS_NAMES: Readonly<Record<string, FamilyName>> = {
  SanaTransformer2DModel: 'sana',
  SD3Transformer2DModel: 'sd3',
  FluxTransformer2DModel: 'flux',
};

export interface SanaConfig {
  family: 'sana';
  in_channels: number;
  out_channels: number;
  num_attention_heads: number;
  attention_head_dim: number;
  num_layers: number;
  num_cross_attention_heads: number;
  cross_attention_head_dim: number;
  cross_attention_dim: number;
  caption_channels: number;
  mlp_ratio: number;
  attention_bias: boolean;
  sample_size: number;
  patch_size: number;
  norm_elementwise_affine: boolean;
  norm_eps: number;
  interpolation_scale: number | null;
  guidance_embeds: boolean;
  qk_norm: string | null;
  /** read by the SANA-Sprint pipeline, not by the transformer (docs/algorithm.md §7) */
  guidance_embeds_scale: number;
  timestep_scale: number;
}

export interface SD3Config {
  family: 'sd3';
  sample_size: number;
  patch_size: number;
  in_channels: number;
  out_channels: number;
  num_layers: number;
  attention_head_dim: number;
  num_attention_heads: number;
  joint_attention_dim: number;
  caption_projection_dim: number;
  pooled_projection_dim: number;
  pos_embed_max_size: number;
  dual_attention_layers: number[];
  qk_norm: string | null;
}

export interface FluxConfig {
  family: 'flux';
  patch_size: number;
  in_channels: number;
  out_channels: number;
  num_layers: number;
  num_single_layers: number;
  attention_head_dim: number;
  num_attention_heads: number;
  joint_attention_dim: number;
  pooled_projection_dim: number;
  guidance_embeds: boolean;
  axes_dims_rope: number[];
}

export type FamilyConfig = SanaConfig | SD3Config | FluxConfig;

/** Hidden width D = heads x head_dim (the discriminator's D, docs/algorithm.md §6). */
export const hiddenOf = (c: FamilyConfig): number => c.num_attention_heads * c.attention_head_dim;

type Json = Record<string, unknown>;

class Fields {
  readonly problems: string[] = [];
  constructor(
    readonly file: string,
    readonly j: Json,
  ) {}
  num(key: string, dflt: number | null, int = true): number {
    const v = this.j[key] ?? dflt;
    if (typeof v !== 'number' || !Number.isFinite(v) || (int && !Number.isInteger(v)) || v < 0) {
      this.problems.push(`"${key}" must be a${int ? ' non-negative integer' : ' number'}, got ${JSON.stringify(this.j[key])}`);
      return 0;
    }
    return v;
  }
  numOrNull(key: string, dflt: number | null): number | null {
    const v = this.j[key] ?? dflt;
    return v === null ? null : this.num(key, dflt, false);
  }
  bool(key: string, dflt: boolean): boolean {
    const v = this.j[key] ?? dflt;
    if (typeof v !== 'boolean') {
      this.problems.push(`"${key}" must be true or false, got ${JSON.stringify(v)}`);
      return false;
    }
    return v;
  }
  str(key: string, dflt: string | null, allowed: string[]): string | null {
    const v = this.j[key] ?? dflt;
    if (v === null) return null;
    if (typeof v !== 'string' || !allowed.includes(v)) {
      this.problems.push(`"${key}" ${JSON.stringify(v)} is not supported (supported: ${allowed.join(', ')} or null)`);
      return null;
    }
    return v;
  }
  ints(key: string, dflt: number[]): number[] {
    const v = this.j[key] ?? dflt;
    if (!Array.isArray(v) || !v.every((x) => Number.isInteger(x) && x >= 0)) {
      this.problems.push(`"${key}" must be a list of non-negative integers, got ${JSON.stringify(v)}`);
      return [];
    }
    return v as number[];
  }
}

function sana(f: Fields): SanaConfig {
  const inC = f.num('in_channels', 32);
  return {
    family: 'sana',
    in_channels: inC,
    out_channels: f.j.out_channels == null ? inC : f.num('out_channels', inC),
    num_attention_heads: f.num('num_attention_heads', 70),
    attention_head_dim: f.num('attention_head_dim', 32),
    num_layers: f.num('num_layers', 20),
    num_cross_attention_heads: f.num('num_cross_attention_heads', 20),
    cross_attention_head_dim: f.num('cross_attention_head_dim', 112),
    cross_attention_dim: f.num('cross_attention_dim', 2240),
    caption_channels: f.num('caption_channels', 2304),
    mlp_ratio: f.num('mlp_ratio', 2.5, false),
    attention_bias: f.bool('attention_bias', false),
    sample_size: f.num('sample_size', 32),
    patch_size: f.num('patch_size', 1),
    norm_elementwise_affine: f.bool('norm_elementwise_affine', false),
    norm_eps: f.num('norm_eps', 1e-6, false),
    interpolation_scale: f.numOrNull('interpolation_scale', null),
    guidance_embeds: f.bool('guidance_embeds', false),
    qk_norm: f.str('qk_norm', null, ['rms_norm_across_heads']),
    guidance_embeds_scale: f.num('guidance_embeds_scale', 0.1, false),
    timestep_scale: f.num('timestep_scale', 1, false),
  };
}

function sd3(f: Fields): SD3Config {
  const inC = f.num('in_channels', 16);
  const heads = f.num('num_attention_heads', 18);
  const hd = f.num('attention_head_dim', 64);
  return {
    family: 'sd3',
    sample_size: f.num('sample_size', 128),
    patch_size: f.num('patch_size', 2),
    in_channels: inC,
    out_channels: f.j.out_channels == null ? inC : f.num('out_channels', inC),
    num_layers: f.num('num_layers', 18),
    attention_head_dim: hd,
    num_attention_heads: heads,
    joint_attention_dim: f.num('joint_attention_dim', 4096),
    caption_projection_dim: f.num('caption_projection_dim', 1152),
    pooled_projection_dim: f.num('pooled_projection_dim', 2048),
    pos_embed_max_size: f.num('pos_embed_max_size', 96),
    dual_attention_layers: f.ints('dual_attention_layers', []),
    qk_norm: f.str('qk_norm', null, ['rms_norm']),
  };
}

function flux(f: Fields): FluxConfig {
  const inC = f.num('in_channels', 64);
  return {
    family: 'flux',
    patch_size: f.num('patch_size', 1),
    in_channels: inC,
    out_channels: f.j.out_channels == null ? inC : f.num('out_channels', inC),
    num_layers: f.num('num_layers', 19),
    num_single_layers: f.num('num_single_layers', 38),
    attention_head_dim: f.num('attention_head_dim', 128),
    num_attention_heads: f.num('num_attention_heads', 24),
    joint_attention_dim: f.num('joint_attention_dim', 4096),
    pooled_projection_dim: f.num('pooled_projection_dim', 768),
    guidance_embeds: f.bool('guidance_embeds', false),
    axes_dims_rope: f.ints('axes_dims_rope', [16, 56, 56]),
  };
}

/** Cross-field rules the model classes assume (a violation would fail deep inside a forward pass). */
function check(c: FamilyConfig, problems: string[]): void {
  const d = hiddenOf(c);
  if (d === 0) problems.push('num_attention_heads x attention_head_dim is 0');
  if (c.family === 'sana') {
    if (c.cross_attention_dim !== d)
      problems.push(`"cross_attention_dim" ${c.cross_attention_dim} must equal the hidden width ${d} (captions are projected to it)`);
    if (c.patch_size < 1) problems.push('"patch_size" must be >= 1');
  }
  if (c.family === 'sd3') {
    if (c.caption_projection_dim !== d)
      problems.push(`"caption_projection_dim" ${c.caption_projection_dim} must equal num_attention_heads x attention_head_dim = ${d}`);
    const bad = c.dual_attention_layers.filter((i) => i >= c.num_layers);
    if (bad.length) problems.push(`"dual_attention_layers" names layers ${bad.join(', ')} but there are only ${c.num_layers}`);
    if (c.patch_size < 1) problems.push('"patch_size" must be >= 1');
  }
  if (c.family === 'flux') {
    const sum = c.axes_dims_rope.reduce((a, b) => a + b, 0);
    if (sum !== c.attention_head_dim) problems.push(`"axes_dims_rope" [${c.axes_dims_rope}] sums to ${sum}, but attention_head_dim is ${c.attention_head_dim}`);
    if (c.axes_dims_rope.length !== 3 || c.axes_dims_rope.some((a) => a % 2)) problems.push('"axes_dims_rope" must hold 3 even sizes (text/row/column axes)');
    if (c.patch_size !== 1) problems.push(`"patch_size" ${c.patch_size}: FLUX packs 2x2 latents outside the transformer, patch_size must be 1`);
    if (c.in_channels % 4) problems.push(`"in_channels" ${c.in_channels} must be 4 x latent channels (2x2 packing)`);
  }
}

/** Parses a config object; `file` names it in errors. All problems are reported together. */
export function parseFamilyConfig(json: unknown, file: string): FamilyConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new UserError(`${file}: not a JSON object`);
  const j = json as Json;
  const cls = j._class_name;
  const family = typeof cls === 'string' ? CLASS_NAMES[cls] : undefined;
  if (!family) {
    throw new UserError(
      `${file}: "_class_name" is ${JSON.stringify(cls)}; sidc loads ${Object.keys(CLASS_NAMES).join(', ')} (point at the model's transformer/ folder)`,
    );
  }
  const f = new Fields(file, j);
  const c = family === 'sana' ? sana(f) : family === 'sd3' ? sd3(f) : flux(f);
  check(c, f.problems);
  if (f.problems.length) throw new UserError(`${file}: invalid ${cls} config:\n  ${f.problems.join('\n  ')}`);
  return c;
}

/** `dir` may be the model root (with transformer/) or the transformer folder itself. */
export function transformerDir(dir: string): string {
  try {
    readFileSync(join(dir, 'transformer', 'config.json'));
    return join(dir, 'transformer');
  } catch {
    return dir;
  }
}

export function readFamilyConfig(dir: string): FamilyConfig {
  const file = join(dir, 'config.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UserError(`${file}: not found (expected a diffusers transformer folder: config.json + *.safetensors)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${file}: invalid JSON (${(e as Error).message})`);
  }
  return parseFamilyConfig(json, file);
}
