// Sample grids of image students (family dit): one row per prompt (the dataset's captions), the same
// noise at every grid so grids over training compare sample for sample. Drawn from a separate PRNG
// stream: plotting never changes the training run.
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { imageGridPng } from '../plot/index.js';
import type { VelocityNet } from '../nets/net.js';
import { DitNet } from '../exec/dit-net.js';
import { generateK } from '../exec/sampling.js';
import { configValue, num } from '../exec/config.js';
import type { StageState } from '../exec/state.js';
import { Rng } from '../rng/prng.js';

export const GRID_COLS = 8;

/** k-step samples of G for conditions c with noise from `seed`: [n * dim] in [-1, 1]. */
export function studentSamples(G: DitNet, c: Int32Array, k: number, steps: number, seed: number, timeScale: number, st: Pick<StageState, 'precision'>): Float32Array {
  const rng = new Rng(seed);
  return tf.tidy(() => {
    const z = tf.tensor2d(rng.normals(c.length * G.dim), [c.length, G.dim]);
    const out = generateK(G, z, tf.tensor1d(c, 'int32'), k, steps, 'fresh', rng, timeScale, st.precision, false);
    return Float32Array.from(out.dataSync() as Float32Array);
  });
}

export function isImageNet(net: VelocityNet | null): net is DitNet {
  return net instanceof DitNet;
}

/** samples/<label>.png: rows = prompts, GRID_COLS samples each, G's generator.steps-step output. */
export function imageSampleGrid(dir: string, st: StageState, G: DitNet, label: string): void {
  const rows = G.nullCondition;
  const steps = num(configValue(st.graph, 'generator.steps'), 4);
  const c = Int32Array.from({ length: rows * GRID_COLS }, (_, i) => Math.floor(i / GRID_COLS));
  const x = studentSamples(G, c, steps, steps, 12345, num(configValue(st.graph, 'teacher.time_scale'), 1), st);
  const cfg = G.opts.config;
  const per = G.dim;
  const imgs = Array.from({ length: c.length }, (_, i) => x.subarray(i * per, (i + 1) * per));
  imageGridPng(join(dir, `${label}.png`), imgs, {
    rows, cols: GRID_COLS, channels: cfg.channels === 3 ? 3 : 1, height: cfg.height, width: cfg.width, layout: 'CHW',
    labels: G.opts.captions, title: `${st.stage.name}: ${steps}-step student, ${st.images} images`,
  });
}
