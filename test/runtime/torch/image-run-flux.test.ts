// `sidc run --engine torch` end to end on a tiny FLUX teacher (sidc make-tiny; embedded guidance; the recipe
// of fixtures/tiny-fp32.sid for 2 images): metrics and student written; a note that text_encoders = resident runs
// nothing with a precomputed table; the student loads in the tfjs engine (checkpoint names shared), has moved away from the teacher,
// and gives a finite velocity.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useWasm } from '../tfjs/nn/setup.js';
import { repoPath } from '../../helpers/paths.js';
import { scratchDir } from '../formats/tmp.js';
import { readSafetensors } from '../../../runtime/formats/safetensors.js';
import { finiteVelocity, maxWeightChange, runDirOf, sidcRunOnTorch, skip } from './image-run-helpers.js';
import { writeTinyFamilyTeacher } from '../../../runtime/tfjs/families/tiny-teacher.js';
import { loadFamilyTeacher } from '../../../runtime/tfjs/families/teacher.js';

before(() => useWasm());

test('sidc run --engine torch distils a tiny FLUX teacher; the student loads in the tfjs engine', { skip }, async () => {
  const dir = scratchDir('torch-image-run');
  const t = writeTinyFamilyTeacher('flux', join(dir, 'flux'), { seed: 6 });
  const runs = join(dir, 'runs');
  const sets = [`teacher.checkpoint="${t.root}"`, `data.text=precomputed("${t.root}")`, 'train.length=2 images', 'hardware.text_encoders=resident'];
  const r = await sidcRunOnTorch(repoPath('test', 'runtime', 'torch', 'fixtures', 'tiny-fp32.sid'), runs, sets, ['--recipe', 'flux_tiny_fp32']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /hardware\.text_encoders = resident runs no encoder here: data\.text = precomputed/, 'a setting with no effect is named');
  const run = runDirOf(runs);
  assert.ok(readFileSync(join(run, 'metrics.jsonl'), 'utf8').trim().length > 0, 'no metrics');
  const student = readSafetensors(join(run, 'student.safetensors'));
  assert.equal(student.metadata.kind, 'flux');
  const { net, text } = loadFamilyTeacher({ checkpoint: t.root, text: t.text, latent: { height: 4, width: 4 } });
  assert.ok(maxWeightChange(net, student.tensors) > 0, 'the student equals the teacher');
  const back = net.withWeights(student.tensors, false);
  assert.ok(finiteVelocity(back, net.dim));
  back.dispose();
  net.dispose();
  text.dispose();
});
