// sidc decode DIR --latents z.npy -o grid.png: latents (in the teacher's normalised space) through the
//   AutoencoderKL decoder of DIR (model root with vae/, or the vae folder) into a PNG grid.
import type { Command } from 'commander';
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../common/errors.js';
import type { CliIO } from '../common/io.js';
import type { CommandModule } from './command.js';
import { readNpyFloat32 } from '../runtime/formats/npy.js';
import { numberFlag, startBackend } from './runtime-common.js';
import { VaeDecoder } from '../runtime/tfjs/families/vae.js';
import { imageGridPng } from '../runtime/plot/image-grid.js';

export const decodeCommand: CommandModule = {
  register(program: Command, io: CliIO) {
    program
      .command('decode')
      .description('decode latents with an AutoencoderKL (SD3 / FLUX VAE) into a PNG grid')
      .argument('<dir>', 'model folder with vae/, or the vae folder')
      .requiredOption('--latents <file>', 'latents [B, C, h, w] (.npy) in the normalised space the teacher works in')
      .option('-o, --out <file>', 'PNG grid', 'grid.png')
      .option('--cols <n>', 'images per row (default: up to 8)')
      .option('--backend <name>', 'tensorflow | wasm | cpu')
      .action(async (dir: string, f: { latents: string; out: string; cols?: string; backend?: string }) => {
        const b = await startBackend(io, f.backend ? { backend: f.backend } : {});
        const z = readNpyFloat32(f.latents);
        const dec = VaeDecoder.load(dir, b.name);
        if (z.shape.length !== 4 || z.shape[1] !== dec.config.latent_channels) throw new UserError(`${f.latents}: latents must be [B, ${dec.config.latent_channels}, h, w], got [${z.shape.join(', ')}]`);
        const n = z.shape[0]!;
        const cols = f.cols !== undefined ? numberFlag('cols', f.cols) : Math.min(8, n);
        if (!Number.isInteger(cols) || cols < 1) throw new UserError(`--cols must be a positive integer, got '${f.cols}'`);
        const img = dec.decode(tf.tensor4d(z.data, z.shape as [number, number, number, number]));
        const [, , h, w] = img.shape;
        const data = img.dataSync() as Float32Array;
        const per = 3 * h * w;
        const images = Array.from({ length: n }, (_, i) => Float32Array.from(data.subarray(i * per, (i + 1) * per), (v) => v * 2 - 1));
        imageGridPng(f.out, images, { rows: Math.ceil(n / cols), cols, channels: 3, height: h, width: w, layout: 'CHW' });
        io.stderr(`sidc: decoded ${n} latents to ${w}x${h} images -> ${f.out}\n`);
        img.dispose();
        dec.dispose();
      });
  },
};

