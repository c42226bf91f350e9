// The tiny teachers distilled by the runtime's SiD loop (runtime/exec: runIteration over the sid stage of
// an execution graph, ALGORITHM.md §4): phi frozen, psi and G copies of it; conditions are rows of the
// text-encodings table (row 0 = the empty prompt, CFG's null condition). Two iterations per family:
// losses finite, G and psi move, phi does not.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { useWasm } from '../nn/setup.js';
import { FAMILIES, writeTinyTeacher } from './fixtures.js';
import { gmmGraph } from '../fixtures/gmm-graph.js';
import { loadTransformer } from '../../../runtime/families/load.js';
import { readTextEncodings, TextTable } from '../../../runtime/families/text.js';
import { FamilyNet } from '../../../runtime/families/net.js';
import { defaultTimeScale } from '../../../runtime/families/cli.js';
import { runIteration } from '../../../runtime/exec/iteration.js';
import type { StageState } from '../../../runtime/exec/state.js';
import { makePrecision } from '../../../runtime/precision/policy.js';
import { Rng } from '../../../runtime/rng/prng.js';
import type { JsonValue } from '../../../compiler/recipe/settings.js';

before(() => useWasm());

const snapshot = (n: FamilyNet) => new Map([...n.params].map(([k, v]) => [k, Float32Array.from(v.dataSync() as Float32Array)]));
const moved = (a: Map<string, Float32Array>, n: FamilyNet) => [...n.params].some(([k, v]) => (v.dataSync() as Float32Array).some((x, i) => x !== a.get(k)![i]));

for (const f of FAMILIES) {
  test(`${f}: two SiD iterations through the runtime loop`, () => {
    const w = writeTinyTeacher(f, 2);
    const ld = loadTransformer(w.root);
    const text = new TextTable(readTextEncodings(w.text));
    const c = ld.info.config;
    // latent 4x4: 16 tokens (SANA, patch 1), 4 (SD3, patch 2), 4 packed (FLUX)
    const phi = new FamilyNet({ config: c, weights: ld.tensors, text, latent: { height: 4, width: 4 }, trainable: false, guidance: 4.5 });
    const psi = phi.clone(true);
    const G = phi.clone(true);
    G.guidance = 1; // the generator never gets guidance (ALGORITHM.md §3)
    const graph = gmmGraph({ batch: 2, guidance: 2, lr: 1e-3 });
    graph.bindings.K = text.prompts.length;
    const stage = graph.stages.find((s) => s.kind === 'sid')!;
    const scale = defaultTimeScale(c);
    for (const ph of stage.phases)
      for (const n of ph.nodes) {
        if (n.op === 'velocity' || n.op === 'generate') n.attrs.time_scale = scale;
        // FLUX has no unconditional branch: its guidance is the embedding (net.guidance), not CFG
        if (n.op === 'velocity' && f === 'flux') n.attrs.guidance = { mode: 'none', scale: 1 } as JsonValue;
      }
    const slot = (name: string, net: FamilyNet) => ({ decl: stage.nets.find((d) => d.name === name)!, net });
    const st: StageState = {
      graph, stage, precision: makePrecision('fp32'), rng: Rng.derive(0, 'families-sid'),
      nets: new Map([['phi', slot('phi', phi)], ['psi', slot('psi', psi)], ['G', slot('G', G)]]),
      adam: new Map(), batch: 2, dim: phi.dim, gmm: null, iteration: 0, images: 0, stats: { dropped: 0, nonfinite: 0 },
    };
    const [p0, s0, g0] = [snapshot(phi), snapshot(psi), snapshot(G)];
    for (let i = 0; i < 2; i++) {
      const r = runIteration(st);
      for (const [name, v] of Object.entries(r.losses)) assert.ok(Number.isFinite(v), `${name} loss ${v}`);
      assert.ok(r.k !== null && r.k >= 1 && r.k <= 4);
    }
    assert.equal(st.stats.nonfinite, 0);
    assert.equal(moved(p0, phi), false, 'phi is frozen');
    assert.ok(moved(s0, psi), 'psi trained by the fake-network phase');
    assert.ok(moved(g0, G), 'G trained through phi and psi by the generator phase');
    // the distilled generator still produces finite samples
    const x = tf.randomNormal([2, G.dim], 0, 1, 'float32', 1) as tf.Tensor2D;
    const v = G.forward(x, tf.fill([2], scale) as tf.Tensor1D, tf.tensor1d([1, 2], 'int32'));
    assert.ok((v.dataSync() as Float32Array).every(Number.isFinite));
    for (const n of [phi, psi, G]) n.dispose();
    text.dispose();
  });
}
