// sidc export RUN -o OUT: a run's student (or a snapshot the monitor kept, RUN@best-fid) as a diffusers model
// folder - OUT/transformer/ with the teacher's config.json and the student's weights in sharded safetensors +
// index - that diffusers' XTransformer2DModel.from_pretrained(OUT, subfolder="transformer") loads
// (scripts/reference/diffusers_check.py). The teacher folder is the run's teacher.checkpoint unless --teacher
// says otherwise. Written by the torch engine's export.py, whole or not at all.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../common/errors.js';
import type { ExecutionGraph } from '../compiler/graph/types.js';
import type { CommandModule } from './command.js';
import { configValue } from '../runtime/tfjs/loop/config.js';
import { recipePath } from '../runtime/tfjs/loop/dit-stage.js';
import { resolveRunRef } from '../runtime/tfjs/loop/snapshots.js';
import { runExport } from '../runtime/torch/export.js';

const DTYPES = ['bf16', 'fp16', 'fp32'];
const DIFFUSERS_FAMILIES = ['sana', 'sd3', 'flux'];

/** The run's graph (its teacher and family), or a one-line UserError naming what the folder lacks. */
function runGraph(dir: string): ExecutionGraph {
  const file = join(dir, 'graph.json');
  if (!existsSync(file)) throw new UserError(`${dir}: not a run directory (no graph.json); give the folder \`sidc run\` printed (runs/<recipe>-<hash8>)`);
  return JSON.parse(readFileSync(file, 'utf8')) as ExecutionGraph;
}

export const exportCommand: CommandModule = {
  register(program: Command, io, setExitCode) {
    program
      .command('export')
      .description("write a run's student as a diffusers model folder (transformer/ with config.json and sharded safetensors) for SANA, SD3 and FLUX teachers")
      .argument('<run>', 'run directory (runs/<recipe>-<hash8>), or RUN@<snapshot> for a snapshot the monitor kept (RUN@best-fid, RUN@last)')
      .requiredOption('-o, --out <dir>', 'the model folder to write (must not exist); the student goes to OUT/transformer/')
      .option('--teacher <dir>', "the diffusers folder the student was distilled from (default: the run's teacher.checkpoint)")
      .option('--dtype <name>', `${DTYPES.join(' | ')}: the stored dtype (bf16, as the paper's teachers are published)`, 'bf16')
      .option('--max-shard-gb <n>', 'largest shard, GB (diffusers writes 5 GB shards)', '5')
      .addHelpText(
        'after',
        '\n' +
          "What it writes: OUT/transformer/config.json (the teacher's, unchanged: the student is the teacher's network),\n" +
          '  diffusion_pytorch_model-0000i-of-0000n.safetensors and diffusion_pytorch_model.safetensors.index.json, under\n' +
          "  diffusers' parameter names. Copy the teacher's other folders (scheduler/, text_encoder*/, tokenizer*/, vae/,\n" +
          '  model_index.json) beside transformer/ to make a pipeline folder. Written to OUT.tmp-<pid>, then renamed.\n' +
          'Needs the torch engine (sidc doctor). DiT and vector students stay sidc .safetensors files (sidc sample, sidc eval).\n' +
          '\n' +
          'Examples:\n' +
          '  sidc export runs/flux_dev-1a2b3c4d -o students/flux-sid-4step\n' +
          '  sidc export runs/sd3_medium_bf16-1a2b3c4d@best-fid -o students/sd3-best --dtype fp16\n' +
          '  # then, with diffusers: FluxTransformer2DModel.from_pretrained("students/flux-sid-4step", subfolder="transformer")',
      )
      .action(async (run: string, f: { out: string; teacher?: string; dtype: string; maxShardGb: string }) => {
        const ref = resolveRunRef(run);
        const graph = runGraph(ref.dir);
        const family = String(configValue(graph, 'teacher.family') ?? '');
        if (!DIFFUSERS_FAMILIES.includes(family))
          throw new UserError(
            `${ref.dir}: a ${family || 'toy'} teacher's student has no diffusers layout (export is for ${DIFFUSERS_FAMILIES.join(', ')}); ` +
              'use its .safetensors with sidc sample or sidc eval',
          );
        if (!existsSync(ref.student))
          throw new UserError(`${ref.student}: no student yet; the run writes it when it finishes (or resume it: sidc run prints how)`);
        if (!DTYPES.includes(f.dtype)) throw new UserError(`unknown --dtype '${f.dtype}': use ${DTYPES.join(', ')}`);
        const maxShardGb = Number(f.maxShardGb);
        if (!Number.isFinite(maxShardGb) || maxShardGb <= 0) throw new UserError(`--max-shard-gb must be a positive number, got '${f.maxShardGb}'`);
        const ck = configValue(graph, 'teacher.checkpoint');
        const teacher = f.teacher ?? (typeof ck === 'string' ? recipePath(graph, ck) : undefined);
        if (!teacher) throw new UserError(`${ref.dir}: the run names no teacher.checkpoint; give --teacher DIR, the diffusers folder it was distilled from`);
        if (!existsSync(teacher))
          throw new UserError(`${teacher}: no such teacher folder${f.teacher ? '' : " (the run's teacher.checkpoint)"}; give --teacher DIR`);
        if (existsSync(f.out)) throw new UserError(`${f.out} exists; remove it or choose another -o (export never overwrites)`);
        setExitCode(await runExport(io, { student: ref.student, teacher, out: f.out, dtype: f.dtype, maxShardGb }));
      });
  },
};
