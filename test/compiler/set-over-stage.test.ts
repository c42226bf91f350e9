// `--set` and sweep points win over a stage block that sets the same key: otherwise a stage that writes
// its own learning rate (or GAN weight, or time interval) would silently ignore the command line / sweep.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileSource } from '../../compiler/api.js';

const RECIPE = `recipe r {
  teacher gmm { dim = 2; classes = 4; modes_per_class = 2 }
  data { text = labels }
  train { length = 1k images }
  stage sid { optimizer.lr = 1e-5 }
}
`;

const lrsOf = (g: unknown): number[] => [...JSON.stringify(g).matchAll(/"lr":([0-9.e-]+)/g)].map((m) => Number(m[1]));

test('a stage block keeps its own value without --set, and --set replaces it', () => {
  const plain = compileSource(RECIPE, '/virtual/set-over-stage.sid');
  assert.ok(plain.ok);
  assert.deepEqual([...new Set(lrsOf(plain.graphs[0]!.stages.find((s) => s.kind === 'sid')))], [1e-5]);
  const set = compileSource(RECIPE, '/virtual/set-over-stage.sid', { set: ['optimizer.lr=3e-5'] });
  assert.ok(set.ok);
  assert.deepEqual([...new Set(lrsOf(set.graphs[0]!.stages.find((s) => s.kind === 'sid')))], [3e-5]);
});

test('a sweep over a key a stage block sets reaches the stage at every point', () => {
  const text = `${RECIPE}sweep s over r {\n  optimizer.lr in [2e-5, 4e-5]\n}\n`;
  const r = compileSource(text, '/virtual/set-over-stage-sweep.sid');
  assert.ok(r.ok, JSON.stringify(r.diagnostics));
  assert.deepEqual(
    r.graphs.map((g) => [...new Set(lrsOf(g.stages.find((s) => s.kind === 'sid')))]),
    [[2e-5], [4e-5]],
  );
});
