// sidc decode DIR --latents z.npy -o grid.png | out.npy: latents (in the teacher's normalised space) through
//   the AutoencoderKL decoder of DIR (model root with vae/, or the vae folder) into a PNG grid, or as the
//   decoder's float output (.npy, diffusers' decode() meaning: [B, 3, H, W], unclipped).
import type { Command } from 'commander';
import { UserError } from '../common/errors.js';
import type { CliIO } from '../common/io.js';
import type { CommandModule } from './command.js';
import { readNpyFloat32 } from '../runtime/formats/npy.js';
import { numberFlag, startBackend } from './runtime-common.js';
import { VaeDecoder } from '../runtime/tfjs/families/vae.js';
import { decodeFormatOf, writeDecoded } from '../runtime/tfjs/families/decode-output.js';

export const decodeCommand: CommandModule = {
  register(program: Command, io: CliIO) {
    program
      .command('decode')
      .description("decode latents with an AutoencoderKL (SD3 / FLUX VAE) into a PNG grid, or into the decoder's float output (.npy)")
      .argument('<dir>', 'model folder with vae/, or the vae folder')
      .requiredOption('--latents <file>', 'latents [B, C, h, w] (.npy) in the normalised space the teacher works in')
      .option('-o, --out <file>', "grid.png: an image grid; out.npy: the decoder's output [B, 3, H, W] float32, unclipped (diffusers' decode())", 'grid.png')
      .option('--cols <n>', 'images per row (default: up to 8)')
      .option('--backend <name>', 'tensorflow | wasm | cpu')
      .action(async (dir: string, f: { latents: string; out: string; cols?: string; backend?: string }) => {
        decodeFormatOf(f.out); // a wrong extension fails before the decoder loads
        const b = await startBackend(io, f.backend ? { backend: f.backend } : {});
        const z = readNpyFloat32(f.latents);
        const dec = VaeDecoder.load(dir, b.name);
        if (z.shape.length !== 4 || z.shape[1] !== dec.config.latent_channels)
          throw new UserError(`${f.latents}: latents must be [B, ${dec.config.latent_channels}, h, w], got [${z.shape.join(', ')}]`);
        const n = z.shape[0]!;
        const cols = f.cols !== undefined ? numberFlag('cols', f.cols) : Math.min(8, n);
        if (!Number.isInteger(cols) || cols < 1) throw new UserError(`--cols must be a positive integer, got '${f.cols}'`);
        const { height, width } = writeDecoded(dec, z, f.out, cols);
        io.stderr(`sidc: decoded ${n} latents to ${width}x${height} images -> ${f.out}\n`);
        dec.dispose();
      });
  },
};
