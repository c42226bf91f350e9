// Fixed seeds give bit-identical runs; the graph decides what runs (editing a node's attrs changes the run).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../../../runtime/tfjs/backend/select.js';
import { runIteration } from '../../../../runtime/tfjs/loop/iteration.js';
import { disposeStage, prepareStage, productOf } from '../../../../runtime/tfjs/loop/stage.js';
import type { VelocityNet } from '../../../../runtime/tfjs/nets/net.js';
import type { ExecutionGraph } from '../../../../compiler/graph/types.js';
import { gmmGraph, type GmmGraphOptions } from '../../fixtures/gmm-graph.js';

await initBackend({ prefer: 'cpu' });

const small: GmmGraphOptions = { batch: 16, width: 16, depth: 1 };

/** teach for a few iterations, then `iters` SiD iterations; returns G's weights. */
function train(graph: ExecutionGraph, iters: number): Float32Array {
  const products = new Map<string, VelocityNet>();
  const teach = prepareStage(graph, graph.stages[0]!, products);
  for (let i = 0; i < 3; i++) runIteration(teach);
  products.set('teach', productOf(teach)!.clone(false));
  disposeStage(teach);
  const sid = prepareStage(graph, graph.stages[1]!, products);
  for (let i = 0; i < iters; i++) runIteration(sid);
  const w = [...productOf(sid)!.params.values()].flatMap((v) => Array.from(v.dataSync()));
  disposeStage(sid);
  return Float32Array.from(w);
}

const edit = (g: ExecutionGraph, id: string, attrs: Record<string, unknown>): ExecutionGraph => {
  const n = g.stages[1]!.phases[1]!.nodes.find((x) => x.id === id)!;
  Object.assign(n.attrs, attrs);
  return g;
};

test('the same graph and seed give bit-identical weights; another seed does not', () => {
  const a = train(gmmGraph(small), 4);
  const b = train(gmmGraph(small), 4);
  assert.deepEqual(b, a);
  const c = train(gmmGraph({ ...small, seed: 1 }), 4);
  assert.notDeepEqual(c, a);
});

test("editing a node's attrs changes the run: weighting, time interval, guidance", () => {
  const base = train(gmmGraph(small), 3);
  const w = train(edit(gmmGraph(small), 'w', { weighting: { expr: { op: '*', args: [3, 't'] } } }), 3);
  assert.notDeepEqual(w, base);
  const iv = train(edit(gmmGraph(small), 't', { interval: [2 / 3, 1] }), 3);
  assert.notDeepEqual(iv, base);
  const g = train(edit(gmmGraph(small), 'vr', { guidance: { mode: 'cfg', scale: 4.5 } }), 3);
  assert.notDeepEqual(g, base);
  // and an edit that changes nothing numerically (the same weighting spelled as an expression) keeps it
  const same = train(edit(gmmGraph(small), 'w', { weighting: { expr: { op: '-', args: [1, 't'] } } }), 3);
  assert.deepEqual(same, base);
});
