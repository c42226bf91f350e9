// The monitor on the torch engine, mixture run (examples/gmm.sid tiny and short, as test/runtime/tfjs/loop/monitor.test.ts
// runs it on tfjs): the same events as the tfjs engine's monitor on the same graph (training agrees to fp32
// rounding, so the scores do to ~1e-8), snapshots whose files are the tfjs ones' (record, metadata) and whose
// nets the tfjs scorer scores to the logged values, training unchanged by scoring, and a kill before and
// after a checkpoint then resume ending with the uninterrupted run's events, snapshots and best values.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutionGraph } from '../../../compiler/graph/types.js';
import { readSafetensors } from '../../../runtime/formats/safetensors.js';
import { readMonitorEvents, scoreNet, type MonitorEvent } from '../../../runtime/tfjs/loop/monitor.js';
import { openRunDir, type RunPaths } from '../../../runtime/rundir/rundir.js';
import { readSnapshotRecords, snapshotFile } from '../../../runtime/tfjs/loop/snapshots.js';
import { loadNet } from '../../../runtime/tfjs/loop/checkpoint.js';
import { gmmOf } from '../../../runtime/tfjs/loop/teacher-spec.js';
import { monitorSpec } from '../../../runtime/rundir/monitor-events.js';
import { pythonExeWith } from '../../helpers/python.js';
import { repoPath } from '../../helpers/paths.js';
import { useWasm } from '../tfjs/nn/setup.js';
import { scratchDir } from '../formats/tmp.js';
import { compileGraph, runTfjs, runTorch } from './harness.js';
import { GMM_MONITOR, GMM_TINY } from '../fixtures/monitor-settings.js';

const py = pythonExeWith('torch', 'numpy');
const skip = py ? false : 'python3 with torch not found';
const root = scratchDir('torch-monitor-gmm');

const TINY = GMM_TINY;
const MONITOR = GMM_MONITOR;
const gmm = repoPath('examples', 'gmm.sid');

const dirOf = (name: string, g: ExecutionGraph): RunPaths => openRunDir(join(root, name), g, {});
function torchRun(name: string, g: ExecutionGraph, stopAfter?: number): { paths: RunPaths; code: number | null } {
  const paths = dirOf(name, g);
  const r = runTorch(py!, paths.dir, stopAfter === undefined ? [] : ['--stop-after-iterations', String(stopAfter)]);
  if (stopAfter === undefined) assert.equal(r.status, 0, r.stderr);
  return { paths, code: r.status };
}
const tensors = (p: string) => Object.fromEntries(Object.entries(readSafetensors(p).tensors).map(([k, t]) => [k, Array.from(t.data)]));
const withoutTime = (es: MonitorEvent[]) => es.map(({ seconds: _s, ...e }) => e);
const close = (a: number, b: number, rel: number) => Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b));

let graph: ExecutionGraph;
let torch: RunPaths;
let tfjs: RunPaths;
before(async () => {
  await useWasm();
  if (!py) return;
  graph = compileGraph(gmm, [...TINY, ...MONITOR]);
  torch = torchRun('torch', graph).paths;
  tfjs = dirOf('tfjs', graph);
  assert.ok(runTfjs(graph, tfjs.dir));
});

test("torch monitor: the tfjs engine's events on the same graph; the same snapshot files", { skip }, () => {
  const a = readMonitorEvents(torch.metrics);
  const b = readMonitorEvents(tfjs.metrics);
  assert.deepEqual(
    a.map((e) => [e.stage, e.iteration, e.images, e.steps, e.samples, e.kept]),
    b.map((e) => [e.stage, e.iteration, e.images, e.steps, e.samples, e.kept]),
  );
  assert.deepEqual(
    a.map((e) => e.images),
    [256, 512, 768],
  );
  for (const [i, e] of a.entries()) {
    const f = b[i]!.metrics;
    assert.deepEqual(Object.keys(e.metrics), ['energy', 'sliced_w1', 'coverage', 'precision']);
    for (const m of ['energy', 'sliced_w1']) assert.ok(close(e.metrics[m]!, f[m]!, 1e-6), `${e.images} ${m}: torch ${e.metrics[m]} tfjs ${f[m]}`);
    // counts of samples: one sample's worth apart at most (a sample on a 3-std boundary)
    assert.ok(Math.abs(e.metrics.precision! - f.precision!) <= 1 / 200 + 1e-12, `${e.images} precision`);
    assert.ok(Math.abs(e.metrics.coverage! - f.coverage!) <= 1 / 24 + 1e-12, `${e.images} coverage`);
  }
  const ra = readSnapshotRecords(torch.dir);
  const rb = readSnapshotRecords(tfjs.dir);
  assert.deepEqual(
    ra.map(({ metrics: _m, ...r }) => r),
    rb.map(({ metrics: _m, ...r }) => r),
  );
  for (const r of ra) {
    const file = snapshotFile(torch.dir, r.name);
    const meta = readSafetensors(file).metadata;
    const other = readSafetensors(snapshotFile(tfjs.dir, r.name)).metadata;
    assert.deepEqual(Object.keys(meta).sort(), Object.keys(other).sort(), 'the metadata keys of a tfjs snapshot');
    assert.equal(meta.config, other.config);
    assert.equal(meta.snapshot, JSON.stringify(r), 'the record rides in the metadata, written as JSON.stringify writes it');
    assert.equal(readFileSync(join(torch.dir, 'snapshots', `${r.name}.json`), 'utf8'), `${JSON.stringify(r, null, 2)}\n`);
  }
  assert.deepEqual(tensors(snapshotFile(torch.dir, 'last')), tensors(torch.student), 'last = the final generator');
});

test("torch monitor: the tfjs scorer gives a torch snapshot the torch monitor's values (the same draws and metrics)", { skip }, () => {
  const spec = monitorSpec(graph.stages.find((s) => s.name === 'sid')!)!;
  for (const r of readSnapshotRecords(torch.dir)) {
    const G = loadNet(snapshotFile(torch.dir, r.name));
    const got = scoreNet(G, graph, gmmOf(graph), spec);
    G.dispose();
    for (const m of ['energy', 'sliced_w1']) assert.ok(close(got[m]!, r.metrics[m]!, 1e-7), `${r.name} ${m}: tfjs ${got[m]} torch ${r.metrics[m]}`);
    for (const m of ['coverage', 'precision']) assert.equal(got[m], r.metrics[m], `${r.name} ${m}`);
  }
});

test('torch monitor: scoring draws from its own generators, so the trained student is the same as without it', { skip }, () => {
  const plain = torchRun('plain', compileGraph(gmm, TINY)).paths;
  assert.deepEqual(tensors(plain.student), tensors(torch.student));
  assert.equal(readMonitorEvents(plain.metrics).length, 0);
  assert.ok(!existsSync(join(plain.dir, 'snapshots')));
});

test('torch monitor: killed before and after a checkpoint, resumed: the same events, snapshots and best values', { skip }, () => {
  // teach takes 5 iterations; the 6th is sid's first: its event and snapshots are written, no checkpoint yet
  assert.equal(torchRun('killed', graph, 6).code, 1);
  // from scratch (no checkpoint): two more iterations, the checkpoint at 512 images holds the best-so-far
  const { paths, code } = torchRun('killed', graph, 2);
  assert.equal(code, 1);
  const state = JSON.parse(readSafetensors(paths.checkpoint).metadata.state!) as { images: number; monitor: { best: Record<string, number> } };
  assert.equal(state.images, 512);
  const early = readMonitorEvents(paths.metrics);
  assert.deepEqual(
    early.map((e) => e.images),
    [256, 512],
  );
  assert.equal(state.monitor.best.energy, Math.min(...early.map((e) => e.metrics.energy!)));
  torchRun('killed', graph);
  assert.deepEqual(withoutTime(readMonitorEvents(paths.metrics)), withoutTime(readMonitorEvents(torch.metrics)));
  assert.deepEqual(readSnapshotRecords(paths.dir), readSnapshotRecords(torch.dir));
  for (const name of ['best-energy', 'best-coverage', 'last'])
    assert.deepEqual(tensors(snapshotFile(paths.dir, name)), tensors(snapshotFile(torch.dir, name)), name);
});
