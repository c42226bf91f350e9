// Before `sidc run` creates anything: a recipe path that does not exist gets a did-you-mean among the
// recipes beside it, and a recipe of the paper's teachers (sana, sd3, flux) whose checkpoint folder or
// precomputed text table is missing - or, with `data.text = encoder`, whose prompt file is - is refused
// with the list of what is missing and how each is made, so `sidc run recipes/flux-dev.sid` on a fresh
// checkout explains itself instead of failing mid-start.
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../common/errors.js';
import type { ExecutionGraph } from '../compiler/graph/types.js';
import { didYouMean } from '../compiler/util/names.js';
import { configValue } from '../runtime/tfjs/loop/config.js';
import { recipePath } from '../runtime/tfjs/loop/dit-stage.js';

/** A one-line error for a recipe file that is not there, with the nearest existing .sid beside it. */
export function requireRecipeFile(file: string): void {
  if (existsSync(file)) return;
  const dir = dirname(file);
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => /\.(sid|ya?ml)$/.test(n));
  } catch {
    throw new UserError(`cannot read '${file}': no such file (and no folder ${dir})`);
  }
  const near = didYouMean(basename(file), names);
  throw new UserError(
    `cannot read '${file}': no such file${near ? `; did you mean \`${join(dir, near)}\`?` : names.length ? ` (${dir} holds ${names.length} recipes: ls ${dir})` : ''}`,
  );
}

const PAPER_FAMILIES = ['sana', 'sd3', 'flux'];
/** The families whose text tables `sidc encode-prompts` makes. */
const ENCODABLE = ['sd3', 'flux', 'sana'];
/** Where each paper teacher comes from (public Hugging Face repositories of the teachers' authors). */
const HUB: Record<string, string> = {
  flux_dev: 'black-forest-labs/FLUX.1-dev',
  sd3_medium: 'stabilityai/stable-diffusion-3-medium-diffusers',
  sd35_medium: 'stabilityai/stable-diffusion-3.5-medium',
  sd35_large: 'stabilityai/stable-diffusion-3.5-large',
  sana_600m: 'Efficient-Large-Model/Sana_600M_512px_diffusers',
  sana_600m_512: 'Efficient-Large-Model/Sana_600M_512px_diffusers',
  sana_1600m: 'Efficient-Large-Model/Sana_1600M_512px_diffusers',
  sana_1600m_512: 'Efficient-Large-Model/Sana_1600M_512px_diffusers',
};

/** data.text = encoder: the prompt file (the checker, SID3037, has already refused a checkpoint without encoders). */
function missingPrompts(graph: ExecutionGraph): string[] {
  const out: string[] = [];
  const prompts = configValue(graph, 'data.prompts');
  if (typeof prompts !== 'string')
    out.push('a prompt file: `data.text = encoder` encodes the prompts of data.prompts; set `data.prompts = "data/prompts.txt"` (one prompt a line)');
  else if (!existsSync(recipePath(graph, prompts)))
    out.push(`prompt file ${recipePath(graph, prompts)} (data.prompts = "${prompts}"): a text file, one prompt a line, that data.text = encoder encodes`);
  return out;
}

/** What a paper-teacher recipe needs on disk before it can run, each with the commands that produce it. */
export function missingInputs(graph: ExecutionGraph): string[] {
  const family = String(configValue(graph, 'teacher.family') ?? '');
  if (!PAPER_FAMILIES.includes(family)) return [];
  const out: string[] = [];
  const ck = configValue(graph, 'teacher.checkpoint');
  const text = configValue(graph, 'data.text') as { mode?: string; path?: string } | undefined;
  if (typeof ck === 'string') {
    const path = recipePath(graph, ck);
    if (!existsSync(join(path, 'transformer')) && !existsSync(join(path, 'config.json'))) {
      const name = String(configValue(graph, 'teacher.config') ?? '');
      const hub = HUB[name];
      out.push(
        `teacher checkpoint folder ${path} (teacher.checkpoint = "${ck}"): ` +
          `${hub ? `\`huggingface-cli download ${hub} --local-dir ${ck}\` (accept the model's licence on huggingface.co first)` : 'a diffusers model folder of the teacher'}; ` +
          `for a dry run at toy size, \`sidc make-tiny ${family} DIR${text?.mode === 'encoder' ? ' --encoders' : ''}\` and --set 'teacher.checkpoint="DIR"'`,
      );
    }
  }
  if (text?.mode === 'encoder') out.push(...missingPrompts(graph));
  if (text?.mode === 'precomputed' && typeof text.path === 'string') {
    const path = recipePath(graph, text.path);
    const file = existsSync(path) && !path.endsWith('.safetensors') ? join(path, 'text.safetensors') : path;
    if (!existsSync(file)) {
      const prompts = configValue(graph, 'data.prompts');
      const promptFile = typeof prompts === 'string' ? prompts : 'PROMPTS.txt';
      out.push(
        ENCODABLE.includes(family)
          ? `text table ${file} (data.text = precomputed("${text.path}")): ` +
              `\`sidc encode-prompts ${typeof ck === 'string' ? ck : 'CHECKPOINT'} ${promptFile} -o ${text.path}\` encodes ` +
              `the prompts, the empty prompt included, with the checkpoint's own text encoders (docs/text-encodings.md), ` +
              `or \`--set data.text=encoder\` lets the run encode data.prompts itself (torch engine); ` +
              `\`sidc make-tiny ${family} DIR\` writes a tiny one`
          : `text table ${file} (data.text = precomputed("${text.path}")): encode ` +
              `${typeof prompts === 'string' ? `the prompts of ${prompts}` : 'the prompt set'}, the empty prompt ` +
              `included, with the teacher's own text encoders into that layout (docs/text-encodings.md, "Producing ` +
              `the file with diffusers"); \`sidc make-tiny ${family} DIR\` writes a tiny one`,
      );
    }
  }
  return out;
}

/** Throws one UserError listing every missing input; nothing has been created yet. */
export function requireInputs(graph: ExecutionGraph, file: string): void {
  const missing = missingInputs(graph);
  if (missing.length === 0) return;
  throw new UserError(`${file} cannot run yet; nothing was created. Missing:\n${missing.map((m) => `  - ${m}`).join('\n')}`);
}
