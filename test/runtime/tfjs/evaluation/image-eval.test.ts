// A tiny dit run end to end (runGraph: sample grid, student file) and the eval table over it: one row per
// sampler, FID / alignment finite and in range, .npy samples [n, C, H, W] with the prompted labels.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useWasm } from '../nn/setup.js';
import { DIT_TINY28, tinyDitGraph } from '../loop/dit-fixture.js';
import { repoPath } from '../../../helpers/paths.js';
import { openRunDir } from '../../../../runtime/rundir/rundir.js';
import { runGraph } from '../../../../runtime/tfjs/loop/runner.js';
import { evaluateImageRun, writeImageEval } from '../../../../runtime/tfjs/evaluation/image.js';
import { loadClassifier } from '../../../../runtime/scoring/classifier.js';
import { loadMnist } from '../../../../runtime/data/mnist.js';
import { readNpy } from '../../../../runtime/formats/npy.js';
import { loadDitFile } from '../../../../runtime/tfjs/loop/dit-net.js';

before(() => useWasm());

test('dit run: sample grid and a student file; sidc eval table over it', () => {
  const { graph, dir } = tinyDitGraph('  stage sid {}', { config: DIT_TINY28 });
  const paths = openRunDir(join(dir, 'runs'), graph, {});
  const out: string[] = [];
  const res = runGraph(graph, paths, { io: { stdout: (s) => void out.push(s), stderr: (s) => void out.push(s), isTTY: false } });
  assert.ok(res.completed);
  assert.ok(
    readdirSync(paths.samples).some((f) => f.endsWith('.png')),
    'no sample grid',
  );
  const student = loadDitFile(paths.student, { trainable: false });
  assert.equal(student.nullCondition, 10);
  student.dispose();

  const held = loadMnist({ split: 'heldout' });
  const real = { ...held, images: held.images.subarray(0, 60 * 784), labels: held.labels.subarray(0, 60), captions: held.captions.slice(0, 60) };
  const npyDir = join(dir, 'npy');
  const rows = evaluateImageRun(paths.dir, graph, {
    teacherSteps: [1, 2],
    studentSteps: [1, 4],
    cfg: 4.5,
    perClass: 2,
    seed: 1,
    classifier: loadClassifier(repoPath('examples/eval/mnist-classifier.safetensors')),
    real,
    npyDir,
  });
  assert.deepEqual(
    rows.map((r) => r.label),
    ['teacher-euler-1', 'teacher-euler-2', 'student-1', 'student-4'],
  );
  for (const r of rows) {
    assert.equal(r.samples, 20);
    assert.ok(Number.isFinite(r.fid) && r.fid >= 0, `${r.label} fid ${r.fid}`);
    assert.ok(r.alignment >= 0 && r.alignment <= 1);
    assert.equal(r.cfg, r.sampler === 'teacher' ? 4.5 : null);
    const a = readNpy(join(npyDir, `${r.label}.npy`));
    assert.deepEqual(a.shape, [20, 1, 28, 28]);
  }
  const labels = readNpy(join(npyDir, 'labels.npy'));
  assert.deepEqual(
    Array.from(labels.data),
    Array.from({ length: 20 }, (_, i) => Math.floor(i / 2)),
  );
  const md = writeImageEval(paths.dir, rows, { run: 'tiny' });
  assert.equal(md.split('\n').filter((l) => l.startsWith('| teacher') || l.startsWith('| student')).length, 4);
  assert.ok(existsSync(join(paths.dir, 'eval-images.json')));
  assert.equal((JSON.parse(readFileSync(join(paths.dir, 'eval-images.json'), 'utf8')) as { rows: unknown[] }).rows.length, 4);
});
