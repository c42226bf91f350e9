// sidc encode-prompts end to end on tiny SD3, FLUX and SANA checkpoints (sidc make-tiny --encoders): the tables'
// layout (shapes, masks, the empty prompt's row first, pooled widths, metadata, SANA's instruction), a tiny teacher distilled one
// step on each table by the torch engine, and bad input - one line, exit 2, no traceback, nothing written.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sidc } from '../helpers/cli.js';
import { repoPath } from '../helpers/paths.js';
import { scratchDir } from '../runtime/formats/tmp.js';
import { readSafetensors } from '../../runtime/formats/safetensors.js';
import { readTextEncodings } from '../../runtime/tfjs/families/text.js';
import { PROMPTS, promptsFile, tinyWithEncoders } from '../runtime/torch/encoders-helpers.js';

const dir = scratchDir('encode-prompts');
let flux = '';
let sd3 = '';
let sana = '';
let prompts = '';

before(async () => {
  flux = await tinyWithEncoders('flux', join(dir, 'flux'));
  sd3 = await tinyWithEncoders('sd3', join(dir, 'sd3'));
  sana = await tinyWithEncoders('sana', join(dir, 'sana'));
  prompts = promptsFile(dir);
});

const rowsOf = (data: Float32Array, width: number, row: number): number[] => Array.from(data.subarray(row * width, (row + 1) * width));

async function distil(recipeFile: string, recipe: string, checkpoint: string, table: string): Promise<void> {
  const runs = join(dir, `runs-${recipe}`);
  const r = await sidc(
    'run',
    recipeFile,
    '--recipe',
    recipe,
    '--engine',
    'torch',
    '--device',
    'cpu',
    '--runs-dir',
    runs,
    '--no-plots',
    '--set',
    `teacher.checkpoint="${checkpoint}"`,
    '--set',
    `data.text=precomputed("${table}")`,
    '--set',
    'train.length=2 images',
  );
  assert.equal(r.code, 0, r.err);
  const run = join(runs, readdirSync(runs).find((d) => !d.startsWith('.'))!);
  assert.ok(existsSync(join(run, 'student.safetensors')), 'no student written');
}

test('FLUX: T5 sequence [N, L, 64], CLIP-L pooled [N, 32], the empty prompt first; a tiny FLUX teacher trains on it', async () => {
  const out = join(dir, 'flux-text');
  const r = await sidc('encode-prompts', flux, prompts, '-o', out, '--max-sequence-length', '24', '--batch-size', '2');
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /text_encoder_2: 4\/4 prompts/);
  const { tensors, metadata } = readSafetensors(join(out, 'text.safetensors'));
  assert.deepEqual(JSON.parse(metadata.prompts!), ['', ...PROMPTS]);
  assert.equal(metadata.format, 'sidc-text-encodings/1');
  assert.equal(metadata.family, 'flux');
  assert.deepEqual(tensors.prompt_embeds!.shape, [4, 24, 64]);
  assert.deepEqual(tensors.pooled_prompt_embeds!.shape, [4, 32]);
  const mask = tensors.prompt_attention_mask!;
  assert.deepEqual(mask.shape, [4, 24]);
  assert.deepEqual(rowsOf(mask.data as Float32Array, 24, 0), [1, ...new Array(23).fill(0)], 'the empty prompt is </s> alone');
  assert.ok(rowsOf(mask.data as Float32Array, 24, 2).filter((v) => v === 1).length > 3);
  assert.ok(!existsSync(join(out, 'text.safetensors.tmp')) && readdirSync(out).length === 1, `left behind: ${readdirSync(out).join(', ')}`);
  readTextEncodings(join(out, 'text.safetensors'), { seq: 64, pooled: 32, teacher: 'the tiny FLUX teacher' });
  // --dtype bf16: computed and stored in bf16, within bf16 rounding of the fp32 table
  const bf = join(dir, 'flux-text-bf16');
  const rb = await sidc('encode-prompts', flux, prompts, '-o', bf, '--max-sequence-length', '24', '--dtype', 'bf16');
  assert.equal(rb.code, 0, rb.err);
  const b = readSafetensors(join(bf, 'text.safetensors')).tensors;
  assert.equal(b.prompt_embeds!.dtype, 'BF16');
  const a32 = tensors.prompt_embeds!.data as Float32Array;
  const a16 = b.prompt_embeds!.data as Float32Array;
  const scale = a32.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const worst = a32.reduce((m, v, i) => Math.max(m, Math.abs(v - a16[i]!)), 0);
  assert.ok(worst < 0.05 * scale, `bf16 table differs by ${worst} (scale ${scale})`);
  await distil(repoPath('test', 'runtime', 'torch', 'fixtures', 'tiny-fp32.sid'), 'flux_tiny_fp32', flux, out);
});

test('SD3: 77 CLIP tokens (16 + 24 wide, zero-padded to 64) then 256 T5 tokens, pooled 16 + 16; a tiny SD3 teacher trains on it', async () => {
  const out = join(dir, 'sd3-text');
  const r = await sidc('encode-prompts', sd3, prompts, '-o', out);
  assert.equal(r.code, 0, r.err);
  const { tensors, metadata } = readSafetensors(join(out, 'text.safetensors'));
  assert.equal(metadata.max_sequence_length, '256');
  const seq = tensors.prompt_embeds!;
  assert.deepEqual(seq.shape, [4, 77 + 256, 64]);
  assert.deepEqual(tensors.pooled_prompt_embeds!.shape, [4, 32]);
  const data = seq.data as Float32Array;
  const clipPad = Array.from({ length: 77 }, (_, t) => rowsOf(data, 64, t).slice(40)).flat();
  assert.ok(
    clipPad.every((v) => v === 0),
    'CLIP channels 40..63 are not the zero padding',
  );
  assert.ok(
    rowsOf(data, 64, 77).some((v) => v !== 0) &&
      rowsOf(data, 64, 0)
        .slice(0, 40)
        .some((v) => v !== 0),
  );
  const mask = rowsOf(tensors.prompt_attention_mask!.data as Float32Array, 333, 0);
  assert.deepEqual([mask.slice(0, 77).reduce((a, b) => a + b), mask.slice(77).reduce((a, b) => a + b)], [2, 1], 'the empty prompt: bos + eos, </s>');
  await distil(repoPath('test', 'cli', 'fixtures', 'encode-tiny.sid'), 'sd3_tiny_encoded', sd3, out);
  // --without-t5: 77 zero rows in T5's place, as the pipeline with text_encoder_3=None
  const noT5 = join(dir, 'sd3-text-no-t5');
  const rn = await sidc('encode-prompts', sd3, prompts, '-o', noT5, '--without-t5');
  assert.equal(rn.code, 0, rn.err);
  const n = readSafetensors(join(noT5, 'text.safetensors')).tensors.prompt_embeds!;
  assert.deepEqual(n.shape, [4, 154, 64]);
  const nd = n.data as Float32Array;
  assert.ok(nd.subarray(0, 77 * 64).some((v) => v !== 0) && nd.subarray(77 * 64, 154 * 64).every((v) => v === 0));
});

test('SANA: Gemma-2 [N, 300, 64] + mask, no pooled; the instruction before every prompt but the empty one; a tiny SANA teacher trains on it', async () => {
  const out = join(dir, 'sana-text');
  const r = await sidc('encode-prompts', sana, prompts, '-o', out, '--batch-size', '3');
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /text_encoder: Gemma-2 text model, 3 layers, width 64, 300 tokens, the complex human instruction prefixed/);
  const { tensors, metadata } = readSafetensors(join(out, 'text.safetensors'));
  assert.deepEqual(JSON.parse(metadata.prompts!), ['', ...PROMPTS]);
  assert.equal(metadata.family, 'sana');
  assert.equal(metadata.max_sequence_length, '300');
  assert.equal(metadata.complex_human_instruction, 'true');
  assert.deepEqual(Object.keys(tensors).sort(), ['prompt_attention_mask', 'prompt_embeds']);
  assert.deepEqual(tensors.prompt_embeds!.shape, [4, 300, 64]);
  const mask = tensors.prompt_attention_mask!.data as Float32Array;
  assert.deepEqual(tensors.prompt_attention_mask!.shape, [4, 300]);
  // the empty prompt as the pipeline's negative prompt: <bos> alone, no instruction
  assert.deepEqual(rowsOf(mask, 300, 0), [1, ...new Array(299).fill(0)], 'the empty prompt is <bos> alone');
  // a prompt: select_index = [0] + range(-299, 0) of instruction + prompt padded to len(instruction) + 298 tokens:
  // <bos>, then the instruction's last token(s) and the prompt, then padding
  const plain = join(dir, 'sana-text-plain');
  const rp = await sidc('encode-prompts', sana, prompts, '-o', plain, '--no-instruction');
  assert.equal(rp.code, 0, rp.err);
  const p = readSafetensors(join(plain, 'text.safetensors'));
  assert.equal(p.metadata.complex_human_instruction, 'false');
  const pmask = p.tensors.prompt_attention_mask!.data as Float32Array;
  for (const row of [1, 2, 3]) {
    const [withI, without] = [rowsOf(mask, 300, row), rowsOf(pmask, 300, row)];
    const count = (m: number[]): number => m.filter((v) => v === 1).length;
    assert.ok(withI[0] === 1 && withI.indexOf(0) === count(withI) && without.indexOf(0) === count(without), `row ${row}: not <bos> then tokens then padding`);
    assert.ok(count(withI) >= count(without) && count(withI) <= count(without) + 3, `row ${row}: ${count(withI)} vs ${count(without)} tokens`);
  }
  const e = tensors.prompt_embeds!.data as Float32Array;
  const pe = p.tensors.prompt_embeds!.data as Float32Array;
  assert.deepEqual(e.subarray(0, 300 * 64), pe.subarray(0, 300 * 64), 'the empty prompt row depends on --no-instruction');
  assert.notDeepEqual(e.subarray(300 * 64, 2 * 300 * 64), pe.subarray(300 * 64, 2 * 300 * 64), 'the instruction changes nothing');
  readTextEncodings(join(out, 'text.safetensors'), { seq: 64, pooled: 0, teacher: 'the tiny SANA teacher' });
  await distil(repoPath('test', 'runtime', 'torch', 'fixtures', 'tiny-fp32.sid'), 'sana_tiny_fp32', sana, out);
});

test('bad input: one line naming the file and the fix, exit 2, no traceback, nothing written', async () => {
  const broken = join(dir, 'flux-broken');
  cpSync(flux, broken, { recursive: true });
  rmSync(join(broken, 'text_encoder_2'), { recursive: true });
  const sanaLike = join(dir, 'sana-like');
  cpSync(flux, sanaLike, { recursive: true });
  writeFileSync(join(sanaLike, 'model_index.json'), JSON.stringify({ _class_name: 'SanaPipeline' }));
  const sanaWide = join(dir, 'sana-wide');
  cpSync(sana, sanaWide, { recursive: true });
  const tcfg = join(sanaWide, 'transformer', 'config.json');
  writeFileSync(tcfg, readFileSync(tcfg, 'utf8').replace('"caption_channels": 64', '"caption_channels": 2304'));
  const odd = join(dir, 'odd');
  cpSync(flux, odd, { recursive: true });
  writeFileSync(join(odd, 'model_index.json'), JSON.stringify({ _class_name: 'KandinskyPipeline' }));
  const blank = join(dir, 'blank.txt');
  writeFileSync(blank, '\n  \n\n');
  const aFile = join(dir, 'a-file');
  writeFileSync(aFile, 'x');
  const out = join(dir, 'bad-out');
  const cases: [string[], RegExp][] = [
    [[join(dir, 'nope'), prompts], /nope: no such checkpoint folder/],
    [[flux, join(dir, 'nope.txt')], /nope\.txt: no such prompts file/],
    [[flux, blank], /blank\.txt: holds no prompt/],
    [[broken, prompts], /missing text_encoder_2\/; a flux checkpoint folder holds/],
    [[sanaLike, prompts], /sana-like\/tokenizer\/tokenizer.model: missing; the Gemma tokenizer folder holds tokenizer.model/],
    [[flux, prompts, '--family', 'sana'], /flux\/tokenizer\/tokenizer.model: missing/],
    [[sanaWide, prompts], /the encoders give 64-wide outputs but transformer\/config.json has caption_channels 2304/],
    [[sana, prompts, '--without-t5'], /--without-t5 is for SD3/],
    [[flux, prompts, '--no-instruction'], /--no-instruction is for SANA/],
    [[odd, prompts], /unknown _class_name 'KandinskyPipeline'.*--family sd3\|flux/],
    [[flux, prompts, '--family', 'sdxl'], /unknown --family 'sdxl'/],
    [[flux, prompts, '--without-t5'], /--without-t5 is for SD3/],
    [[flux, prompts, '--dtype', 'fp16'], /--dtype fp16 needs --device cuda/],
  ];
  for (const [args, want] of cases) {
    const r = await sidc('encode-prompts', ...args, '-o', out);
    assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}\n${r.err}`);
    const lines = r.err
      .trim()
      .split('\n')
      .filter((l) => !l.startsWith('encode-prompts: '));
    assert.equal(lines.length, 1, `${args.join(' ')}: not one line:\n${r.err}`);
    assert.match(lines[0]!, want);
    assert.doesNotMatch(r.err, /Traceback|at .*\.js:\d+/);
  }
  const r = await sidc('encode-prompts', flux, prompts, '-o', join(aFile, 'sub'));
  assert.equal(r.code, 2);
  assert.match(r.err, /^sidc: -o .*a-file\/sub: cannot write there \(.*\); choose a folder you can write to\n$/);
  assert.ok(!existsSync(out), 'bad input wrote the output folder');
});
