// `sidc sample RUN` on an image (dit) run, through the real CLI entry: images [n, 1, 28, 28] in [-1, 1]
// with the prompt index of each in <out>.labels.npy, balanced prompts (or one with --class), a PNG grid
// with a row per prompt, and the same seed giving the same images; `sidc eval --student-only` on the run.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { useWasm } from '../runtime/tfjs/nn/setup.js';
import { DIT_TINY28, tinyDitGraph } from '../runtime/tfjs/loop/dit-fixture.js';
import { openRunDir } from '../../runtime/rundir/rundir.js';
import { runGraph } from '../../runtime/tfjs/loop/runner.js';
import { readNpy } from '../../runtime/formats/npy.js';
import { readSafetensors, writeSafetensors } from '../../runtime/formats/safetensors.js';
import { readPng } from '../../runtime/plot/png.js';
import { repoPath } from '../helpers/paths.js';
import { sidc } from '../helpers/cli.js';

before(() => useWasm());

test('sidc sample on a dit run: .npy images [n, 1, 28, 28] in [-1, 1], labels, a grid with a row per prompt', async () => {
  const { graph, dir } = tinyDitGraph('  stage sid {}', { config: DIT_TINY28 });
  try {
    const paths = openRunDir(join(dir, 'runs'), graph, {});
    assert.ok(runGraph(graph, paths, { io: { stdout: () => {}, stderr: () => {}, isTTY: false }, plots: false }).completed);
    const out = join(dir, 'x.npy');
    const png = join(dir, 'x.png');
    const r = await sidc('sample', paths.dir, '--n', '25', '--steps', '4', '-o', out, '--png', png);
    assert.equal(r.code, 0, r.err);
    const x = readNpy(out);
    assert.deepEqual(x.shape, [25, 1, 28, 28]);
    assert.equal(x.dtype, 'f4');
    assert.ok([...x.data].every((v) => v >= -1 && v <= 1 && Number.isFinite(v)));
    assert.ok(new Set(x.data).size > 100, 'images are not constant');
    const labels = readNpy(join(dir, 'x.labels.npy'));
    assert.deepEqual(
      [...labels.data],
      Array.from({ length: 25 }, (_, i) => i % 10),
    );
    const all = readPng(png);
    // one prompt: one row, so a much shorter picture of the same width
    const one = join(dir, 'one.png');
    const r3 = await sidc('sample', paths.dir, '--n', '3', '--class', '7', '-o', join(dir, 'seven.npy'), '--png', one);
    assert.equal(r3.code, 0, r3.err);
    assert.deepEqual([...readNpy(join(dir, 'seven.labels.npy')).data], [7, 7, 7]);
    assert.ok(readPng(one).height * 4 < all.height, `10 rows ${all.height} px vs 1 row ${readPng(one).height} px`);
    // same seed, same images: the first 10 of 25 at one step equal a run of 10 (one step draws no fresh noise)
    await sidc('sample', paths.dir, '--n', '25', '--steps', '1', '-o', join(dir, 'a.npy'));
    await sidc('sample', paths.dir, '--n', '10', '--steps', '1', '-o', join(dir, 'b.npy'));
    assert.deepEqual(readNpy(join(dir, 'a.npy')).data.subarray(0, 10 * 784), readNpy(join(dir, 'b.npy')).data);
    // a run stopped part-way (no student.safetensors yet) is sampled from G of its checkpoint, as sidc eval does
    const longer = tinyDitGraph('  stage sid {}', { config: DIT_TINY28, set: ['train.length=8 images'] });
    const partial = openRunDir(join(longer.dir, 'runs'), longer.graph, {});
    const stopAt = (st: { images: number }): void => {
      if (st.images >= 6) throw new Error('stopped');
    };
    assert.throws(
      () => runGraph(longer.graph, partial, { io: { stdout: () => {}, stderr: () => {}, isTTY: false }, plots: false, onIteration: stopAt }),
      /stopped/,
    );
    assert.ok(!existsSync(partial.student) && existsSync(partial.checkpoint));
    const fromCk = await sidc('sample', partial.dir, '--n', '10', '--steps', '1', '-o', join(dir, 'c.npy'));
    assert.equal(fromCk.code, 0, fromCk.err);
    assert.match(fromCk.out, /checkpoint\.safetensors \(G\)/);
    assert.deepEqual(readNpy(join(dir, 'c.npy')).shape, [10, 1, 28, 28]);
    rmSync(longer.dir, { recursive: true, force: true });
    const bad = await sidc('sample', paths.dir, '--class', '11');
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--class 11: prompts are 0\.\.9/);
    assert.ok(!existsSync(join(dir, 'samples.npy')));
    // sidc eval --student-only: student rows only, sampling and scoring seconds apart
    const ev = await sidc('eval', paths.dir, '--student-only', '--per-class', '3', '--classifier', repoPath('examples/eval/mnist-classifier.safetensors'));
    assert.equal(ev.code, 0, ev.err);
    const table = JSON.parse(readFileSync(join(paths.dir, 'eval-images.json'), 'utf8')) as { rows: { label: string; samples: number; scoreSeconds: number }[] };
    assert.deepEqual(
      table.rows.map((r) => r.label),
      ['student-1', 'student-4'],
    );
    assert.ok(table.rows.every((r) => r.samples === 30 && r.scoreSeconds >= 0));
    assert.match(ev.out, /sampling s \| scoring s/);
    // --student FILE scores another student with this run's teacher and leaves the run's eval files alone:
    // the run's own student under another name gives the very same table
    const before = readFileSync(join(paths.dir, 'eval-images.json'), 'utf8');
    const copy = join(dir, 'other-student.safetensors');
    copyFileSync(paths.student, copy);
    const ev2 = await sidc(
      'eval',
      paths.dir,
      '--student-only',
      '--per-class',
      '3',
      '--student',
      copy,
      '--classifier',
      repoPath('examples/eval/mnist-classifier.safetensors'),
    );
    assert.equal(ev2.code, 0, ev2.err);
    assert.equal(readFileSync(join(paths.dir, 'eval-images.json'), 'utf8'), before);
    const fids = (s: string): string[] =>
      s
        .split('\n')
        .filter((l) => l.startsWith('| student'))
        .map((l) => l.split('|')[5]!.trim());
    assert.deepEqual(fids(ev2.out), fids(ev.out));
    assert.match(ev2.out, /other-student\.safetensors \(with /);
    // a checkpoint as --student is scored by its G: the student's weights stored as a checkpoint's net/G/
    // give the very same table
    const ck = join(dir, 'copied-checkpoint.safetensors');
    const st = readSafetensors(paths.student);
    writeSafetensors(
      ck,
      Object.fromEntries(Object.entries(st.tensors).map(([k, t]) => [`net/G/${k}`, { dtype: 'F32' as const, shape: t.shape, data: t.data }])),
      { format: 'sidc.checkpoint', state: '{}' },
    );
    const ev3 = await sidc(
      'eval',
      paths.dir,
      '--student-only',
      '--per-class',
      '3',
      '--student',
      ck,
      '--classifier',
      repoPath('examples/eval/mnist-classifier.safetensors'),
    );
    assert.equal(ev3.code, 0, ev3.err);
    assert.deepEqual(fids(ev3.out), fids(ev.out));
    // a file that is not a DiT: a one-line error naming it, exit 2
    const notDit = await sidc('eval', paths.dir, '--student-only', '--student', repoPath('examples/eval/mnist-classifier.safetensors'));
    assert.equal(notDit.code, 2);
    assert.match(notDit.err, /mnist-classifier\.safetensors: no DiT config/);
    assert.doesNotMatch(notDit.err, /\n\s+at /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
