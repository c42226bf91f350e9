// `data.text = encoder` on the torch engine (nets/families/encoded_text.py): the teacher's own text encoders run in
// the process - before the loop (hardware.text_encoders = streamed), or kept loaded and run per batch (resident,
// cpu). Oracle: the table `sidc encode-prompts` writes for the same prompt file. Row by row (encoded_text_check.py,
// tiny SD3, FLUX and SANA with encoders): streamed rows equal the table's bit for bit, resident / cpu rows within
// 1e-6 of its scale, in any batch order (the null row anywhere). End to end: `sidc run` of a tiny FLUX (embedded
// guidance; encoder(24) against a 24-token table) and SANA (CFG, masked prompts) teacher with the encoders gives the
// student of the precomputed run.
// Bad input (no encoders in the checkpoint, no prompt file, the tfjs engine): one line, exit 2, no run folder.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sidc } from '../../helpers/cli.js';
import { repoPath } from '../../helpers/paths.js';
import { scratchDir } from '../formats/tmp.js';
import { readSafetensors } from '../../../runtime/formats/safetensors.js';
import { writeTinyFamilyTeacher } from '../../../runtime/tfjs/families/tiny-teacher.js';
import { promptsFile, runPython, tinyWithEncoders } from './encoders-helpers.js';
import { runDirOf, sidcRunOnTorch } from './image-run-helpers.js';

const dir = scratchDir('encoded-text');
const fixture = repoPath('test', 'runtime', 'torch', 'fixtures', 'tiny-fp32.sid');
const teachers: Record<string, string> = {};
const tables: Record<string, string> = {};
let prompts = '';

before(async () => {
  prompts = promptsFile(dir);
  for (const family of ['flux', 'sd3', 'sana']) {
    teachers[family] = await tinyWithEncoders(family, join(dir, family));
    const out = join(dir, `${family}-text`);
    const r = await sidc('encode-prompts', teachers[family]!, prompts, '-o', out);
    assert.equal(r.code, 0, r.err);
    tables[family] = join(out, 'text.safetensors');
  }
});

interface Placement {
  type: string;
  same_prompts: boolean;
  null_index: number;
  widths: number[];
  max_diff_seq: number;
  max_diff_mask: number;
  max_diff_pooled: number;
  encoded_twice_asked?: number;
  autocast_diff?: number;
  deepcopy_shares?: boolean;
}

for (const family of ['flux', 'sd3', 'sana']) {
  test(`${family}: the rows encoded in the run are the encode-prompts table's (streamed exactly; resident, cpu per batch)`, () => {
    const out = join(dir, `${family}-check.json`);
    const r = runPython('encoded_text_check.py', [family, teachers[family]!, prompts, tables[family]!, out]);
    assert.equal(r.status, 0, r.stderr);
    const res = JSON.parse(readFileSync(out, 'utf8')) as Record<string, Placement> & { rows: number; scale: number };
    assert.equal(res.rows, 4, 'the empty prompt and the three of the file');
    for (const placement of ['streamed', 'resident', 'cpu']) {
      const p = res[placement]!;
      assert.equal(p.type, placement === 'streamed' ? 'TextTable' : 'EncodedText', placement);
      assert.ok(p.same_prompts && p.null_index === 0, `${placement}: the rows are the table's, the empty prompt first`);
      assert.deepEqual(p.widths, [64, family === 'sana' ? 0 : 32]);
      const tol = placement === 'streamed' ? 0 : 1e-6 * res.scale;
      for (const k of ['seq', 'mask', 'pooled'] as const) assert.ok(p[`max_diff_${k}`] <= tol, `${placement} ${k}: ${p[`max_diff_${k}`]} > ${tol}`);
      if (placement !== 'streamed') {
        assert.equal(p.encoded_twice_asked, 2, `${placement}: a batch asked for twice is encoded once`);
        assert.equal(p.autocast_diff, 0, `${placement}: the training pass's autocast reaches the encoders`);
        assert.ok(p.deepcopy_shares, `${placement}: a copy of the net (psi, G) copies the encoders`);
      }
    }
  });
}

/** A tiny run of `recipe` for 4 images; returns its student's tensors and its stderr. */
async function run(recipe: string, family: string, name: string, sets: string[]) {
  const runs = join(dir, `runs-${name}`);
  const r = await sidcRunOnTorch(fixture, runs, [`teacher.checkpoint="${teachers[family]}"`, 'train.length=4 images', ...sets], ['--recipe', recipe]);
  assert.equal(r.code, 0, r.err);
  return { student: readSafetensors(join(runDirOf(runs), 'student.safetensors')).tensors, log: r.out + r.err };
}

function maxDiff(a: Record<string, { data: Float32Array }>, b: Record<string, { data: Float32Array }>): number {
  let m = 0;
  for (const [k, v] of Object.entries(a)) {
    const w = b[k]!.data;
    for (let i = 0; i < v.data.length; i++) m = Math.max(m, Math.abs(v.data[i]! - w[i]!));
  }
  return m;
}

const encoder = (placement: string, text = 'encoder') => [`data.text=${text}`, `data.prompts="${prompts}"`, `hardware.text_encoders=${placement}`];

test("sidc run, tiny FLUX: the students of data.text = encoder (streamed; resident with encoder(24)) are the precomputed runs'", async () => {
  const table = await run('flux_tiny_fp32', 'flux', 'flux-table', [`data.text=precomputed("${tables.flux}")`]);
  const streamed = await run('flux_tiny_fp32', 'flux', 'flux-streamed', encoder('streamed'));
  assert.match(streamed.log, /text encoders: encoding 4 prompts .* before the loop/);
  assert.equal(maxDiff(table.student, streamed.student), 0, 'streamed: the same table, the same student');
  // encoder(24): 24 T5 tokens, the run of a table written with --max-sequence-length 24
  const short = join(dir, 'flux-text-24');
  const made = await sidc('encode-prompts', teachers.flux!, prompts, '-o', short, '--max-sequence-length', '24');
  assert.equal(made.code, 0, made.err);
  const table24 = await run('flux_tiny_fp32', 'flux', 'flux-table-24', [`data.text=precomputed("${short}")`]);
  const resident = await run('flux_tiny_fp32', 'flux', 'flux-resident', encoder('resident', 'encoder(24)'));
  assert.match(resident.log, /text encoders: kept on cpu \(resident\)/);
  assert.match(resident.log, /T5 encoder, 2 blocks, width 64, 24 tokens/);
  assert.ok(maxDiff(table24.student, resident.student) <= 1e-6, `resident: ${maxDiff(table24.student, resident.student)}`);
  assert.ok(maxDiff(table.student, resident.student) > 0, '24 tokens train another student than 512');
});

test('sidc run, tiny SANA (CFG: the null row beside the prompts in one batch): encoders on the host give the precomputed student', async () => {
  const table = await run('sana_tiny_fp32', 'sana', 'sana-table', [`data.text=precomputed("${tables.sana}")`]);
  const cpu = await run('sana_tiny_fp32', 'sana', 'sana-cpu', encoder('cpu'));
  assert.ok(maxDiff(table.student, cpu.student) <= 1e-6, `cpu: ${maxDiff(table.student, cpu.student)}`);
});

test('data.text = encoder without encoders, without a prompt file, or on the tfjs engine: refused before anything is made', async () => {
  const bare = writeTinyFamilyTeacher('flux', join(dir, 'bare'), { seed: 1 }).root; // transformer only
  const runs = join(dir, 'runs-bad');
  const r1 = await sidcRunOnTorch(fixture, runs, [`teacher.checkpoint="${bare}"`, ...encoder('resident')], ['--recipe', 'flux_tiny_fp32']);
  assert.equal(r1.code, 1, r1.err);
  assert.match(
    r1.err,
    /error SID3037: `data\.text = encoder` runs the teacher's text encoders, but .*bare has no text_encoder\/, tokenizer\/, text_encoder_2\/, tokenizer_2\//,
  );
  assert.match(r1.err, /sidc make-tiny flux DIR --encoders/);
  const noPrompts = ['data.text=encoder', `data.prompts="${join(dir, 'nowhere.txt')}"`];
  const r2 = await sidcRunOnTorch(fixture, runs, [`teacher.checkpoint="${teachers.flux}"`, ...noPrompts], ['--recipe', 'flux_tiny_fp32']);
  assert.equal(r2.code, 1, r2.err);
  assert.match(r2.err, /warning SID3025: `data\.prompts` names .*nowhere\.txt, which does not exist/);
  assert.match(r2.err, /not started, nothing written.*\nMissing:\n {2}- prompt file .*nowhere\.txt \(data\.prompts = /);
  for (const r of [r1, r2]) assert.doesNotMatch(r.err, /Traceback|at .*\.js:\d+/);
  assert.ok(!existsSync(runs) || readdirSync(runs).length === 0, 'a run folder was made');
  const sets = [`teacher.checkpoint="${teachers.flux}"`, 'hardware.engine=tfjs', ...encoder('resident')];
  const check = await sidc('check', fixture, ...sets.flatMap((s) => ['--set', s]));
  assert.notEqual(check.code, 0);
  assert.match(check.out + check.err, /error SID3036: `data\.text = encoder` cannot run on the tfjs engine: the flux teacher's text encoders/);
});
