// `sidc run --engine torch` end to end on examples/mnist-sid.sid (the MNIST DiT teacher) at batch 2 for
// 2 images: the student is written, loads in the tfjs engine, has moved away from the teacher, and gives a
// finite velocity; `sidc eval` and `sidc sample` work on the torch run as on a tfjs one.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useWasm } from '../tfjs/nn/setup.js';
import { repoPath } from '../../helpers/paths.js';
import { sidc } from '../../helpers/cli.js';
import { scratchDir } from '../formats/tmp.js';
import { readSafetensors } from '../../../runtime/formats/safetensors.js';
import { finiteVelocity, maxWeightChange, runDirOf, sidcRunOnTorch, skip } from './image-run-helpers.js';
import { loadDitFile } from '../../../runtime/tfjs/loop/dit-net.js';
import { readNpy } from '../../../runtime/formats/npy.js';

before(() => useWasm());

test('sidc run --engine torch runs examples/mnist-sid.sid (DiT teacher); the student loads in tfjs; sidc eval and sample read the run', { skip }, async () => {
  const dir = scratchDir('torch-dit-run');
  const runs = join(dir, 'runs');
  const r = await sidcRunOnTorch(repoPath('examples', 'mnist-sid.sid'), runs, [
    'batch.global=2',
    'batch.per_device=2',
    'train.length=2 images',
    'train.checkpoint_every=2 images',
    'train.sample_every=2 images',
    'train.log_every=2 images',
  ]);
  assert.equal(r.code, 0, r.err);
  const run = runDirOf(runs);
  assert.ok(existsSync(join(run, 'student.safetensors')));
  const student = loadDitFile(join(run, 'student.safetensors'), { trainable: false });
  const teacher = loadDitFile(repoPath('examples', 'teachers', 'dit-mnist.safetensors'), { captions: student.opts.captions, trainable: false });
  assert.ok(maxWeightChange(teacher, readSafetensors(join(run, 'student.safetensors')).tensors) > 0, 'the student equals the teacher');
  assert.ok(finiteVelocity(student, student.dim));
  student.dispose();
  teacher.dispose();
  // the tfjs engine's evaluation and sampling read the torch run directory unchanged
  const ev = await sidc('eval', run, '--teacher-steps', '2', '--student-steps', '1,4', '--per-class', '2');
  assert.equal(ev.code, 0, ev.err);
  const rows = (
    JSON.parse(readFileSync(join(run, 'eval-images.json'), 'utf8')) as { rows: { label: string; samples: number; fid: number; alignment: number }[] }
  ).rows;
  assert.deepEqual(
    rows.map((r) => [r.label, r.samples]),
    [
      ['teacher-euler-2', 20],
      ['student-1', 20],
      ['student-4', 20],
    ],
  );
  for (const r of rows) assert.ok(r.fid > 0 && Number.isFinite(r.fid) && r.alignment >= 0 && r.alignment <= 1, JSON.stringify(r));
  const out = join(dir, 'x.npy');
  const sa = await sidc('sample', run, '--n', '10', '--steps', '4', '-o', out);
  assert.equal(sa.code, 0, sa.err);
  assert.deepEqual(readNpy(out).shape, [10, 1, 28, 28]);
  assert.deepEqual(Array.from(readNpy(join(dir, 'x.labels.npy')).data).map(Number), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});
