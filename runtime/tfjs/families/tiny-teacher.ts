// Tiny teachers of the paper families in diffusers layout (DIR/transformer: config.json + 2 bf16 shards +
// index, seeded random weights) with matching text encodings (DIR/text.safetensors, the empty prompt first)
// and optionally N stand-in real latents (DIR/latents.safetensors, for the adversarial stage of the SiD2a
// recipes): what the tests use and what `sidc make-tiny` (cli/make-tiny.ts) writes.
import { join } from 'node:path';
import { UserError } from '../../../common/errors.js';
import { teacherConfig } from '../../../compiler/teachers/registry.js';
import { diffusersConfigOf, randomWeights } from './registry-config.js';
import { parseFamilyConfig, type FamilyConfig } from './config.js';
import { writeDiffusersTransformer } from './write.js';
import { writeTextEncodings, type TextEncodingsData } from './text.js';
import { familyModule } from './index.js';
import { SplitMix32 } from '../../rng/splitmix32.js';
import { writeSafetensors } from '../../formats/safetensors.js';
import { VAE_DOWNSAMPLE } from './teacher.js';

/** The tiny teachers: registry config + config.json overrides (SANA-Sprint: guidance embedder, qk-norm). */
export const TINY_TEACHERS: Readonly<Record<string, { registry: string; overrides?: Record<string, unknown>; recipe: string; resolution: number }>> = {
  sana: { registry: 'sana_tiny', recipe: 'recipes/sana-600m-512.sid', resolution: 128 },
  'sana-sprint': {
    registry: 'sana_tiny',
    recipe: 'recipes/sana-sprint-600m-1024.sid',
    resolution: 128,
    overrides: { guidance_embeds: true, guidance_embeds_scale: 0.1, timestep_scale: 1, qk_norm: 'rms_norm_across_heads' },
  },
  sd3: { registry: 'sd3_tiny', recipe: 'recipes/sd3-medium-bf16.sid', resolution: 32 },
  flux: { registry: 'flux_tiny', recipe: 'recipes/flux-dev-512.sid', resolution: 32 },
};

export const TINY_PROMPTS = ['', 'a red circle', 'two blue squares', 'a green triangle'];

/** Random text encodings of the teacher's widths; prompt i has 2 + i real tokens (the rest is padding). */
export function tinyTextEncodings(c: FamilyConfig, prompts: string[], seed: number, tokens = 6): TextEncodingsData {
  const td = familyModule(c).textDims(c);
  const rng = new SplitMix32(seed + 99);
  const n = prompts.length;
  const mask = Float32Array.from({ length: n * tokens }, (_, k) => (k % tokens < Math.min(tokens, 2 + Math.floor(k / tokens)) ? 1 : 0));
  return {
    prompts,
    seq: { shape: [n, tokens, td.seq], data: Float32Array.from({ length: n * tokens * td.seq }, () => rng.normal()) },
    mask: { shape: [n, tokens], data: mask },
    pooled: td.pooled ? { shape: [n, td.pooled], data: Float32Array.from({ length: n * td.pooled }, () => rng.normal()) } : null,
  };
}

export interface TinyTeacher {
  root: string;
  text: string;
  config: FamilyConfig;
  /** DIR/latents.safetensors when `latents` > 0 */
  latents?: string;
}

/** Writes DIR/transformer and DIR/text.safetensors for one of TINY_TEACHERS. */
export function writeTinyFamilyTeacher(
  name: string,
  root: string,
  o: { seed?: number; prompts?: string[]; shards?: number; latents?: number } = {},
): TinyTeacher {
  const spec = TINY_TEACHERS[name];
  if (!spec) throw new UserError(`make-tiny: unknown family '${name}'; use one of ${Object.keys(TINY_TEACHERS).join(', ')}`);
  const json = { ...diffusersConfigOf(teacherConfig(spec.registry)!), ...spec.overrides };
  const config = parseFamilyConfig(json, `tiny ${name}`);
  const seed = o.seed ?? 1;
  writeDiffusersTransformer(join(root, 'transformer'), json, randomWeights(config, seed), { shards: o.shards ?? 2, dtype: 'BF16' });
  const prompts = o.prompts ?? TINY_PROMPTS;
  if (!prompts.includes('')) prompts.unshift('');
  const text = join(root, 'text.safetensors');
  writeTextEncodings(text, tinyTextEncodings(config, prompts, seed), 'F32', { encoders: 'none: random tiny encodings (sidc make-tiny)' });
  if (!o.latents) return { root, text, config };
  // stand-in "real" latents for the adversarial stage at the tiny resolution, captions cycling the prompts
  const side = spec.resolution / VAE_DOWNSAMPLE[config.family];
  const ch = familyModule(config).latentChannels(config);
  const rng = new SplitMix32(seed + 7);
  const latents = join(root, 'latents.safetensors');
  writeSafetensors(
    latents,
    {
      latents: { dtype: 'F32', shape: [o.latents, ch, side, side], data: Float32Array.from({ length: o.latents * ch * side * side }, () => rng.normal()) },
      prompt_rows: { dtype: 'F32', shape: [o.latents], data: Float32Array.from({ length: o.latents }, (_, i) => 1 + (i % (prompts.length - 1))) },
    },
    { format: 'sidc-real-latents/1', resolution: String(spec.resolution) },
  );
  return { root, text, config, latents };
}
