// sidc forward DIR --x x.npy --t 0.5 --text text.safetensors [--prompt ROW] [--guidance W] -o v.npy:
//   one velocity prediction of the teacher (docs/algorithm.md §1: timestep = t x time_scale; the guidance
//   embedding when the checkpoint has one - FLUX.1-dev, SANA-Sprint - else CFG on velocity; conventions.ts).
import type { Command } from 'commander';
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../common/errors.js';
import type { CliIO } from '../common/io.js';
import type { CommandModule } from './command.js';
import { readNpyFloat32, writeNpy } from '../runtime/formats/npy.js';
import { numberFlag, startBackend } from './runtime-common.js';
import { loadTransformer } from '../runtime/tfjs/families/load.js';
import { familyModule } from '../runtime/tfjs/families/index.js';
import { readTextEncodings, TextTable } from '../runtime/tfjs/families/text.js';
import { FamilyNet } from '../runtime/tfjs/families/net.js';
import { guidedVelocity } from '../runtime/tfjs/loop/sampling.js';
import { defaultTimeScale, describeGuidance, forwardGuidance } from '../runtime/tfjs/families/conventions.js';
import { FP32 } from '../runtime/tfjs/precision/policy.js';

interface ForwardFlags {
  x: string;
  t: string;
  text: string;
  prompt?: string;
  guidance?: string;
  timeScale?: string;
  out: string;
  backend?: string;
}

export const forwardCommand: CommandModule = {
  register(program: Command, io: CliIO) {
    program
      .command('forward')
      .description('one velocity prediction v(x, t, prompt) of a diffusers teacher (SANA, SD3/SD3.5, FLUX.1)')
      .argument('<dir>', 'model folder (with transformer/) or its transformer folder')
      .requiredOption('--x <file>', 'latents [B, C, H, W] (.npy, float)')
      .requiredOption('--t <t>', 'time in [0, 1] (x_t = (1 - t) x0 + t eps); multiplied by the time scale')
      .requiredOption('--text <file>', 'text encodings (.safetensors, docs/text-encodings.md)')
      .option('--prompt <row>', 'row of the text encodings to condition on (default: the first non-empty prompt)')
      .option(
        '--guidance <w>',
        'with a guidance embedder (FLUX.1-dev, SANA-Sprint): the value it is fed (default 3.5 / 4.5); else CFG scale against the empty prompt (default 1 = none)',
      )
      .option('--time-scale <s>', 'timestep = t x scale (default 1000 for SANA and SD3, 1 for FLUX and SANA-Sprint)')
      .option('-o, --out <file>', 'output velocity (.npy)', 'v.npy')
      .option('--backend <name>', 'tensorflow | wasm | cpu')
      .action(async (dir: string, f: ForwardFlags) => {
        const t = numberFlag('t', f.t);
        if (t < 0 || t > 1) throw new UserError(`--t must be in [0, 1], got ${t}`);
        const b = await startBackend(io, f.backend ? { backend: f.backend } : {});
        const ld = loadTransformer(dir, { backend: b.name });
        const c = ld.info.config;
        const mod = familyModule(c);
        const enc = readTextEncodings(f.text, { ...mod.textDims(c), teacher: `${ld.info.dir} (${c.family})` });
        const row = f.prompt !== undefined ? numberFlag('prompt', f.prompt) : enc.prompts.findIndex((p) => p !== '');
        if (!Number.isInteger(row) || row < 0 || row >= enc.prompts.length)
          throw new UserError(
            `--prompt must be a row in 0..${enc.prompts.length - 1} of ${f.text}${f.prompt === undefined ? ' (it holds no non-empty prompt)' : ''}`,
          );
        const x = readNpyFloat32(f.x);
        const ch = mod.latentChannels(c);
        if (x.shape.length !== 4 || x.shape[1] !== ch)
          throw new UserError(`${f.x}: latents must be [B, ${ch}, H, W] for this ${c.family} teacher, got [${x.shape.join(', ')}]`);
        const [bs, , h, w] = x.shape as [number, number, number, number];
        const m = mod.spatialMultiple(c);
        if (h % m || w % m) throw new UserError(`${f.x}: latent height and width must be multiples of ${m}, got ${h}x${w}`);
        const scale = f.timeScale !== undefined ? numberFlag('time-scale', f.timeScale) : defaultTimeScale(c);
        const guidance = forwardGuidance(c, f.guidance !== undefined ? numberFlag('guidance', f.guidance) : undefined);
        const text = new TextTable(enc);
        const net = new FamilyNet({ config: c, weights: ld.tensors, text, latent: { height: h, width: w }, trainable: false });
        // the runtime's own guided velocity (the loop's and the sampler's)
        const v = tf.tidy(() =>
          guidedVelocity(
            net,
            tf.tensor2d(x.data, [bs, ch * h * w]),
            tf.fill([bs], t) as tf.Tensor1D,
            tf.fill([bs], row, 'int32') as tf.Tensor1D,
            guidance,
            scale,
            FP32,
          ),
        );
        writeNpy(f.out, { dtype: 'f4', shape: [bs, ch, h, w], data: v.dataSync() as Float32Array });
        io.stderr(
          `sidc: ${c.family} v(x, t=${t} -> timestep ${t * scale}, prompt ${row} ${JSON.stringify(enc.prompts[row])}${describeGuidance(guidance)}) -> ${f.out}\n`,
        );
        v.dispose();
        net.dispose();
        text.dispose();
      });
  },
};
