// Tiny DiT teachers for the runtime tests: random weights (adaLN-Zero parts perturbed so the net is not
// identically zero) written in the shipped teacher's file layout, and a compiled recipe that uses them.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { compileSource } from '../../../../compiler/api.js';
import type { ExecutionGraph } from '../../../../compiler/graph/types.js';
import { DiT, DIT_CONFIGS, type DiTConfig } from '../../../../runtime/tfjs/nets/dit.js';
import { writeSafetensors, type TensorToWrite } from '../../../../runtime/formats/safetensors.js';
import { Rng } from '../../../../runtime/rng/prng.js';

/** 28x28 but tiny (16 tokens, D 16, one block): the eval classifier's input size, cheap to run. */
export const DIT_TINY28: DiTConfig = { ...DIT_CONFIGS.dit_tiny!, name: 'dit_tiny28', height: 28, width: 28, patch: 7, depth: 1 };

export function writeTinyDit(dir: string, config: DiTConfig = DIT_CONFIGS.dit_tiny!, seed = 1): string {
  const p = new DiT(config).init(seed);
  const rng = new Rng(seed + 100);
  const t: Record<string, TensorToWrite> = {};
  for (const [n, v] of Object.entries(p)) {
    const d = Float32Array.from(v.dataSync() as Float32Array, (x) => x + 0.05 * rng.normal());
    t[n] = { dtype: 'F32', shape: [...v.shape], data: d };
    v.dispose();
  }
  const path = join(dir, 'teacher.safetensors');
  writeSafetensors(path, t, { format: 'sidc-dit-teacher', config: JSON.stringify(config) });
  return path;
}

/** The source of recipe `tiny_dit` over the teacher file `ck`; `body` adds stages and settings. */
export function tinyDitSource(ck: string, body: string): string {
  return `recipe tiny_dit {
  teacher dit { config = "dit_tiny"; checkpoint = "${ck}" }
  data { dataset = "mnist"; text = labels }
  precision fp32 {}
  optimizer { lr = 1e-3 }
  batch { global = 2; per_device = 2; accumulate = 1 }
  guidance { teacher = cfg(4.5); fake = cfg(4.5) }
  train { length = 4 images; checkpoint_every = 2 images; sample_every = 4 images; log_every = 2 images; seed = 0 }
${body}
}
`;
}

/** A compiled dit recipe over a tiny teacher file; `body` adds stages and settings. */
export function tinyDitGraph(body: string, o: { config?: DiTConfig; set?: string[] } = {}): { graph: ExecutionGraph; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sidc-dit-'));
  const src = tinyDitSource(writeTinyDit(dir, o.config), body);
  const file = join(dir, 'tiny.sid');
  writeFileSync(file, src);
  const res = compileSource(src, file, { set: o.set ?? [] });
  if (!res.ok) throw new Error(res.diagnostics.map((d) => d.message).join('\n'));
  return { graph: res.graphs[0]!, dir };
}

export const paramsOf = (m: Map<string, tf.Variable>) => new Map([...m].map(([k, v]) => [k, Float32Array.from(v.dataSync() as Float32Array)]));
export const changed = (a: Map<string, Float32Array>, m: Map<string, tf.Variable>) =>
  [...m].some(([k, v]) => (v.dataSync() as Float32Array).some((x, i) => x !== a.get(k)![i]));
