// `sidc run --engine torch` end to end on examples/mnist-sid.sid (the MNIST DiT teacher) at batch 2 for
// 2 images: the student is written, loads in the tfjs engine, has moved away from the teacher, and gives a
// finite velocity.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { useWasm } from '../tfjs/nn/setup.js';
import { repoPath } from '../../helpers/paths.js';
import { sidc } from '../../helpers/cli.js';
import { scratchDir } from '../formats/tmp.js';
import { readSafetensors } from '../../../runtime/formats/safetensors.js';
import { finiteVelocity, maxWeightChange, runDirOf, skip } from './image-run-helpers.js';
import { loadDitFile } from '../../../runtime/tfjs/loop/dit-net.js';

before(() => useWasm());

test('sidc run --engine torch runs examples/mnist-sid.sid (DiT teacher); the student loads in the tfjs engine', { skip }, async () => {
  const dir = scratchDir('torch-dit-run');
  const runs = join(dir, 'runs');
  const r = await sidc(
    'run',
    repoPath('examples', 'mnist-sid.sid'),
    '--engine',
    'torch',
    '--device',
    'cpu',
    '--runs-dir',
    runs,
    '--no-plots',
    '--set',
    'batch.global=2',
    '--set',
    'batch.per_device=2',
    '--set',
    'train.length=2 images',
    '--set',
    'train.checkpoint_every=2 images',
    '--set',
    'train.sample_every=2 images',
    '--set',
    'train.log_every=2 images',
  );
  assert.equal(r.code, 0, r.err);
  const run = runDirOf(runs);
  assert.ok(existsSync(join(run, 'student.safetensors')));
  const student = loadDitFile(join(run, 'student.safetensors'), { trainable: false });
  const teacher = loadDitFile(repoPath('examples', 'teachers', 'dit-mnist.safetensors'), { captions: student.opts.captions, trainable: false });
  assert.ok(maxWeightChange(teacher, readSafetensors(join(run, 'student.safetensors')).tensors) > 0, 'the student equals the teacher');
  assert.ok(finiteVelocity(student, student.dim));
  student.dispose();
  teacher.dispose();
});
