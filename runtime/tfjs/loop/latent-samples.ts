// Samples of the paper's families during a run: G's generator.steps-step output for the first prompt rows
// of the text table (the same noise at every sample point, from a separate PRNG stream: sampling never
// changes the training run). Saved as samples/<label>.npy [n, C, h, w] in the teacher's normalised latent
// space; when the teacher's model folder also holds vae/ (the AutoencoderKL of SD3 / FLUX, runtime/tfjs/families/
// vae.ts: z = z' / scale + shift first) the latents are decoded into samples/<label>.png, one row per prompt.
// SANA's DC-AE decoder is not implemented: SANA runs keep the latents only.
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { writeNpy } from '../../formats/npy.js';
import { imageGridPng } from '../../plot/image-grid.js';
import type { FamilyNet } from '../families/net.js';
import { VaeDecoder } from '../families/vae.js';
import { generateK } from './sampling.js';
import { configValue, num } from './config.js';
import { familyCheckpoint } from './family-stage.js';
import type { StageState } from './state.js';
import { Rng } from '../../rng/prng.js';
import type { ExecutionGraph } from '../../../compiler/graph/types.js';
import { UserError } from '../../../common/errors.js';
import { FP32 } from '../precision/policy.js';
import { loadNet } from './checkpoint.js';

const LATENT_GRID = { rows: 4, cols: 4 };

/** The model root of teacher.checkpoint (the folder holding transformer/ and maybe vae/). */
function modelRoot(st: StageState): string {
  const ck = familyCheckpoint(st.graph);
  return basename(ck) === 'transformer' && !existsSync(join(ck, 'transformer')) ? dirname(ck) : ck;
}

/** Writes samples/<label>.npy, and samples/<label>.png when a matching vae/ is beside the transformer. */
export function familySamples(dir: string, st: StageState, G: FamilyNet, label: string): { npy: string; png: string | null } {
  const rows = (st.prompts?.rows ?? []).slice(0, LATENT_GRID.rows);
  const c = Int32Array.from({ length: rows.length * LATENT_GRID.cols }, (_, i) => rows[Math.floor(i / LATENT_GRID.cols)]!);
  const steps = num(configValue(st.graph, 'generator.steps'), 4);
  const rng = new Rng(12345);
  const { height: h, width: w } = G.opts.latent;
  const shape = [c.length, G.channels, h, w];
  const z = tf.tidy(() => {
    const noise = tf.tensor2d(rng.normals(c.length * G.dim), [c.length, G.dim]);
    return generateK(G, noise, tf.tensor1d(c, 'int32'), steps, steps, 'fresh', rng, num(configValue(st.graph, 'teacher.time_scale'), 1), st.precision, false);
  });
  const data = Float32Array.from(z.dataSync() as Float32Array);
  const npy = join(dir, `${label}.npy`);
  writeNpy(npy, { dtype: 'f4', shape, data });
  const vae = join(modelRoot(st), 'vae');
  let png: string | null = null;
  if (G.kind !== 'sana' && existsSync(join(vae, 'config.json'))) {
    const dec = VaeDecoder.load(vae, tf.getBackend());
    if (dec.config.latent_channels === G.channels) {
      const img = dec.decode(tf.reshape(z, shape));
      const [, , H, W] = img.shape;
      const px = img.dataSync() as Float32Array;
      const per = 3 * H * W;
      const images = Array.from({ length: c.length }, (_, i) => Float32Array.from(px.subarray(i * per, (i + 1) * per), (v) => v * 2 - 1));
      png = join(dir, `${label}.png`);
      imageGridPng(png, images, {
        rows: rows.length,
        cols: LATENT_GRID.cols,
        channels: 3,
        height: H,
        width: W,
        layout: 'CHW',
        labels: rows.map((r) => G.opts.text.prompts[r]!),
        title: `${st.stage.name}: ${steps}-step student, ${st.images} images`,
      });
      img.dispose();
    }
    dec.dispose();
  }
  z.dispose();
  return { npy, png };
}

/**
 * `sidc sample RUN` for a family run: n latents [n, C, h, w] of the student (k steps), prompt rows cycling
 * through the text table's prompts (or one row), noise from `seed`. The graph gives teacher and text table.
 */
export function sampleFamilyStudent(
  student: string,
  graph: ExecutionGraph,
  o: { n: number; k: number; row: number | null; seed: number },
): { shape: number[]; data: Float32Array; prompts: string[] } {
  const G = loadNet(student, graph) as FamilyNet;
  const prompts = G.opts.text.prompts;
  const rows = prompts.map((_, i) => i).filter((i) => i !== G.nullCondition);
  if (o.row !== null && (o.row < 0 || o.row >= prompts.length))
    throw new UserError(`--class ${o.row}: the text table has prompt rows 0..${prompts.length - 1}`);
  const c = Int32Array.from({ length: o.n }, (_, i) => o.row ?? rows[i % rows.length]!);
  const steps = num(configValue(graph, 'generator.steps'), 4);
  const rng = new Rng(o.seed);
  const data = tf.tidy(() => {
    const z = tf.tensor2d(rng.normals(o.n * G.dim), [o.n, G.dim]);
    return Float32Array.from(
      generateK(
        G,
        z,
        tf.tensor1d(c, 'int32'),
        o.k,
        steps,
        'fresh',
        rng,
        num(configValue(graph, 'teacher.time_scale'), 1),
        FP32,
        false,
      ).dataSync() as Float32Array,
    );
  });
  G.dispose();
  return { shape: [o.n, G.channels, G.opts.latent.height, G.opts.latent.width], data, prompts: [...c].map((r) => prompts[r]!) };
}
