// sidc encode-prompts CHECKPOINT PROMPTS -o DIR: the text table of docs/text-encodings.md from a diffusers
// checkpoint's own text encoders (SD3 / SD3.5: CLIP-L + CLIP-G + T5-XXL; FLUX: CLIP-L + T5-XXL; SANA: Gemma-2), run on the
// torch engine in plain torch (runtime/torch/sidc_torch/encoders: no transformers, no network).
import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { UserError } from '../common/errors.js';
import type { CommandModule } from './command.js';
import { requireEncoderPython, runEncodePrompts } from '../runtime/torch/encode-prompts.js';

const FAMILIES = ['sd3', 'flux', 'sana'];
const DTYPES = ['fp32', 'bf16', 'fp16'];

function positiveInt(name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UserError(`--${name} must be an integer >= ${min}, got '${v}'`);
  return n;
}

export const encodePromptsCommand: CommandModule = {
  register(program: Command, io, setExitCode) {
    program
      .command('encode-prompts')
      .description("encode a prompt file with a diffusers checkpoint's own text encoders (SD3, FLUX, SANA) into the text table a recipe's data.text reads")
      .argument('<checkpoint>', 'diffusers model folder (model_index.json, text_encoder*/, tokenizer*/)')
      .argument('<prompts>', 'text file, one prompt per line (blank lines skipped; the empty prompt is added)')
      .requiredOption('-o, --out <dir>', 'folder to write text.safetensors into (created if needed)')
      .option('--family <name>', `${FAMILIES.join(' | ')} (default: from model_index.json or transformer/config.json)`)
      .option('--max-sequence-length <n>', 'T5 / Gemma tokens per prompt (default: 256 for SD3, 512 for FLUX, 300 for SANA, as the diffusers pipelines)')
      .option('--batch-size <n>', 'prompts per encoder forward pass', '8')
      .option('--device <name>', 'cpu | cuda[:N]', 'cpu')
      .option('--dtype <name>', `${DTYPES.join(' | ')}: the dtype the encoders compute in and the table is stored in (fp16: cuda only)`, 'fp32')
      .option('--without-t5', 'SD3: no T5 - 77 zero rows in its place, as StableDiffusion3Pipeline with text_encoder_3=None')
      .option('--no-instruction', "SANA: no complex human instruction before the prompts (SanaPipeline's complex_human_instruction=None)")
      .option('--verbose', 'on a failure, the Python traceback too')
      .addHelpText(
        'after',
        '\n' +
          'What it reads (the diffusers folder as downloaded; transformers config.json + safetensors, single or sharded):\n' +
          '  SD3 / SD3.5: text_encoder/ (CLIP-L), text_encoder_2/ (CLIP-G), text_encoder_3/ (T5-XXL),\n' +
          '               tokenizer/ and tokenizer_2/ (vocab.json, merges.txt), tokenizer_3/ (spiece.model)\n' +
          '  FLUX.1:      text_encoder/ (CLIP-L), text_encoder_2/ (T5-XXL), tokenizer/, tokenizer_2/ (spiece.model)\n' +
          '  SANA:        text_encoder/ (Gemma-2, Gemma2Model), tokenizer/ (tokenizer.model)\n' +
          '  SD3 without T5: --without-t5 (text_encoder_3/, tokenizer_3/ not read).\n' +
          'What it computes (as the diffusers pipelines):\n' +
          "  SD3:  each CLIP's penultimate hidden state (77 tokens, 768 + 1280 side by side, zero-padded to 4096),\n" +
          "        then T5's last hidden state (--max-sequence-length tokens); pooled = both CLIPs' projected EOS state (2048)\n" +
          "  FLUX: T5's last hidden state (512 tokens for FLUX.1-dev); pooled = CLIP-L's final-normed EOS state (768)\n" +
          "  SANA: Gemma-2's last hidden state (300 tokens, 2304 wide) with its attention mask, no pooled tensor; SanaPipeline's\n" +
          '        complex human instruction before every prompt but the empty one (as its negative prompt), unless --no-instruction;\n' +
          '        prompts lowercased and stripped, no caption cleaning (clean_caption=False, the pipeline default)\n' +
          'What it writes: DIR/text.safetensors (docs/text-encodings.md; written atomically):\n' +
          '  prompt_embeds [N, L, D], prompt_attention_mask [N, L], pooled_prompt_embeds [N, P] (not SANA);\n' +
          '  metadata prompts (JSON list, row order: the empty prompt "" first - the CFG null condition),\n' +
          '  format sidc-text-encodings/1. Point a recipe at it with data.text = precomputed("DIR").\n' +
          'Needs Python with torch and sentencepiece (sidc doctor); one encoder is in memory at a time.\n' +
          '\n' +
          'Examples:\n' +
          '  sidc encode-prompts checkpoints/FLUX.1-dev data/prompts.txt -o cache/flux-text\n' +
          '  sidc encode-prompts checkpoints/sd3-medium data/prompts.txt -o cache/sd3-text --device cuda --dtype bf16 --batch-size 64\n' +
          '  sidc encode-prompts checkpoints/Sana_600M_512px_diffusers data/prompts.txt -o cache/sana-text --device cuda --dtype bf16\n' +
          '  sidc make-tiny flux /tmp/flux-tiny --encoders && sidc encode-prompts /tmp/flux-tiny prompts.txt -o /tmp/flux-text',
      )
      .action(
        async (
          checkpoint: string,
          prompts: string,
          f: {
            out: string;
            family?: string;
            maxSequenceLength?: string;
            batchSize: string;
            device: string;
            dtype: string;
            withoutT5?: boolean;
            instruction: boolean;
            verbose?: boolean;
          },
        ) => {
          if (!existsSync(checkpoint))
            throw new UserError(`${checkpoint}: no such checkpoint folder; give the diffusers model folder (model_index.json, text_encoder/, ...)`);
          if (!statSync(checkpoint).isDirectory()) throw new UserError(`${checkpoint} is a file; give the diffusers model folder that holds it`);
          if (!existsSync(prompts)) throw new UserError(`${prompts}: no such prompts file; give a text file with one prompt per line`);
          if (f.family !== undefined && !FAMILIES.includes(f.family)) throw new UserError(`unknown --family '${f.family}': use ${FAMILIES.join(', ')}`);
          if (!DTYPES.includes(f.dtype)) throw new UserError(`unknown --dtype '${f.dtype}': use ${DTYPES.join(', ')}`);
          const maxSequenceLength = positiveInt('max-sequence-length', f.maxSequenceLength, 2);
          const batchSize = positiveInt('batch-size', f.batchSize, 1);
          const py = requireEncoderPython();
          const code = await runEncodePrompts(io, py.python, {
            checkpoint,
            prompts,
            out: f.out,
            device: f.device,
            dtype: f.dtype,
            ...(f.family ? { family: f.family } : {}),
            ...(maxSequenceLength !== undefined ? { maxSequenceLength } : {}),
            ...(batchSize !== undefined ? { batchSize } : {}),
            ...(f.withoutT5 ? { withoutT5: true } : {}),
            ...(f.instruction === false ? { noInstruction: true } : {}),
            ...(f.verbose ? { verbose: true } : {}),
          });
          setExitCode(code);
        },
      );
  },
};
