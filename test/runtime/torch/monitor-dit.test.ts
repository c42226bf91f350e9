// The monitor on the torch engine, image run (examples/mnist-sid.sid at batch 2 for 4 images, 20 eval
// samples, through `sidc run --engine torch`): an event per 2 images, best / last snapshots, the curves drawn
// by the launcher; the FID / alignment logged for a kept snapshot are what the tfjs engine's `sidc eval
// RUN@<name> --student-only --seed 1 --per-class 2` measures on that file; `sidc sample RUN@best-fid` works.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadClassifier } from '../../../runtime/scoring/classifier.js';
import { loadMnist } from '../../../runtime/data/mnist.js';
import { evaluateImageRun, readGraph } from '../../../runtime/tfjs/evaluation/image.js';
import { MONITOR_SEED, readMonitorEvents } from '../../../runtime/tfjs/loop/monitor.js';
import { readSnapshotRecords, resolveRunRef } from '../../../runtime/tfjs/loop/snapshots.js';
import { readNpy } from '../../../runtime/formats/npy.js';
import { useWasm } from '../tfjs/nn/setup.js';
import { repoPath } from '../../helpers/paths.js';
import { sidc } from '../../helpers/cli.js';
import { scratchDir } from '../formats/tmp.js';
import { DIT_TINY } from '../fixtures/monitor-settings.js';
import { runDirOf, skip } from './image-run-helpers.js';

const dir = scratchDir('torch-monitor-dit');
let run = '';

before(async () => {
  await useWasm();
  if (skip) return;
  const set = [...DIT_TINY, 'monitor.every=2 images', 'monitor.samples=20'];
  const runs = join(dir, 'runs');
  const args = ['run', repoPath('examples', 'mnist-sid.sid'), '--engine', 'torch', '--device', 'cpu', '--runs-dir', runs, '--no-plots'];
  const r = await sidc(...args, ...set.flatMap((s) => ['--set', s]));
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /monitor sid at 2 images: fid \d+\.\d+, alignment \d\.\d+ \(kept best-fid, best-alignment, last\)/);
  run = runDirOf(runs);
});

test('torch monitor, DiT: an event per 2 images, best and last snapshots, the curves drawn by the launcher', { skip }, () => {
  const events = readMonitorEvents(join(run, 'metrics.jsonl'));
  assert.deepEqual(
    events.map((e) => [e.stage, e.images, e.steps, e.samples]),
    [
      ['sid', 2, 4, 20],
      ['sid', 4, 4, 20],
    ],
  );
  const recs = new Map(readSnapshotRecords(run).map((r) => [r.name, r]));
  assert.deepEqual([...recs.keys()].sort(), ['best-alignment', 'best-fid', 'last']);
  assert.equal(recs.get('best-fid')!.metrics.fid, Math.min(...events.map((e) => e.metrics.fid!)));
  assert.equal(recs.get('last')!.images, 4);
  for (const m of ['fid', 'alignment']) assert.ok(existsSync(join(run, `monitor-${m}.png`)), `monitor-${m}.png`);
});

test("torch monitor, DiT: a snapshot's logged FID / alignment are tfjs sidc eval's on that file", { skip }, async () => {
  const graph = readGraph(run);
  const classifier = loadClassifier(repoPath('examples/eval/mnist-classifier.safetensors'));
  const real = loadMnist({ split: 'heldout' });
  for (const name of ['best-fid', 'last']) {
    const rec = readSnapshotRecords(run).find((r) => r.name === name)!;
    const student = resolveRunRef(`${run}@${name}`).student;
    const opts = { teacherSteps: [], studentSteps: [rec.steps], cfg: 4.5, perClass: 2, seed: MONITOR_SEED, classifier, real, student };
    const row = evaluateImageRun(run, graph, opts)[0]!;
    assert.equal(row.samples, 20);
    assert.ok(Number.isFinite(rec.metrics.fid!) && rec.metrics.fid! > 0);
    // two engines generate from the same file and noise: fp32 rounding apart
    assert.ok(Math.abs(row.fid - rec.metrics.fid!) <= 1e-5 * rec.metrics.fid!, `${name}: tfjs eval ${row.fid} vs torch monitor ${rec.metrics.fid}`);
    assert.equal(row.alignment, rec.metrics.alignment, name);
  }
  const rec = readSnapshotRecords(run).find((r) => r.name === 'best-fid')!;
  const cli = await sidc('eval', `${run}@best-fid`, '--student-only', '--seed', '1', '--per-class', '2', '--student-steps', String(rec.steps));
  assert.equal(cli.code, 0, cli.err);
  const cells = cli.out
    .split('\n')
    .find((l) => l.startsWith('| student |'))!
    .split('|')
    .map((c) => c.trim());
  assert.ok(Math.abs(Number(cells[5]) - rec.metrics.fid!) <= 0.0051, `printed FID ${cells[5]} vs ${rec.metrics.fid}`);
  assert.equal(Number(cells[6]), Number(rec.metrics.alignment!.toFixed(3)));
});

test('sidc sample RUN@best-fid draws from a torch snapshot', { skip }, async () => {
  const out = join(dir, 'best.npy');
  const r = await sidc('sample', `${run}@best-fid`, '--n', '20', '-o', out);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(readNpy(out).shape, [20, 1, 28, 28]);
  assert.ok(readNpy(out).data.every((v) => Number.isFinite(Number(v))));
});
