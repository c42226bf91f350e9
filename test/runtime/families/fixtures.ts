// Tiny teachers of each family written in diffusers layout by the tests themselves (config.json + 2
// bf16 shards + index), plus matching text encodings.
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { teacherConfig } from '../../../compiler/teachers/registry.js';
import { diffusersConfigOf, familyConfigOf, randomWeights } from '../../../runtime/families/registry-config.js';
import { writeDiffusersTransformer } from '../../../runtime/families/write.js';
import { writeTextEncodings, type TextEncodingsData } from '../../../runtime/families/text.js';
import { familyModule } from '../../../runtime/families/index.js';
import type { FamilyConfig, FamilyName } from '../../../runtime/families/config.js';
import { Rng } from '../../../runtime/nn/rng.js';
import { scratchDir } from '../io/tmp.js';

export const FAMILIES: FamilyName[] = ['sana', 'sd3', 'flux'];

export function tinyConfig(f: FamilyName): { json: Record<string, unknown>; config: FamilyConfig } {
  const t = teacherConfig(`${f}_tiny`)!;
  return { json: diffusersConfigOf(t), config: familyConfigOf(t) };
}

/** A model root with transformer/ (2 bf16 shards + index) and text.safetensors; returns paths. */
export function writeTinyTeacher(f: FamilyName, seed = 1, o: { zeroOut?: boolean; shards?: number } = {}): { root: string; tdir: string; text: string; config: FamilyConfig } {
  const { json, config } = tinyConfig(f);
  const root = scratchDir(`fam-${f}`);
  const tdir = join(root, 'transformer');
  writeDiffusersTransformer(tdir, json, randomWeights(config, seed, o), { shards: o.shards ?? 2, dtype: 'BF16' });
  const text = join(root, 'text.safetensors');
  writeTextEncodings(text, tinyText(config, ['', 'a red circle', 'two blue squares'], seed));
  return { root, tdir, text, config };
}

export function tinyText(c: FamilyConfig, prompts: string[], seed: number, tokens = 6): TextEncodingsData {
  const td = familyModule(c).textDims(c);
  const rng = new Rng(seed + 99);
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
