// Sample grids of image students (family dit): one row per prompt (the dataset's captions), the same
// noise at every grid so grids over training compare sample for sample. Drawn from a separate PRNG
// stream: plotting never changes the training run.
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { imageGridPng } from '../../plot/index.js';
import type { VelocityNet } from '../nets/net.js';
import { DitNet } from './dit-net.js';
import { generateK } from './sampling.js';
import { configValue, num } from './config.js';
import type { StageState } from './state.js';
import { Rng } from '../../rng/prng.js';
import { FP32 } from '../precision/policy.js';

export const GRID_COLS = 8;

/** k-step samples of G for conditions c with noise from `seed`: [n * dim] in [-1, 1]. */
export function studentSamples(
  G: DitNet,
  c: Int32Array,
  k: number,
  steps: number,
  seed: number,
  timeScale: number,
  st: Pick<StageState, 'precision'>,
): Float32Array {
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
    rows,
    cols: GRID_COLS,
    channels: cfg.channels === 3 ? 3 : 1,
    height: cfg.height,
    width: cfg.width,
    layout: 'CHW',
    labels: G.opts.captions,
    title: `${st.stage.name}: ${steps}-step student, ${st.images} images`,
  });
}

/** `sidc sample` of an image run: n images [n * dim] of G's k-step sampler (generate_k, eq. 16) for
 * conditions c, in chunks of `chunk` (bounded memory); z from Rng(seed), the fresh noise of later steps
 * from Rng(seed + 1) - the convention of `sidc eval`; the same seed and n give the same images. */
export function drawImages(G: DitNet, c: Int32Array, k: number, steps: number, seed: number, timeScale: number, chunk = 100): Float32Array {
  const dim = G.dim;
  const z = new Rng(seed).normals(c.length * dim);
  const rng = new Rng(seed + 1);
  const x = new Float32Array(c.length * dim);
  for (let i = 0; i < c.length; i += chunk) {
    const m = Math.min(chunk, c.length - i);
    const out = tf.tidy(() =>
      generateK(
        G,
        tf.tensor2d(z.subarray(i * dim, (i + m) * dim), [m, dim]),
        tf.tensor1d(c.subarray(i, i + m), 'int32'),
        k,
        steps,
        'fresh',
        rng,
        timeScale,
        FP32,
        false,
      ),
    );
    x.set(out.dataSync() as Float32Array, i * dim);
    out.dispose();
  }
  return x;
}

/** A grid PNG of images x [n * dim] with labels c: a row per condition present (its caption), at most
 * `maxCols` images of it, in sample order. */
export function labelledGridPng(path: string, G: DitNet, x: Float32Array, c: Int32Array, title: string, maxCols = 16): void {
  const classes = [...new Set(c)].sort((a, b) => a - b);
  const cols = Math.min(maxCols, Math.max(...classes.map((k) => c.filter((v) => v === k).length)));
  const per = G.dim;
  const blank = new Float32Array(per).fill(-1);
  const imgs: Float32Array[] = [];
  for (const k of classes) {
    const idx = [...c.keys()].filter((i) => c[i] === k).slice(0, cols);
    for (let j = 0; j < cols; j++) imgs.push(j < idx.length ? x.subarray(idx[j]! * per, (idx[j]! + 1) * per) : blank);
  }
  const cfg = G.opts.config;
  imageGridPng(path, imgs, {
    rows: classes.length,
    cols,
    channels: cfg.channels === 3 ? 3 : 1,
    height: cfg.height,
    width: cfg.width,
    layout: 'CHW',
    labels: classes.map((k) => (k < G.nullCondition ? G.opts.captions[k]! : '(empty caption)')),
    title,
  });
}
