// sidc inspect DIR: family, config, parameter count, dtypes, memory plan and key check of a diffusers
//   checkpoint - headers only, nothing is loaded.
// sidc decode DIR --latents z.npy -o grid.png | out.npy: latents (in the teacher's normalised space) through
//   the AutoencoderKL decoder of DIR (model root with vae/, or the vae folder) into a PNG grid, or as the
//   decoder's float output (.npy, diffusers' decode() meaning: [B, 3, H, W], unclipped).
// sidc forward DIR --x x.npy --t 0.5 --text text.safetensors [--prompt ROW] [--guidance W] -o v.npy:
//   one velocity prediction of the teacher (docs/algorithm.md §1: timestep = t x time_scale; the guidance
//   embedding when the checkpoint has one - FLUX.1-dev, SANA-Sprint - else CFG on velocity; conventions.ts).
import { statSync } from 'node:fs';
import type { Command } from 'commander';
import * as tf from '@tensorflow/tfjs-core';
import { UserError, type CliIO, type CommandModule } from '../../compiler/cli/command.js';
import { formatBytes, formatCount, formatSummary, summarizeSafetensors } from '../io/safetensors-summary.js';
import { readSafetensorsHeader } from '../io/safetensors.js';
import { readNpyFloat32, writeNpy } from '../io/npy.js';
import { startBackend } from '../cli/common.js';
import { hiddenOf } from './config.js';
import { compareKeys, inspectCheckpoint, loadTransformer, planMemory } from './load.js';
import { expectedShapes, familyModule, paramCount } from './index.js';
import { readTextEncodings, TextTable } from './text.js';
import { FamilyNet } from './net.js';
import { VaeDecoder } from './vae.js';
import { SID_WEIGHT_COPIES } from './teacher.js';
import { makeTinyCommand } from './make-tiny.js';
import { guidedVelocity } from '../exec/sampling.js';
import { FP32 } from '../precision/policy.js';
import { defaultTimeScale, describeGuidance, forwardGuidance } from './conventions.js';
import { decodeFormatOf, writeDecoded } from './decode-output.js';

function inspectReport(dir: string): { text: string; ok: boolean } {
  const info = inspectCheckpoint(dir);
  const c = info.config;
  const lines = [`${info.dir}: ${c.family} (${info.source})`, 'config:'];
  for (const [k, v] of Object.entries(c)) if (k !== 'family') lines.push(`  ${k} = ${JSON.stringify(v)}`);
  lines.push(`hidden width D: ${hiddenOf(c)}; latent channels: ${familyModule(c).latentChannels(c)}; text: ${JSON.stringify(familyModule(c).textDims(c))}`);
  lines.push(`parameters: ${formatCount(info.params)} (${info.params}) in ${Object.keys(info.tensors).length} tensors; the config implies ${formatCount(paramCount(c))}`);
  lines.push(`stored: ${Object.entries(info.bytesByDtype).map(([d, b]) => `${d} ${formatBytes(b)}`).join(', ')}`);
  for (const [what, copies] of [['forward', 1], ['SiD training (phi, psi, G + saved copies and gradients of a pass)', SID_WEIGHT_COPIES]] as const) {
    for (const backend of ['wasm', 'tensorflow']) {
      const p = planMemory(info.f32Bytes, backend, copies);
      lines.push(`memory, ${what}, ${backend}: ${formatBytes(p.needBytes)} float32 of ${formatBytes(p.limitBytes)} -> ${p.fits ? 'fits' : 'does NOT fit'}`);
    }
  }
  const pr = compareKeys(expectedShapes(c), info.tensors);
  const ok = !pr.missing.length && !pr.unexpected.length && !pr.misshaped.length;
  if (ok) lines.push('keys: every parameter present with the expected shape');
  else {
    lines.push(`keys: ${pr.missing.length} missing, ${pr.unexpected.length} unexpected, ${pr.misshaped.length} mis-shaped`);
    for (const n of pr.missing) lines.push(`  missing    ${n} [${expectedShapes(c)[n]!.join(', ')}]`);
    for (const n of pr.unexpected) lines.push(`  unexpected ${n} [${info.tensors[n]!.shape.join(', ')}]`);
    for (const m of pr.misshaped) lines.push(`  mis-shaped ${m.name}: expected [${m.expected.join(', ')}], found [${m.found.join(', ')}]`);
  }
  return { text: lines.join('\n') + '\n', ok };
}

const inspectCommand: CommandModule = {
  register(program: Command, io: CliIO, setExitCode) {
    program
      .command('inspect')
      .description('describe a diffusers checkpoint (family, config, parameters, dtypes, memory) or a .safetensors file, reading headers only')
      .argument('<path>', 'model folder (with transformer/), transformer folder, or a .safetensors file')
      .action((path: string) => {
        let isFile = false;
        try {
          isFile = statSync(path).isFile();
        } catch {
          throw new UserError(`${path}: no such file or directory`);
        }
        if (isFile) {
          io.stdout(formatSummary(summarizeSafetensors(readSafetensorsHeader(path))));
          return;
        }
        const r = inspectReport(path);
        io.stdout(r.text);
        if (!r.ok) setExitCode(1);
      });
  },
};

function num(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UserError(`--${name} must be a number, got '${v}'`);
  return n;
}

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

const forwardCommand: CommandModule = {
  register(program: Command, io: CliIO) {
    program
      .command('forward')
      .description("one velocity prediction v(x, t, prompt) of a diffusers teacher (SANA, SD3/SD3.5, FLUX.1)")
      .argument('<dir>', 'model folder (with transformer/) or its transformer folder')
      .requiredOption('--x <file>', 'latents [B, C, H, W] (.npy, float)')
      .requiredOption('--t <t>', 'time in [0, 1] (x_t = (1 - t) x0 + t eps); multiplied by the time scale')
      .requiredOption('--text <file>', 'text encodings (.safetensors, docs/text-encodings.md)')
      .option('--prompt <row>', 'row of the text encodings to condition on (default: the first non-empty prompt)')
      .option('--guidance <w>', 'with a guidance embedder (FLUX.1-dev, SANA-Sprint): the value it is fed (default 3.5 / 4.5); else CFG scale against the empty prompt (default 1 = none)')
      .option('--time-scale <s>', 'timestep = t x scale (default 1000 for SANA and SD3, 1 for FLUX and SANA-Sprint)')
      .option('-o, --out <file>', 'output velocity (.npy)', 'v.npy')
      .option('--backend <name>', 'tensorflow | wasm | cpu')
      .action(async (dir: string, f: ForwardFlags) => {
        const t = num('t', f.t);
        if (t < 0 || t > 1) throw new UserError(`--t must be in [0, 1], got ${t}`);
        const b = await startBackend(io, f.backend ? { backend: f.backend } : {});
        const ld = loadTransformer(dir, { backend: b.name });
        const c = ld.info.config;
        const mod = familyModule(c);
        const enc = readTextEncodings(f.text, { ...mod.textDims(c), teacher: `${ld.info.dir} (${c.family})` });
        const row = f.prompt !== undefined ? num('prompt', f.prompt) : enc.prompts.findIndex((p) => p !== '');
        if (!Number.isInteger(row) || row < 0 || row >= enc.prompts.length) throw new UserError(`--prompt must be a row in 0..${enc.prompts.length - 1} of ${f.text}${f.prompt === undefined ? ' (it holds no non-empty prompt)' : ''}`);
        const x = readNpyFloat32(f.x);
        const ch = mod.latentChannels(c);
        if (x.shape.length !== 4 || x.shape[1] !== ch) throw new UserError(`${f.x}: latents must be [B, ${ch}, H, W] for this ${c.family} teacher, got [${x.shape.join(', ')}]`);
        const [bs, , h, w] = x.shape as [number, number, number, number];
        const m = mod.spatialMultiple(c);
        if (h % m || w % m) throw new UserError(`${f.x}: latent height and width must be multiples of ${m}, got ${h}x${w}`);
        const scale = f.timeScale !== undefined ? num('time-scale', f.timeScale) : defaultTimeScale(c);
        const guidance = forwardGuidance(c, f.guidance !== undefined ? num('guidance', f.guidance) : undefined);
        const text = new TextTable(enc);
        const net = new FamilyNet({ config: c, weights: ld.tensors, text, latent: { height: h, width: w }, trainable: false });
        // the runtime's own guided velocity (the loop's and the sampler's)
        const v = tf.tidy(() =>
          guidedVelocity(net, tf.tensor2d(x.data, [bs, ch * h * w]), tf.fill([bs], t) as tf.Tensor1D, tf.fill([bs], row, 'int32') as tf.Tensor1D, guidance, scale, FP32),
        );
        writeNpy(f.out, { dtype: 'f4', shape: [bs, ch, h, w], data: v.dataSync() as Float32Array });
        io.stderr(`sidc: ${c.family} v(x, t=${t} -> timestep ${t * scale}, prompt ${row} ${JSON.stringify(enc.prompts[row])}${describeGuidance(guidance)}) -> ${f.out}\n`);
        v.dispose();
        net.dispose();
        text.dispose();
      });
  },
};

const decodeCommand: CommandModule = {
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
        if (z.shape.length !== 4 || z.shape[1] !== dec.config.latent_channels) throw new UserError(`${f.latents}: latents must be [B, ${dec.config.latent_channels}, h, w], got [${z.shape.join(', ')}]`);
        const n = z.shape[0]!;
        const cols = f.cols !== undefined ? num('cols', f.cols) : Math.min(8, n);
        if (!Number.isInteger(cols) || cols < 1) throw new UserError(`--cols must be a positive integer, got '${f.cols}'`);
        const { height, width } = writeDecoded(dec, z, f.out, cols);
        io.stderr(`sidc: decoded ${n} latents to ${width}x${height} images -> ${f.out}\n`);
        dec.dispose();
      });
  },
};

export const familyCommands: CommandModule[] = [inspectCommand, forwardCommand, decodeCommand, makeTinyCommand];
