import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { useWasm } from '../nn/setup.js';
import { adamStep, newAdamState, ParamsAdam } from '../../../../runtime/tfjs/optim/adam.js';
import { toVariables, type Params } from '../../../../runtime/tfjs/nn/params.js';
import { Rng } from '../../../../runtime/rng/prng.js';

before(() => useWasm());

/** The oracle: the tensor Adam that trained the shipped DiT teacher and eval classifier, as it was written on tfjs ops. */
class TensorKingmaAdam {
  m: Record<string, tf.Tensor> = {};
  v: Record<string, tf.Tensor> = {};
  step = 0;
  constructor(readonly cfg: { lr: number; beta1: number; beta2: number; eps: number }) {}
  apply(params: Params, grads: Record<string, tf.Tensor>, lrScale = 1): void {
    this.step++;
    const { beta1: b1, beta2: b2, eps } = this.cfg;
    const lr = (this.cfg.lr * lrScale * Math.sqrt(1 - b2 ** this.step)) / (1 - b1 ** this.step);
    for (const [name, g] of Object.entries(grads)) {
      const p = params[name]!;
      const [m, v] = tf.tidy(() => {
        const m = this.m[name] ? tf.add(tf.mul(this.m[name]!, b1), tf.mul(g, 1 - b1)) : tf.mul(g, 1 - b1);
        const v = this.v[name] ? tf.add(tf.mul(this.v[name]!, b2), tf.mul(tf.square(g), 1 - b2)) : tf.mul(tf.square(g), 1 - b2);
        p.assign(tf.sub(p, tf.mul(tf.div(m, tf.add(tf.sqrt(v), eps)), lr)));
        return [m, v];
      });
      tf.dispose([this.m[name], this.v[name]].filter((t): t is tf.Tensor => t !== undefined));
      this.m[name] = m!;
      this.v[name] = v!;
    }
  }
}

const size = (shape: number[]): number => shape.reduce((x, y) => x * y, 1);

function randomArray(rng: Rng, n: number, scale: number): Float32Array {
  return Float32Array.from({ length: n }, () => rng.normal() * scale);
}

test('the kingma form on parameter maps equals the tfjs-op Adam that trained the shipped teacher, bit for bit', () => {
  const rng = new Rng(7);
  const shapes: Record<string, number[]> = { 'a.weight': [37, 11], 'a.bias': [37], 'b.weight': [5, 3, 4] };
  const start = Object.fromEntries(Object.entries(shapes).map(([n, s]) => [n, randomArray(rng, size(s), 0.3)]));
  const make = () => toVariables(Object.fromEntries(Object.entries(shapes).map(([n, s]) => [n, tf.tensor(start[n]!, s)])));
  const [pa, pb] = [make(), make()];
  const cfg = { lr: 6e-4, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
  const [oracle, ours] = [new TensorKingmaAdam(cfg), new ParamsAdam(cfg)];
  for (let step = 0; step < 12; step++) {
    // gradients over many magnitudes (tiny ones exercise eps), a parameter skipped on some steps, warm-up scales
    const grads = Object.fromEntries(
      Object.entries(shapes)
        .filter(([n]) => !(n === 'a.bias' && step % 3 === 1))
        .map(([n, s]) => [n, tf.tensor(randomArray(rng, size(s), 10 ** (-8 + step)), s)]),
    );
    const scale = Math.min(1, (step + 1) / 5);
    oracle.apply(pa, grads, scale);
    ours.apply(pb, grads, scale);
    tf.dispose(Object.values(grads));
    for (const n of Object.keys(shapes)) {
      assert.deepEqual(pb[n]!.dataSync(), pa[n]!.dataSync(), `${n} after step ${step + 1}`);
      assert.deepEqual(ours.state.params[n]!.m, oracle.m[n]!.dataSync(), `m of ${n} after step ${step + 1}`);
      assert.deepEqual(ours.state.params[n]!.v, oracle.v[n]!.dataSync(), `v of ${n} after step ${step + 1}`);
    }
  }
  assert.equal(ours.step, 12);
});

test('the torch form is torch.optim.Adam: eps after the bias correction, beta1 = 0 allowed', () => {
  const p = { w: new Float32Array([1, -2, 0.5]) };
  const state = newAdamState();
  const spec = { lr: 0.1, beta1: 0, beta2: 0.999, eps: 1e-8, weight_decay: 0 };
  adamStep(spec, state, p, { w: new Float32Array([0.2, -3, 0]) }, false);
  // step 1 with beta1 = 0: m = g, v = (1 - b2) g^2, sqrt(v) / sqrt(1 - b2) = |g|, so p -= lr sign(g) (0 stays 0)
  const expected = [1 - 0.1, -2 + 0.1, 0.5];
  p.w.forEach((x, i) => assert.ok(Math.abs(x - expected[i]!) < 1e-6, `w[${i}] = ${x}, expected ${expected[i]}`));
  assert.throws(() => adamStep(spec, state, p, { w: new Float32Array(3) }, false, 'torch', 0.5), /constant lr/);
  assert.throws(() => adamStep(spec, state, p, { w: new Float32Array(3) }, true, 'kingma'), /kingma form/);
});
