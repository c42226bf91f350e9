// `sidc eval RUN --engine torch` against `sidc eval RUN` (tfjs) on the same tiny DiT run: the same samplers on the
// same draws give the same rows - FID to float32 rounding, alignment equal - for the teacher's Euler rows, the
// student's rows, a named student file, and the .npy files (samples, labels, the held-out reference set); eval-images.json is written the same way.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useWasm } from '../tfjs/nn/setup.js';
import { DIT_TINY28, tinyDitGraph } from '../tfjs/loop/dit-fixture.js';
import { openRunDir } from '../../../runtime/rundir/rundir.js';
import { runGraph } from '../../../runtime/tfjs/loop/runner.js';
import { readNpy } from '../../../runtime/formats/npy.js';
import { sidc } from '../../helpers/cli.js';
import { pythonExeWith } from '../../helpers/python.js';

const py = pythonExeWith('torch', 'numpy');
const skip = py ? false : 'python3 with torch not found';
let run = '';

before(async () => {
  await useWasm();
  const { graph, dir } = tinyDitGraph('  stage sid {}', { config: DIT_TINY28 });
  const paths = openRunDir(join(dir, 'runs'), graph, {});
  assert.ok(runGraph(graph, paths, { io: { stdout: () => {}, stderr: () => {}, isTTY: false } }).completed);
  run = paths.dir;
});

interface Row {
  label: string;
  samples: number;
  fid: number;
  alignment: number;
}
const rowsOf = (file: string): Row[] => (JSON.parse(readFileSync(file, 'utf8')) as { rows: Row[] }).rows;

function assertSameRows(torch: Row[], tfjs: Row[]): void {
  assert.deepEqual(
    torch.map((r) => [r.label, r.samples, r.alignment]),
    tfjs.map((r) => [r.label, r.samples, r.alignment]),
  );
  for (const [i, r] of torch.entries())
    assert.ok(Math.abs(r.fid - tfjs[i]!.fid) <= 1e-3 * tfjs[i]!.fid, `${r.label}: FID ${r.fid} (torch) vs ${tfjs[i]!.fid} (tfjs)`);
}

test('sidc eval --engine torch gives the tfjs rows and samples on the same draws', { skip, timeout: 600_000 }, async () => {
  process.env.SIDC_PYTHON = py!;
  const args = ['eval', run, '--cfg', '2', '--teacher-steps', '1,3', '--student-steps', '1,4', '--per-class', '4', '--seed', '3'];
  const a = await sidc(...args, '--npy', join(run, 'npy-tfjs'));
  assert.equal(a.code, 0, a.err);
  const tfjs = rowsOf(join(run, 'eval-images.json'));
  const b = await sidc(...args, '--npy', join(run, 'npy-torch'), '--engine', 'torch');
  assert.equal(b.code, 0, b.err);
  const torch = rowsOf(join(run, 'eval-images.json'));
  assert.deepEqual(
    torch.map((r) => r.label),
    ['teacher-euler-1', 'teacher-euler-3', 'student-1', 'student-4'],
  );
  assertSameRows(torch, tfjs);
  for (const name of ['teacher-euler-3', 'student-4', 'labels', 'real-heldout', 'real-heldout-labels']) {
    const [x, y] = [readNpy(join(run, 'npy-torch', `${name}.npy`)), readNpy(join(run, 'npy-tfjs', `${name}.npy`))];
    assert.deepEqual(x.shape, y.shape);
    let worst = 0;
    for (let i = 0; i < x.data.length; i++) worst = Math.max(worst, Math.abs(Number(x.data[i]) - Number(y.data[i])));
    assert.ok(worst < 1e-4, `${name}: samples differ by up to ${worst}`);
  }
  // a named student (here the run's own file): printed only, on both engines the same
  const student = join(run, 'student.safetensors');
  const c = await sidc('eval', run, '--student-only', '--student', student, '--per-class', '3', '--engine', 'torch');
  const d = await sidc('eval', run, '--student-only', '--student', student, '--per-class', '3');
  assert.equal(c.code, 0, c.err);
  const table = (s: string) => s.split('\n').filter((l) => l.startsWith('| student'));
  assert.deepEqual(
    table(c.out).map((l) => l.split('|').slice(1, 7).join('|')),
    table(d.out).map((l) => l.split('|').slice(1, 7).join('|')),
  );
});

test('sidc eval --engine torch refuses the tfjs-only options with one line', { skip }, async () => {
  const r = await sidc('eval', run, '--engine', 'torch', '--teacher', join(run, 'student.safetensors'));
  assert.equal(r.code, 2);
  assert.match(r.err, /--teacher is a tfjs-engine option/);
  const e = await sidc('eval', run, '--engine', 'jax');
  assert.match(e.err, /unknown --engine 'jax'/);
});
