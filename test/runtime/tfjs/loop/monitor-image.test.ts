// The monitor on an image run with the shipped DiT teacher (examples/mnist-sid.sid at 4 images, 20 eval
// samples): the FID / alignment it logs for a kept snapshot are what `sidc eval RUN@<name> --student-only
// --seed 1 --per-class 2` measures on that file; and psi's prompt dropout at p = 1 hands psi only the
// null condition (the empty caption, row K).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileFile } from '../../../../compiler/api.js';
import type { ExecutionGraph } from '../../../../compiler/graph/types.js';
import { loadClassifier } from '../../../../runtime/scoring/classifier.js';
import { loadMnist } from '../../../../runtime/data/mnist.js';
import { execNode, type Env } from '../../../../runtime/tfjs/loop/ops.js';
import { disposeStage, prepareStage } from '../../../../runtime/tfjs/loop/stage.js';
import { evaluateImageRun } from '../../../../runtime/tfjs/evaluation/image.js';
import { MONITOR_SEED, readMonitorEvents } from '../../../../runtime/tfjs/loop/monitor.js';
import { openRunDir } from '../../../../runtime/rundir/rundir.js';
import { runGraph } from '../../../../runtime/tfjs/loop/runner.js';
import { readSnapshotRecords, resolveRunRef } from '../../../../runtime/tfjs/loop/snapshots.js';
import { repoPath } from '../../../helpers/paths.js';
import { useWasm } from '../nn/setup.js';
import { DIT_TINY } from '../../fixtures/monitor-settings.js';

before(() => useWasm());

const TINY = DIT_TINY;

function graphOf(set: string[]): ExecutionGraph {
  const r = compileFile(repoPath('examples', 'mnist-sid.sid'), { set });
  assert.ok(r.ok, r.diagnostics.map((d) => d.message).join('\n'));
  return r.graphs[0]!;
}

test("image monitor: the logged FID / alignment of a snapshot are sidc eval's on that file", () => {
  const graph = graphOf([...TINY, 'monitor.every=2 images', 'monitor.samples=20']);
  const paths = openRunDir(join(mkdtempSync(join(tmpdir(), 'sidc-monitor-img-')), 'runs'), graph, {});
  assert.ok(runGraph(graph, paths, { io: { stdout: () => {}, stderr: () => {}, isTTY: false }, plots: false }).completed);
  const events = readMonitorEvents(paths.metrics);
  assert.deepEqual(
    events.map((e) => e.images),
    [2, 4],
  );
  const recs = new Map(readSnapshotRecords(paths.dir).map((r) => [r.name, r]));
  assert.deepEqual([...recs.keys()].sort(), ['best-alignment', 'best-fid', 'last']);
  assert.equal(recs.get('best-fid')!.metrics.fid, Math.min(...events.map((e) => e.metrics.fid!)));
  for (const name of ['best-fid', 'last']) {
    const rec = recs.get(name)!;
    const rows = evaluateImageRun(paths.dir, graph, {
      teacherSteps: [],
      studentSteps: [rec.steps],
      cfg: 4.5,
      perClass: 2,
      seed: MONITOR_SEED,
      classifier: loadClassifier(repoPath('examples/eval/mnist-classifier.safetensors')),
      real: loadMnist({ split: 'heldout' }),
      student: resolveRunRef(`${paths.dir}@${name}`).student,
    });
    assert.equal(rows[0]!.samples, 20);
    assert.ok(Number.isFinite(rec.metrics.fid!) && rec.metrics.fid! > 0);
    assert.ok(Math.abs(rows[0]!.fid - rec.metrics.fid!) <= 1e-9 * rec.metrics.fid!, `${name}: eval ${rows[0]!.fid} vs monitor ${rec.metrics.fid}`);
    assert.equal(rows[0]!.alignment, rec.metrics.alignment);
  }
});

test('guidance.fake_dropout: p = 1 gives psi only the null condition, p = 0.1 about a tenth of them', () => {
  for (const [p, lo, hi] of [
    [1, 1, 1],
    [0.1, 0.085, 0.115],
  ] as const) {
    const graph = graphOf([...TINY, `guidance.fake_dropout=${p}`]);
    const stage = graph.stages.find((s) => s.name === 'sid')!;
    const st = prepareStage(graph, stage, new Map());
    st.batch = 8000; // one large draw: the dropped fraction is Binomial(8000, p) / 8000 (sd 0.0034 at p = 0.1)
    const fake = stage.phases.find((ph) => ph.name === 'fake')!;
    const env: Env = new Map();
    for (const id of ['fake.condition', 'fake.drop']) execNode(fake.nodes.find((n) => n.id === id)!, env, st, 1);
    const drawn = (env.get('fake.condition.c') as { dataSync(): Int32Array }).dataSync();
    const seen = (env.get('fake.drop.c') as { dataSync(): Int32Array }).dataSync();
    assert.equal(st.classes, 10);
    assert.ok(
      drawn.every((c) => c >= 0 && c < 10),
      'the drawn prompts are digits',
    );
    let nulls = 0;
    for (let i = 0; i < seen.length; i++) {
      if (seen[i] === 10) nulls++;
      else assert.equal(seen[i], drawn[i], 'a kept condition is the drawn one');
    }
    const frac = nulls / seen.length;
    assert.ok(frac >= lo && frac <= hi, `p = ${p}: ${frac} of psi's conditions are null`);
    disposeStage(st);
  }
});
