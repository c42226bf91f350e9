// Samples of the paper's families during a run: G's generator.steps-step output for the first prompt rows
// of the text table (the same noise at every sample point, from a separate PRNG stream: sampling never
// changes the training run). Saved as samples/<label>.npy [n, C, h, w] in the teacher's normalised latent
// space; when the teacher's model folder also holds vae/ (the AutoencoderKL of SD3 / FLUX, runtime/families/
// vae.ts: z = z' / scale + shift first) the latents are decoded into samples/<label>.png, one row per prompt.
// SANA's DC-AE decoder is not implemented: SANA runs keep the latents only.
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { writeNpy } from '../io/npy.js';
import { imageGridPng } from '../plot/image-grid.js';
import type { FamilyNet } from '../families/net.js';
import { VaeDecoder } from '../families/vae.js';
import { generateK } from '../exec/sampling.js';
import { configValue, num } from '../exec/config.js';
import { familyCheckpoint } from '../exec/family-stage.js';
import type { StageState } from '../exec/state.js';
import { Rng } from '../rng/prng.js';

export const LATENT_GRID = { rows: 4, cols: 4 };

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
        rows: rows.length, cols: LATENT_GRID.cols, channels: 3, height: H, width: W, layout: 'CHW',
        labels: rows.map((r) => G.opts.text.prompts[r]!), title: `${st.stage.name}: ${steps}-step student, ${st.images} images`,
      });
      img.dispose();
    }
    dec.dispose();
  }
  z.dispose();
  return { npy, png };
}
