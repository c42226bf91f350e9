// sidc export RUN -o OUT: a tiny FLUX run's student as a diffusers model folder - the teacher's config.json,
// every teacher tensor in the index's weight map, the student's weights in bf16 - and the refusals (an existing
// OUT, a toy run, no student yet, an unknown snapshot), each one line with exit 2 and nothing written.
// (That diffusers' from_pretrained loads such a folder is scripts/reference/diffusers_check.py's job: diffusers
// is not installed here.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sidc } from '../helpers/cli.js';
import { repoPath } from '../helpers/paths.js';
import { scratchDir } from '../runtime/formats/tmp.js';
import { readSafetensors } from '../../runtime/formats/safetensors.js';
import { writeTinyFamilyTeacher } from '../../runtime/tfjs/families/tiny-teacher.js';
import { runDirOf, sidcRunOnTorch, skip } from '../runtime/torch/image-run-helpers.js';

const bf16 = (x: number): number => {
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer);
  u[0] = (u[0]! + 0x7fff + ((u[0]! >> 16) & 1)) & 0xffff0000; // round to nearest even, as torch's .to(bfloat16)
  return f[0]!;
};

test('sidc export: a tiny FLUX student as transformer/ (config, index, bf16 shards); refusals in one line', { skip }, async () => {
  const dir = scratchDir('cli-export');
  const t = writeTinyFamilyTeacher('flux', join(dir, 'flux'), { seed: 4 });
  const runs = join(dir, 'runs');
  const fixture = repoPath('test', 'runtime', 'torch', 'fixtures', 'tiny-fp32.sid');
  const r = await sidcRunOnTorch(
    fixture,
    runs,
    [`teacher.checkpoint="${t.root}"`, `data.text=precomputed("${t.root}")`, 'train.length=2 images'],
    ['--recipe', 'flux_tiny_fp32'],
  );
  assert.equal(r.code, 0, r.err);
  const run = runDirOf(runs);
  const out = join(dir, 'student');
  const e = await sidc('export', run, '-o', out);
  assert.equal(e.code, 0, e.err);
  const tdir = join(out, 'transformer');
  assert.deepEqual(JSON.parse(readFileSync(join(tdir, 'config.json'), 'utf8')), JSON.parse(readFileSync(join(t.root, 'transformer', 'config.json'), 'utf8')));
  const index = JSON.parse(readFileSync(join(tdir, 'diffusion_pytorch_model.safetensors.index.json'), 'utf8')) as { weight_map: Record<string, string> };
  const student = readSafetensors(join(run, 'student.safetensors')).tensors;
  assert.deepEqual(Object.keys(index.weight_map).sort(), Object.keys(student).sort(), 'the weight map names every student tensor');
  let worst = 0;
  for (const shard of new Set(Object.values(index.weight_map))) {
    const got = readSafetensors(join(tdir, shard)).tensors;
    for (const [k, v] of Object.entries(got)) {
      assert.equal(v.dtype, 'BF16', k);
      const s = student[k]!.data;
      for (let i = 0; i < s.length; i++) worst = Math.max(worst, Math.abs(v.data[i]! - bf16(s[i]!)));
    }
  }
  assert.equal(worst, 0, 'the shards hold the student rounded to bf16');

  const again = await sidc('export', run, '-o', out);
  assert.equal(again.code, 2);
  assert.match(again.err, /exists; remove it or choose another -o/);
  const snap = await sidc('export', `${run}@best-fid`, '-o', join(dir, 'x'));
  assert.equal(snap.code, 2);
  assert.match(snap.err, /has no snapshot 'best-fid'/);
  const toy = join(dir, 'toy-run'); // a vector run's folder: its graph names the teacher family
  mkdirSync(toy);
  writeFileSync(join(toy, 'graph.json'), JSON.stringify({ config: { teacher: { family: 'mlp' } } }));
  const refused = await sidc('export', toy, '-o', join(dir, 'y'));
  assert.equal(refused.code, 2);
  assert.match(refused.err, /a mlp teacher's student has no diffusers layout/);
  for (const x of [again, snap, refused]) assert.equal(x.err.trim().split('\n').length, 1, x.err);
  assert.ok(!existsSync(join(dir, 'x')) && !existsSync(join(dir, 'y')));
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.includes('.tmp-')),
    [],
    'no half-written folder',
  );
});
