// The DiT teacher (family dit) inside the interpreter's SiD loop (docs/algorithm.md §4): phi from the
// teacher file, psi and G copies; one iteration keeps phi fixed, moves psi and G, gives finite losses.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { useWasm } from '../nn/setup.js';
import { changed, paramsOf, tinyDitGraph } from './dit-fixture.js';
import { prepareStage, productOf, disposeStage } from '../../../../runtime/tfjs/loop/stage.js';
import { runIteration } from '../../../../runtime/tfjs/loop/iteration.js';
import { DitNet } from '../../../../runtime/tfjs/loop/dit-net.js';
import { configValue } from '../../../../runtime/tfjs/loop/config.js';

before(() => useWasm());

test('dit: one SiD iteration through runIteration (phi frozen, psi and G move, losses finite)', () => {
  const { graph } = tinyDitGraph('  stage sid {}');
  const stage = graph.stages.find((s) => s.kind === 'sid')!;
  const st = prepareStage(graph, stage, new Map());
  assert.equal(st.classes, 10);
  assert.equal(st.dim, 64);
  const [phi, psi, G] = ['phi', 'psi', 'G'].map((n) => st.nets.get(n)!.net as DitNet);
  assert.ok(phi instanceof DitNet && psi instanceof DitNet && G instanceof DitNet);
  assert.equal(phi.nullCondition, 10);
  const before = { phi: paramsOf(phi.params), psi: paramsOf(psi.params), G: paramsOf(G.params) };
  const r = runIteration(st);
  for (const [k, v] of Object.entries(r.losses)) assert.ok(Number.isFinite(v), `${k} loss ${v}`);
  assert.equal(changed(before.phi, phi.params), false, 'phi must stay frozen');
  assert.ok(changed(before.psi, psi.params), 'psi did not move');
  assert.ok(changed(before.G, G.params), 'G did not move');
  assert.equal(productOf(st), G);
  disposeStage(st);
});

test('dit: conditions pick caption embeddings; the null condition is the empty caption', () => {
  const { graph } = tinyDitGraph('  stage sid {}');
  const st = prepareStage(graph, graph.stages.find((s) => s.kind === 'sid')!, new Map());
  const phi = st.nets.get('phi')!.net as DitNet;
  const x = tf.randomNormal([3, 64], 0, 1, 'float32', 3) as tf.Tensor2D;
  const t = tf.tensor1d([0.5, 0.5, 0.5]);
  const v = phi.forward(x, t, tf.tensor1d([1, 7, 10], 'int32'), st.precision);
  const direct = tf.tidy(() => {
    const p = Object.fromEntries(phi.params);
    const te = phi.exportTensors();
    const cond = phi.dit.encodeText(te, ['a handwritten digit one', 'a handwritten digit seven', '']);
    return tf.reshape(phi.dit.velocity(p, tf.reshape(x, [3, 1, 8, 8]), tf.mul(t, phi.opts.inputScale), cond), [3, 64]);
  });
  const a = v.dataSync();
  const b = direct.dataSync();
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) < 1e-5, `element ${i}: ${a[i]} vs ${b[i]}`);
  // the DiT sees t x its own timeScale whatever the graph's teacher.time_scale is (docs/algorithm.md §1)
  assert.equal(phi.opts.inputScale * Number(configValue(graph, 'teacher.time_scale') ?? 1), phi.opts.config.timeScale);
  disposeStage(st);
});

test('dit: precision bf16 stores psi and G in bf16 from the start (as the vector and text families and the torch engine)', () => {
  const { graph } = tinyDitGraph('  stage sid {}', { set: ['precision.policy=bf16', 'precision.allow_small_eps=true'] });
  const st = prepareStage(graph, graph.stages.find((s) => s.kind === 'sid')!, new Map());
  const bits = new Uint32Array(1);
  const f = new Float32Array(bits.buffer);
  const low16 = (x: number): number => ((f[0] = x), bits[0]! & 0xffff);
  for (const name of ['psi', 'G']) {
    for (const [k, v] of (st.nets.get(name)!.net as DitNet).params) {
      assert.ok(
        (v.dataSync() as Float32Array).every((x) => low16(x) === 0),
        `${name}.${k} is not bf16`,
      );
    }
  }
  const phi = st.nets.get('phi')!.net as DitNet;
  assert.ok(
    [...phi.params.values()].some((v) => (v.dataSync() as Float32Array).some((x) => low16(x) !== 0)),
    'phi (frozen) stays fp32',
  );
  disposeStage(st);
});
