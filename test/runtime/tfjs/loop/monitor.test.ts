// The monitor on a mixture run (examples/gmm.sid's MLP teacher, tiny and short): one event per interval in
// metrics.jsonl, snapshots kept by rule (best = the best event, last = the final student), training itself
// unchanged by scoring, a kill and resume ending with the same events and snapshots, RUN@<name> addressing.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileFile } from '../../../../compiler/api.js';
import { UserError } from '../../../../common/errors.js';
import type { ExecutionGraph } from '../../../../compiler/graph/types.js';
import { readSafetensors } from '../../../../runtime/formats/safetensors.js';
import { readMonitorEvents, type MonitorEvent } from '../../../../runtime/tfjs/loop/monitor.js';
import { openRunDir, type RunPaths } from '../../../../runtime/rundir/rundir.js';
import { runGraph } from '../../../../runtime/tfjs/loop/runner.js';
import { readSnapshotRecords, resolveRunRef, snapshotFile } from '../../../../runtime/tfjs/loop/snapshots.js';
import { repoPath } from '../../../helpers/paths.js';
import { useWasm } from '../nn/setup.js';
import { sidc } from '../../../helpers/cli.js';
import { readNpy } from '../../../../runtime/formats/npy.js';
import { GMM_MONITOR, GMM_TINY } from '../../fixtures/monitor-settings.js';

const TINY = GMM_TINY;
const MONITOR = GMM_MONITOR;

function graphOf(set: string[]): ExecutionGraph {
  const r = compileFile(repoPath('examples', 'gmm.sid'), { set });
  assert.ok(r.ok, r.diagnostics.map((d) => d.message).join('\n'));
  return r.graphs[0]!;
}

const quiet = { stdout: () => {}, stderr: () => {}, isTTY: false };
const root = mkdtempSync(join(tmpdir(), 'sidc-monitor-'));
function run(graph: ExecutionGraph, name: string, stopAfterIterations?: number): { paths: RunPaths; completed: boolean } {
  const paths = openRunDir(join(root, name), graph, {});
  const res = runGraph(graph, paths, { io: quiet, plots: false, ...(stopAfterIterations ? { stopAfterIterations } : {}) });
  return { paths, completed: res.completed };
}
const tensors = (p: string) => Object.fromEntries(Object.entries(readSafetensors(p).tensors).map(([k, t]) => [k, Array.from(t.data)]));
const withoutTime = (es: MonitorEvent[]) => es.map(({ seconds: _s, ...e }) => e);

let full: RunPaths;
before(async () => {
  await useWasm();
  full = run(graphOf([...TINY, ...MONITOR]), 'full').paths;
});

test('monitor: an event per 256 images, best snapshots are the best events, last is the final student', () => {
  const events = readMonitorEvents(full.metrics);
  assert.deepEqual(
    events.map((e) => [e.stage, e.images]),
    [
      ['sid', 256],
      ['sid', 512],
      ['sid', 768],
    ],
  );
  for (const e of events) assert.deepEqual(Object.keys(e.metrics), ['energy', 'sliced_w1', 'coverage', 'precision']);
  const recs = new Map(readSnapshotRecords(full.dir).map((r) => [r.name, r]));
  assert.deepEqual([...recs.keys()].sort(), ['best-coverage', 'best-energy', 'last']);
  const minEnergy = Math.min(...events.map((e) => e.metrics.energy!));
  assert.equal(recs.get('best-energy')!.metrics.energy, minEnergy);
  // the first event reaching the best is kept (later ties do not replace it)
  assert.equal(recs.get('best-energy')!.images, events.find((e) => e.metrics.energy === minEnergy)!.images);
  const maxCov = Math.max(...events.map((e) => e.metrics.coverage!));
  assert.equal(recs.get('best-coverage')!.images, events.find((e) => e.metrics.coverage === maxCov)!.images);
  assert.equal(recs.get('last')!.images, 768);
  assert.deepEqual(tensors(snapshotFile(full.dir, 'last')), tensors(full.student), 'last = the final generator');
  const meta = readSafetensors(snapshotFile(full.dir, 'best-energy')).metadata;
  assert.deepEqual(JSON.parse(meta.snapshot!), recs.get('best-energy'));
});

test('monitor: scoring draws from its own generators, so the trained student is the same as without it', () => {
  const plain = run(graphOf(TINY), 'plain').paths;
  assert.deepEqual(tensors(plain.student), tensors(full.student));
  assert.equal(readMonitorEvents(plain.metrics).length, 0);
  assert.ok(!existsSync(join(plain.dir, 'snapshots')));
});

test('monitor: killed before and after a checkpoint, resumed: the same events, snapshots and best values', () => {
  const g = graphOf([...TINY, ...MONITOR]);
  // teach takes 5 iterations; the 6th is sid's first: its event and snapshots are written, no checkpoint yet
  assert.equal(run(g, 'killed', 6).completed, false);
  // from scratch (no checkpoint): two more iterations, the checkpoint at 512 images holds the best-so-far
  const { paths, completed } = run(g, 'killed', 2);
  assert.equal(completed, false);
  const state = JSON.parse(readSafetensors(paths.checkpoint).metadata.state!) as { images: number; monitor: { best: Record<string, number> } };
  assert.equal(state.images, 512);
  const early = readMonitorEvents(paths.metrics);
  assert.deepEqual(
    early.map((e) => e.images),
    [256, 512],
  );
  assert.equal(state.monitor.best.energy, Math.min(...early.map((e) => e.metrics.energy!)));
  assert.equal(run(g, 'killed').completed, true);
  assert.deepEqual(withoutTime(readMonitorEvents(paths.metrics)), withoutTime(readMonitorEvents(full.metrics)));
  assert.deepEqual(readSnapshotRecords(paths.dir), readSnapshotRecords(full.dir));
  for (const name of ['best-energy', 'best-coverage', 'last'])
    assert.deepEqual(tensors(snapshotFile(paths.dir, name)), tensors(snapshotFile(full.dir, name)), name);
});

test('RUN@<snapshot> names a kept snapshot; a wrong name lists the available ones', () => {
  assert.equal(resolveRunRef(`${full.dir}@best-energy`).student, snapshotFile(full.dir, 'best-energy'));
  assert.deepEqual(resolveRunRef(full.dir), { dir: full.dir, snapshot: null, student: full.student });
  assert.throws(
    () => resolveRunRef(`${full.dir}@best-fid`),
    (e: Error) =>
      e instanceof UserError &&
      e.message.includes("no snapshot 'best-fid'") &&
      e.message.includes(`available: ${full.dir}@best-coverage, ${full.dir}@best-energy, ${full.dir}@last`),
  );
  assert.throws(() => resolveRunRef(join(root, 'nope@last')), /no such run directory/);
  assert.ok(readFileSync(full.metrics, 'utf8').includes('"event":"monitor"'));
});

test('sidc sample RUN@best-energy draws from the snapshot; RUN@best-fid is a one-line usage error (exit 2)', async () => {
  const out = join(root, 'x.npy');
  const ok = await sidc('sample', `${full.dir}@best-energy`, '--n', '50', '-o', out);
  assert.equal(ok.code, 0, ok.err);
  assert.deepEqual(readNpy(out).shape, [50, 2]);
  const bad = await sidc('sample', `${full.dir}@best-fid`, '-o', out);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /has no snapshot 'best-fid'; available: .*@best-coverage, .*@best-energy, .*@last\n$/);
  assert.ok(!bad.err.includes('    at '), 'no stack trace');
});
