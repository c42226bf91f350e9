// Tiny teachers of each family written in diffusers layout by the tests themselves (config.json + 2
// bf16 shards + index), plus matching text encodings.
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { teacherConfig } from '../../../../compiler/teachers/registry.js';
import { diffusersConfigOf, familyConfigOf, randomWeights } from '../../../../runtime/tfjs/families/registry-config.js';
import { writeDiffusersTransformer } from '../../../../runtime/tfjs/families/write.js';
import { writeTextEncodings, type TextEncodingsData } from '../../../../runtime/tfjs/families/text.js';
import { familyModule } from '../../../../runtime/tfjs/families/index.js';
import { parseFamilyConfig, type FamilyConfig, type FamilyName } from '../../../../runtime/tfjs/families/config.js';
import { SplitMix32 } from '../../../../runtime/rng/splitmix32.js';
import { scratchDir } from '../../formats/tmp.js';
import { parseVaeConfig, vaeDecoderShapes } from '../../../../runtime/tfjs/families/vae.js';

export const FAMILIES: FamilyName[] = ['sana', 'sd3', 'flux'];

export function tinyConfig(f: FamilyName): { json: Record<string, unknown>; config: FamilyConfig } {
  const t = teacherConfig(`${f}_tiny`)!;
  return { json: diffusersConfigOf(t), config: familyConfigOf(t) };
}

/** A model root with transformer/ (2 bf16 shards + index) and text.safetensors; returns paths. */
export function writeTinyTeacher(
  f: FamilyName,
  seed = 1,
  o: { zeroOut?: boolean; shards?: number; overrides?: Record<string, unknown> } = {},
): { root: string; tdir: string; text: string; config: FamilyConfig } {
  const base = tinyConfig(f);
  const json = { ...base.json, ...o.overrides };
  const config = o.overrides ? parseFamilyConfig(json, 'fixture') : base.config;
  const root = scratchDir(`fam-${f}`);
  const tdir = join(root, 'transformer');
  writeDiffusersTransformer(tdir, json, randomWeights(config, seed, o), { shards: o.shards ?? 2, dtype: 'BF16' });
  const text = join(root, 'text.safetensors');
  writeTextEncodings(text, tinyText(config, ['', 'a red circle', 'two blue squares'], seed));
  return { root, tdir, text, config };
}

export function tinyText(c: FamilyConfig, prompts: string[], seed: number, tokens = 6): TextEncodingsData {
  const td = familyModule(c).textDims(c);
  const rng = new SplitMix32(seed + 99);
  const n = prompts.length;
  const mask = new Float32Array(n * tokens);
  // prompt i has 2 + i real tokens (the rest padding), capped at `tokens`
  for (let i = 0; i < n; i++) for (let j = 0; j < tokens; j++) mask[i * tokens + j] = j < Math.min(tokens, 2 + i) ? 1 : 0;
  return {
    prompts,
    seq: { shape: [n, tokens, td.seq], data: Float32Array.from({ length: n * tokens * td.seq }, () => rng.normal()) },
    mask: { shape: [n, tokens], data: mask },
    pooled: td.pooled ? { shape: [n, td.pooled], data: Float32Array.from({ length: n * td.pooled }, () => rng.normal()) } : null,
  };
}

export function latentOf(c: FamilyConfig, b: number, hw: number, seed: number): tf.Tensor {
  const ch = familyModule(c).latentChannels(c);
  return tf.randomNormal([b, ch, hw, hw], 0, 1, 'float32', seed);
}

export const TINY_VAE_CONFIG = {
  _class_name: 'AutoencoderKL',
  in_channels: 3,
  out_channels: 3,
  latent_channels: 4,
  block_out_channels: [8, 16],
  layers_per_block: 1,
  norm_num_groups: 4,
  up_block_types: ['UpDecoderBlock2D', 'UpDecoderBlock2D'],
  down_block_types: ['DownEncoderBlock2D', 'DownEncoderBlock2D'],
  scaling_factor: 1.5305,
  shift_factor: 0.0609,
  use_quant_conv: false,
  use_post_quant_conv: false,
  mid_block_add_attention: true,
};

/** A model root with vae/ (decoder weights + a stray encoder tensor the loader must ignore). */
export function writeTinyVae(seed = 5, config: Record<string, unknown> = TINY_VAE_CONFIG): { root: string; vdir: string } {
  const root = scratchDir('fam-vae');
  const vdir = join(root, 'vae');
  const rng = new SplitMix32(seed);
  const w: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (const [n, shape] of Object.entries(vaeDecoderShapes(parseVaeConfig(config, 'tiny')))) {
    const size = shape.reduce((a, b) => a * b, 1);
    const fanIn = shape.length > 1 ? size / shape[0]! : 0;
    const isNorm = /norm/.test(n) && n.endsWith('.weight') && shape.length === 1;
    w[n] = { shape, data: Float32Array.from({ length: size }, () => (isNorm ? 1 + 0.1 * rng.normal() : (fanIn ? 1 / Math.sqrt(fanIn) : 0.05) * rng.normal())) };
  }
  w['encoder.conv_in.weight'] = { shape: [8, 3, 3, 3], data: new Float32Array(8 * 27) };
  writeDiffusersTransformer(vdir, config, w, { dtype: 'F32' });
  return { root, vdir };
}
