// The opt-in file checks (compiler/check/files.ts, CompileOptions.files): a recipe pointed at a tiny
// checkpoint and text table written by the runtime's own writers (sidc make-tiny) checks clean; a text
// table of the wrong width, a checkpoint of another family, a missing file, a table without the empty
// prompt and a VAE of the wrong latent width each give one precise diagnostic at the value in the recipe;
// the language server's path (no `files` flag) reads no file and reports none of them.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { compileFile, compileSource } from '../../../compiler/api.js';
import { main } from '../../../cli/main.js';
import type { Diagnostic } from '../../../compiler/diagnostics/types.js';
import { CheckCache } from '../../../compiler/incremental.js';
import { writeTinyFamilyTeacher, tinyTextEncodings, type TinyTeacher } from '../../../runtime/tfjs/families/tiny-teacher.js';
import { writeTextEncodings } from '../../../runtime/tfjs/families/text.js';
import type { FluxConfig } from '../../../runtime/tfjs/families/config.js';
import { writeSafetensors } from '../../../runtime/formats/safetensors.js';
import { repoPath } from '../../helpers/paths.js';
import { scratchDir } from '../../runtime/formats/tmp.js';

const FILE_CODES = ['SID3025', 'SID3026', 'SID3027', 'SID3028', 'SID3029', 'SID3030'];
const base = repoPath('test', 'compiler', 'fixtures', 'base.sid');

let dir = '';
let flux: TinyTeacher;
before(() => {
  dir = scratchDir('files-check');
  // imports stay inside the project root (the scratch folder, beside the recipes): a copy of the base
  copyFileSync(base, join(dir, 'base.sid'));
  flux = writeTinyFamilyTeacher('flux', join(dir, 'flux'), { seed: 1 });
  writeTinyFamilyTeacher('sd3', join(dir, 'sd3'), { seed: 2 });
  // a FLUX-shaped table 48 wide (flux_tiny takes joint_attention_dim 64, pooled_projection_dim 32)
  const narrow = tinyTextEncodings({ ...(flux.config as FluxConfig), joint_attention_dim: 48 }, ['', 'a red circle'], 1);
  writeTextEncodings(join(dir, 'narrow.safetensors'), narrow);
  writeTextEncodings(join(dir, 'no-null.safetensors'), tinyTextEncodings(flux.config, ['a red circle', 'a blue square'], 1));
  // a VAE folder whose latents are 8 channels (the tiny FLUX teacher works on 16 / 4 = 4)
  mkdirSync(join(dir, 'vae8'), { recursive: true });
  writeFileSync(join(dir, 'vae8', 'config.json'), JSON.stringify({ _class_name: 'AutoencoderKL', latent_channels: 8 }));
  // a safetensors file with diffusers names and no DiT config, for a dit teacher
  writeSafetensors(join(dir, 'not-dit.safetensors'), { 'proj_out.weight': { dtype: 'F32', shape: [2, 2], data: new Float32Array(4) } }, { format: 'pt' });
});

/** A tiny FLUX recipe beside the files; `ck`, `text`, `vae` are the values written in it. */
function recipe(o: { ck?: string; text?: string; vae?: string; family?: string; encoder?: boolean } = {}): { path: string; text: string } {
  const family = o.family ?? 'flux';
  const lines = [
    'import "./base.sid"',
    '',
    `recipe tiny extends sid_dit {`,
    `  teacher ${family} {`,
    ...(family === 'dit' ? [] : [`    config = "${family}_tiny"`]),
    ...(o.ck !== null && o.ck !== undefined ? [`    checkpoint = "${o.ck}"`] : []),
    ...(o.vae ? [`    vae = "${o.vae}"`] : []),
    '  }',
    ...(family === 'flux' ? ['  guidance { teacher = embedded(4.5); fake = embedded(4.5) }'] : []),
    ...(family === 'dit'
      ? ['  data { text = labels; resolution = 28 px }']
      : [`  data { prompts = "prompts.txt"; resolution = 32 px; text = ${o.encoder ? 'encoder' : `precomputed("${o.text ?? 'flux'}")`} }`]),
    '}',
    '',
  ];
  const text = lines.join('\n');
  const path = join(dir, `r-${Math.random().toString(36).slice(2)}.sid`);
  writeFileSync(path, text);
  return { path, text };
}

const fileDiags = (ds: Diagnostic[]): Diagnostic[] => ds.filter((d) => FILE_CODES.includes(d.code));

/** The [start, end) offsets of `needle` in `text` (asserted to occur once). */
function span(text: string, needle: string): [number, number] {
  const i = text.indexOf(needle);
  assert.ok(i >= 0 && text.indexOf(needle, i + 1) < 0, `${needle} occurs once`);
  return [i, i + needle.length];
}

const rangeOf = (d: Diagnostic): [number, number] => [d.loc.range.start.offset, d.loc.range.end.offset];

test('matching checkpoint and text table (sidc make-tiny) check clean, also with a folder for data.text', () => {
  for (const text of ['flux', 'flux/text.safetensors']) {
    const r = recipe({ ck: 'flux', text });
    const res = compileFile(r.path, { files: true, lower: false });
    assert.deepEqual(
      res.diagnostics.filter((d) => d.severity !== 'info').map((d) => `${d.code} ${d.message}`),
      [],
    );
  }
});

test('a text table of the wrong width: SID3028 at precomputed(...), naming both widths, with a note at the checkpoint', () => {
  const r = recipe({ ck: 'flux', text: 'narrow.safetensors' });
  const ds = fileDiags(compileFile(r.path, { files: true, lower: false }).diagnostics);
  assert.deepEqual(
    ds.map((d) => d.code),
    ['SID3028'],
  );
  const d = ds[0]!;
  assert.equal(d.severity, 'error');
  assert.deepEqual(rangeOf(d), span(r.text, 'precomputed("narrow.safetensors")'));
  assert.match(
    d.message,
    /narrow\.safetensors do not fit the teacher: prompt_embeds are 48 wide but the flux teacher \(\S+flux\/transformer\/config\.json\) takes 64 \(joint_attention_dim\)/,
  );
  assert.match(d.help!, /encode the prompts with this teacher's text encoders/);
  assert.deepEqual(rangeOf({ ...d, loc: d.related![0]!.loc }), span(r.text, '"flux"'));
});

test('without a checkpoint the widths come from the registry config (teacher.config)', () => {
  const r = recipe({ text: 'narrow.safetensors' });
  const ds = fileDiags(compileFile(r.path, { files: true, lower: false }).diagnostics);
  assert.deepEqual(
    ds.map((d) => d.code),
    ['SID3028'],
  );
  assert.match(ds[0]!.message, /48 wide but the flux teacher \(registry config flux_tiny\) takes 64/);
  assert.match(ds[0]!.help!, /or set teacher.checkpoint to the checkpoint these encodings were made for/);
  assert.deepEqual(rangeOf({ ...ds[0]!, loc: ds[0]!.related![0]!.loc }), span(r.text, '"flux_tiny"'));
});

test('a SANA table (no pooled embedding) for a FLUX teacher: SID3028 names the missing pooled_prompt_embeds', () => {
  writeTinyFamilyTeacher('sana', join(dir, 'sana'), { seed: 4 });
  const r = recipe({ ck: 'flux', text: 'sana' });
  const ds = fileDiags(compileFile(r.path, { files: true, lower: false }).diagnostics);
  assert.deepEqual(
    ds.map((d) => d.code),
    ['SID3028'],
  );
  assert.match(ds[0]!.message, /it has no pooled_prompt_embeds but the flux teacher \(\S+\) takes \[N, 32\] \(pooled_projection_dim\)/);
});

test('a checkpoint of another family: SID3026 at the checkpoint value; widths are not compared with an unusable checkpoint', () => {
  const r = recipe({ ck: 'sd3', text: 'narrow.safetensors' });
  const ds = fileDiags(compileFile(r.path, { files: true, lower: false }).diagnostics);
  assert.deepEqual(
    ds.map((d) => d.code),
    ['SID3026'],
  );
  assert.deepEqual(rangeOf(ds[0]!), span(r.text, '"sd3"'));
  assert.match(
    ds[0]!.message,
    /teacher\.checkpoint holds a sd3 teacher \(SD3Transformer2DModel, \S+sd3\/transformer\/config\.json\) but the recipe's teacher is flux/,
  );
  assert.match(ds[0]!.help!, /write `teacher sd3 \{ \.\.\. \}`/);
});

test('missing files: SID3025 warnings with the resolved path, at each value', () => {
  // (a named checkpoint that is missing leaves the teacher's widths unknown: only its own warning for it)
  const r = recipe({ ck: 'nope', text: 'cache/none', vae: 'no-vae' });
  const res = compileFile(r.path, { files: true, lower: false });
  const ds = fileDiags(res.diagnostics);
  assert.deepEqual(
    ds.map((d) => [d.code, d.severity]),
    [
      ['SID3025', 'warning'],
      ['SID3025', 'warning'],
      ['SID3025', 'warning'],
    ],
  );
  assert.ok(res.ok, 'a missing file is a warning: the paper recipes name checkpoints downloaded later');
  // relative paths that exist nowhere resolve from the current directory, as the runtime's recipePath
  assert.equal(ds[0]!.message, `\`teacher.checkpoint\` names ${join(process.cwd(), 'nope')}, which does not exist`);
  assert.deepEqual(rangeOf(ds[0]!), span(r.text, '"nope"'));
  assert.deepEqual(rangeOf(ds[1]!), span(r.text, '"no-vae"'));
  assert.equal(ds[2]!.message, `\`data.text\` names ${join(process.cwd(), 'cache/none')}, which does not exist`);
  assert.deepEqual(rangeOf(ds[2]!), span(r.text, 'precomputed("cache/none")'));
  assert.match(ds[0]!.help!, /sidc make-tiny flux DIR/);
});

test('a table without the empty prompt: SID3029; a VAE of other latent channels: SID3030', () => {
  const r = recipe({ ck: 'flux', text: 'no-null.safetensors', vae: 'vae8' });
  const ds = fileDiags(compileFile(r.path, { files: true, lower: false }).diagnostics);
  assert.deepEqual(
    ds.map((d) => d.code),
    ['SID3030', 'SID3029'],
  );
  assert.match(ds[0]!.message, /latent_channels 8 but the teacher \(\S+config\.json\) works on 4-channel latents/);
  assert.deepEqual(rangeOf(ds[0]!), span(r.text, '"vae8"'));
  assert.match(ds[1]!.message, /the empty prompt "" is not one of its rows/);
  assert.match(ds[1]!.help!, /null condition of classifier-free guidance/);
});

test('a dit teacher pointed at a safetensors file without a DiT config, or at a diffusers folder', () => {
  const a = recipe({ family: 'dit', ck: 'not-dit.safetensors' });
  const da = fileDiags(compileFile(a.path, { files: true, lower: false }).diagnostics);
  assert.deepEqual(
    da.map((d) => d.code),
    ['SID3027'],
  );
  assert.match(da[0]!.message, /cannot be loaded as a dit teacher: its safetensors metadata has no DiT "config"/);
  const b = recipe({ family: 'dit', ck: 'flux' });
  const db = fileDiags(compileFile(b.path, { files: true, lower: false }).diagnostics);
  assert.deepEqual(
    db.map((d) => d.code),
    ['SID3026'],
  );
});

test('the language server path (no files flag, with or without its cache) reports none of these', () => {
  const r = recipe({ text: 'narrow.safetensors', vae: 'no-vae' });
  assert.equal(fileDiags(compileFile(r.path, { files: true, lower: false }).diagnostics).length, 2);
  assert.deepEqual(fileDiags(compileSource(r.text, r.path).diagnostics), []);
  const cache = new CheckCache();
  for (let i = 0; i < 2; i++) assert.deepEqual(fileDiags(compileSource(r.text, r.path, { cache }).diagnostics), []);
  // a compile with files and the cache reads the disk every time (nothing stored under the recipe's text)
  for (let i = 0; i < 2; i++) assert.equal(fileDiags(compileSource(r.text, r.path, { cache, files: true }).diagnostics).length, 2);
});

test('sidc check, compile and plan set the flag: the mismatch is an error, exit 1', async () => {
  const r = recipe({ ck: 'flux', text: 'narrow.safetensors' });
  for (const cmd of ['check', 'compile', 'plan']) {
    let err = '';
    const code = await main([cmd, r.path], { stdout: () => {}, stderr: (t) => void (err += t), isTTY: false });
    assert.equal(code, 1, `${cmd}: ${err}`);
    assert.match(err, /error SID3028: the text encodings \S+narrow\.safetensors do not fit the teacher/, cmd);
  }
});

test("a truncated text table: SID3029 with the shared header reader's detail (common/safetensors-header.ts), the path said once", () => {
  // a valid table cut short: the header still parses, but its tensors no longer fit the data section
  const whole = readFileSync(join(dir, 'narrow.safetensors'));
  writeFileSync(join(dir, 'cut.safetensors'), whole.subarray(0, whole.length - 4));
  const r = recipe({ ck: 'flux', text: 'cut.safetensors' });
  const ds = fileDiags(compileFile(r.path, { files: true, lower: false }).diagnostics);
  assert.deepEqual(
    ds.map((d) => d.code),
    ['SID3029'],
  );
  assert.match(
    ds[0]!.message,
    /not a safetensors file \(file is truncated: the header describes \d+ bytes of tensor data but only \d+ bytes follow the header/,
  );
  assert.equal(ds[0]!.message.split('cut.safetensors').length - 1, 1, ds[0]!.message);
});

test('data.text = encoder: SID3037 at `encoder` lists the encoder folders the checkpoint lacks; a missing prompt file is SID3025', () => {
  const r = recipe({ ck: 'flux', encoder: true });
  const ds = compileFile(r.path, { files: true, lower: false }).diagnostics.filter((d) => ['SID3037', 'SID3025'].includes(d.code));
  assert.deepEqual(ds.map((d) => `${d.code} ${d.severity}`).sort(), ['SID3025 warning', 'SID3037 error']);
  const missing = ds.find((d) => d.code === 'SID3037')!;
  assert.match(missing.message, /runs the teacher's text encoders, but \S+flux has no text_encoder\/, tokenizer\/, text_encoder_2\/, tokenizer_2\//);
  assert.deepEqual(
    rangeOf(missing),
    span(r.text, 'encoder }').map((x, i) => (i === 1 ? x - 2 : x)),
  );
  assert.match(ds.find((d) => d.code === 'SID3025')!.message, /`data.prompts` names \S+prompts\.txt, which does not exist/);
  // with the folders and the prompt file there, nothing is reported
  for (const f of ['text_encoder', 'tokenizer', 'text_encoder_2', 'tokenizer_2']) mkdirSync(join(dir, 'flux', f), { recursive: true });
  writeFileSync(join(dir, 'prompts.txt'), 'a red circle\n');
  const clean = compileFile(recipe({ ck: 'flux', encoder: true }).path, { files: true, lower: false }).diagnostics;
  assert.deepEqual(
    clean.filter((d) => d.severity !== 'info').map((d) => d.code),
    [],
  );
});
