// sidc make-tiny FAMILY DIR [--seed N] [--prompts "a|b|c"] [--latents N]: a tiny teacher of a paper family in diffusers
// layout (DIR/transformer: config.json + 2 bf16 shards + index, seeded random weights) and matching text
// encodings (DIR/text.safetensors, the empty prompt first), optionally N stand-in real latents
// (DIR/latents.safetensors, for the adversarial stage of the SiD2a recipes) - what the tests use and what a user points a
// paper recipe at to try the whole path without the real checkpoint:
//   sidc make-tiny flux /tmp/flux-tiny
//   sidc run recipes/flux-dev-512.sid --set 'teacher.checkpoint="/tmp/flux-tiny"' --set 'data.text=precomputed("/tmp/flux-tiny")' ...
import { join } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../common/errors.js';
import type { CliIO } from '../common/io.js';
import type { CommandModule } from './command.js';
import { paramCount } from '../runtime/tfjs/families/index.js';
import { TINY_PROMPTS, TINY_TEACHERS, writeTinyFamilyTeacher } from '../runtime/tfjs/families/tiny-teacher.js';
import { requireEncoderPython, writeTinyEncoders } from '../runtime/torch/encode-prompts.js';

const ENCODER_FAMILIES = ['sd3', 'flux', 'sana'];

export const makeTinyCommand: CommandModule = {
  register(program: Command, io: CliIO) {
    program
      .command('make-tiny')
      .description('write a tiny teacher of a paper family (diffusers layout, random weights) and matching text encodings')
      .argument('<family>', Object.keys(TINY_TEACHERS).join(' | '))
      .argument('<dir>', 'model folder to write (transformer/ and text.safetensors)')
      .option('--seed <n>', 'weight and encoding seed', '1')
      .option('--latents <n>', 'also write latents.safetensors: n random stand-in real latents (adversarial stage)', '0')
      .option('--prompts <list>', 'prompts separated by |, the empty prompt is added first', TINY_PROMPTS.slice(1).join('|'))
      .option('--encoders', 'sd3, flux, sana: also tiny random text encoders and tokenizers (torch engine), for `sidc encode-prompts DIR PROMPTS -o OUT`')
      .action((family: string, dir: string, f: { seed: string; prompts: string; latents: string; encoders?: boolean }) => {
        const seed = Number(f.seed);
        if (!Number.isInteger(seed)) throw new UserError(`--seed must be an integer, got '${f.seed}'`);
        const latents = Number(f.latents);
        if (!Number.isInteger(latents) || latents < 0) throw new UserError(`--latents must be a whole number, got '${f.latents}'`);
        const prompts = ['', ...f.prompts.split('|').filter((p) => p !== '')];
        if (prompts.length < 2) throw new UserError('--prompts: give at least one non-empty prompt');
        if (f.encoders && !ENCODER_FAMILIES.includes(family))
          throw new UserError(`make-tiny --encoders: ${family} has no tiny encoders (sidc encode-prompts knows ${ENCODER_FAMILIES.join(', ')})`);
        const py = f.encoders ? requireEncoderPython() : undefined;
        const t = writeTinyFamilyTeacher(family, dir, { seed, prompts, latents });
        if (py) writeTinyEncoders(py.python, dir, family, seed);
        const spec = TINY_TEACHERS[family]!;
        io.stdout(
          `${dir}: tiny ${t.config.family} teacher (${paramCount(t.config)} parameters), ${join(dir, 'transformer')} + ${t.text}` +
            `${t.latents ? ` + ${t.latents}` : ''}${py ? ' + text encoders and tokenizers' : ''}\n`,
        );
        io.stdout(
          `try it: sidc run ${spec.recipe} --set 'teacher.checkpoint="${dir}"' --set 'data.text=precomputed("${dir}")' --set 'data.resolution=${spec.resolution} px'` +
            ` --set batch.per_device=2 --set batch.accumulate=1 --set batch.global=16 --set 'train.length=4 images'\n`,
        );
      });
  },
};
