// The monitor section and psi's prompt dropout (guidance.fake_dropout) in the graph: both absent unless a
// recipe sets them (the shipped examples keep their hashes), dropout 0 is the same graph as none, and the
// drop_condition node feeds psi only.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileFile } from '../../compiler/api.js';
import type { ExecutionGraph } from '../../compiler/graph/types.js';
import { repoPath, repoRoot } from '../helpers/paths.js';

function one(path: string, set: string[] = []): ExecutionGraph {
  const r = compileFile(path, { set });
  assert.ok(r.ok, JSON.stringify(r.diagnostics.map((d) => `${d.code} ${d.message}`)));
  return r.graphs[0]!;
}

const mnist = repoPath('examples', 'mnist-sid.sid');
const gmm = repoPath('examples', 'gmm.sid');

test("guidance.fake_dropout = 0 is today's graph, hash included", () => {
  for (const f of [mnist, gmm]) {
    const today = one(f);
    const zero = one(f, ['guidance.fake_dropout=0']);
    assert.equal(zero.hash, today.hash, f);
    assert.deepEqual(zero, today);
    assert.ok(!JSON.stringify(today).includes('fake_dropout'));
  }
});

test("guidance.fake_dropout = p: a drop_condition node between the fake phase's condition and psi, nothing else", () => {
  const today = one(mnist);
  const g = one(mnist, ['guidance.fake_dropout=0.1']);
  const sid = g.stages.find((s) => s.name === 'sid')!;
  const fake = sid.phases.find((p) => p.name === 'fake')!;
  const drop = fake.nodes.find((n) => n.op === 'drop_condition')!;
  assert.deepEqual(drop.attrs, { p: 0.1 });
  assert.equal(drop.inputs.c, 'fake.condition.c');
  const byId = new Map(fake.nodes.map((n) => [n.id, n]));
  assert.equal(byId.get('fake.v_psi')!.inputs.c, `${drop.id}.c`, 'psi sees the dropped condition');
  assert.equal(byId.get('fake.generate')!.inputs.c, 'fake.condition.c', 'G generates for the drawn prompt');
  // the rest of the fake phase and the whole generator phase are today's
  const todayFake = today.stages.find((s) => s.name === 'sid')!.phases.find((p) => p.name === 'fake')!;
  assert.deepEqual(
    fake.nodes.filter((n) => n !== drop).map((n) => n.id),
    todayFake.nodes.map((n) => n.id),
  );
  assert.deepEqual(sid.phases[1], today.stages.find((s) => s.name === 'sid')!.phases[1]);
});

test("monitor: absent by default; set, its attrs carry the teacher's defaults", () => {
  // file paths (recipe, provenance) without the checkout's folder, whose name may contain "monitor"
  assert.ok(!JSON.stringify(one(mnist)).replaceAll(repoRoot, '<repo>').includes('monitor'));
  const img = one(mnist, ['monitor.every=256 images']).stages.find((s) => s.name === 'sid')!;
  assert.deepEqual(img.attrs.monitor, {
    every_images: 256,
    metrics: ['fid', 'alignment'],
    samples: 500,
    steps: 4,
    keep: ['best(fid)', 'best(alignment)', 'last'],
  });
  const vec = one(gmm, ['monitor.every=8k images', 'monitor.keep=[best(energy)]', 'monitor.steps=1']).stages.find((s) => s.name === 'sid')!;
  assert.deepEqual(vec.attrs.monitor, {
    every_images: 8000,
    metrics: ['energy', 'sliced_w1', 'coverage', 'precision'],
    samples: 1000,
    steps: 1,
    keep: ['best(energy)'],
  });
  // only the training stages are monitored
  const all = one(gmm, ['monitor.every=8k images']);
  assert.deepEqual(
    all.stages.filter((s) => s.attrs.monitor).map((s) => s.name),
    ['sid'],
  );
});

test('monitor: check-time errors name the setting and the fix', () => {
  const errs = (set: string[]): string[] =>
    compileFile(gmm, { set })
      .diagnostics.filter((d) => d.severity === 'error')
      .map((d) => `${d.code} ${d.message}`);
  assert.match(
    errs(['monitor.every=8k images', 'monitor.metrics=[fid]']).join('\n'),
    /SID3013 monitor.metrics names fid, which is not measured for a mlp teacher/,
  );
  assert.match(errs(['monitor.every=8k images', 'monitor.steps=5']).join('\n'), /monitor.steps = 5 is more than the 4 steps/);
  assert.match(errs(['monitor.samples=10']).join('\n'), /monitor.samples` has no effect/);
  assert.match(errs(['monitor.every=0 images']).join('\n'), /SID2007 `monitor.every` = 0 is out of range/);
  assert.deepEqual(errs(['monitor.every=8k images', 'monitor.metrics=[energy]', 'monitor.keep=[best(energy), last]']), []);
});
