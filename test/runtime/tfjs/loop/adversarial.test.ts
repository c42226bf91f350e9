// The adversarial stage on the DiT (docs/algorithm.md §6): pooled discriminator logits (B, D) with no new
// parameters, L_D falls when the discriminator trains on a separable case, the warm-up / switch schedule
// in images seen, and a run interrupted inside the adversarial stage resumes to the same student.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { useWasm } from '../nn/setup.js';
import { changed, DIT_TINY28, paramsOf, tinyDitGraph } from './dit-fixture.js';
import { prepareStage, disposeStage } from '../../../../runtime/tfjs/loop/stage.js';
import { runIteration } from '../../../../runtime/tfjs/loop/iteration.js';
import { execNode, type Env } from '../../../../runtime/tfjs/loop/ops.js';
import { discLoss } from '../../../../runtime/tfjs/loop/adversarial-ops.js';
import type { DitNet } from '../../../../runtime/tfjs/loop/dit-net.js';
import { openRunDir } from '../../../../runtime/rundir/rundir.js';
import { runGraph } from '../../../../runtime/tfjs/loop/runner.js';
import { readSafetensors } from '../../../../runtime/formats/safetensors.js';

before(() => useWasm());

const ADV = `  data.images = "mnist"
  stage sid {}
  stage adversarial after sid { warmup = 2 images; switch = 4 images; gan_weight = 0.5; clamp = 10 }`;
const quiet = { stdout: () => {}, stderr: () => {}, isTTY: false };

test('disc_logits: (B, D) pooled over tokens, clamped, no new parameters', () => {
  const { graph } = tinyDitGraph(ADV, { set: ['train.length=6 images'], config: DIT_TINY28 });
  const stage = graph.stages.find((s) => s.kind === 'adversarial')!;
  const st = prepareStage(graph, stage, new Map([['sid', prepareStage(graph, graph.stages.find((s) => s.kind === 'sid')!, new Map()).nets.get('G')!.net]]));
  const psi = st.nets.get('psi')!.net as DitNet;
  const names = [...psi.params.keys()];
  const node = stage.phases[0]!.nodes.find((n) => n.op === 'disc_logits')!;
  const env: Env = new Map();
  env.set(node.inputs.x!, tf.randomNormal([2, 784], 0, 1, 'float32', 1));
  env.set(node.inputs.t!, tf.tensor1d([0.3, 0.8]));
  env.set(node.inputs.c!, tf.tensor1d([2, 10], 'int32'));
  execNode(node, env, st, 1);
  const out = env.get(`${node.id}.logits`) as tf.Tensor;
  assert.deepEqual(out.shape, [2, psi.opts.config.hidden]);
  const d = out.dataSync();
  assert.ok(d.every((v) => Math.abs(v) <= 10 && Number.isFinite(v)));
  assert.deepEqual([...psi.params.keys()], names);
  // the mean over tokens of finalHidden, directly
  const direct = tf.tidy(() =>
    tf.mean(
      psi.dit.finalHidden(
        Object.fromEntries(psi.params),
        tf.reshape(env.get(node.inputs.x!) as tf.Tensor, [2, 1, 28, 28]),
        tf.mul(tf.tensor1d([0.3, 0.8]), psi.opts.inputScale),
        psi.dit.encodeText(psi.exportTensors(), ['a handwritten digit two', '']),
      ),
      1,
    ),
  );
  direct.dataSync().forEach((v, i) => assert.ok(Math.abs(v - d[i]!) < 1e-5));
  disposeStage(st);
});

test('discriminator loss falls on a separable case (real = bright images, fake = dark)', () => {
  const { graph } = tinyDitGraph('  stage sid {}');
  const st = prepareStage(graph, graph.stages[0]!, new Map());
  const psi = st.nets.get('psi')!.net as DitNet;
  const vars = [...psi.params.values()];
  const t = tf.tensor1d([0.2, 0.2, 0.2, 0.2]);
  const c = tf.tensor1d([1, 2, 3, 4], 'int32');
  const real = tf.add(0.8, tf.mul(0.1, tf.randomNormal([4, 64], 0, 1, 'float32', 2))) as tf.Tensor2D;
  const fake = tf.add(-0.8, tf.mul(0.1, tf.randomNormal([4, 64], 0, 1, 'float32', 3))) as tf.Tensor2D;
  const opt = tf.train.adam(3e-2);
  const losses: number[] = [];
  for (let i = 0; i < 12; i++) {
    const l = opt.minimize(() => discLoss(psi.features(real, t, c), psi.features(fake, t, c), 1, 4), true, vars)!;
    losses.push(l.dataSync()[0]!);
    l.dispose();
  }
  assert.ok(Math.abs(losses[0]! - Math.log(2)) < 0.3, `initial loss ${losses[0]} should be near ln 2`);
  assert.ok(losses.at(-1)! < 0.5 * losses[0]!, `loss did not fall: ${losses.map((x) => x.toFixed(3)).join(' ')}`);
  disposeStage(st);
});

test('schedule in images seen: generator frozen in the warm-up, L_G only, then the mix', () => {
  const { graph } = tinyDitGraph(ADV, { set: ['train.length=6 images'], config: DIT_TINY28 });
  const stage = graph.stages.find((s) => s.kind === 'adversarial')!;
  const sidSt = prepareStage(graph, graph.stages.find((s) => s.kind === 'sid')!, new Map());
  const st = prepareStage(graph, stage, new Map([['sid', sidSt.nets.get('G')!.net]]));
  const G = st.nets.get('G')!.net;
  const psi = st.nets.get('psi')!.net;
  const comb = stage.phases[1]!.nodes.find((n) => n.op === 'combine')!;
  const env: Env = new Map();
  const terms = comb.attrs.terms as { input: string }[];
  const sid = terms[0]!.input;
  const gan = terms.find((x) => x.input !== sid)!.input;
  env.set(sid, tf.scalar(3));
  env.set(gan, tf.scalar(5));
  const at = (images: number) => {
    st.images = images;
    execNode(comb, env, st, 1);
    return (env.get(`${comb.id}.loss`) as tf.Tensor).dataSync()[0];
  };
  assert.equal(at(0), 0);
  assert.equal(at(1), 0);
  assert.equal(at(2), 3);
  assert.equal(at(3), 3);
  assert.equal(at(4), 0.5 * 3 + 0.5 * 5);
  assert.equal(at(100), 4);
  // a whole iteration in the warm-up: psi (discriminator + fake score) moves, G does not
  st.images = 0;
  const g0 = paramsOf(G.params);
  const p0 = paramsOf(psi.params);
  const r = runIteration(st);
  for (const v of Object.values(r.losses)) assert.ok(Number.isFinite(v));
  assert.deepEqual(Object.keys(r.losses), ['fake'], 'the frozen generator phase is not run in the warm-up');
  assert.ok(changed(p0, psi.params));
  assert.equal(changed(g0, G.params), false, 'G moved during the warm-up');
  runIteration(st); // a second warm-up iteration (st.images is advanced by the runner, not here)
  assert.equal(st.adam.get('G')?.step ?? 0, 0, 'Adam stepped the frozen G');
  // the first update after the warm-up is Adam's first step: with beta1 = 0 it moves no weight by more
  // than lr (n zero-gradient steps counted in the warm-up would make it up to lr sqrt((1 - beta2^(n+1)) / (1 - beta2)))
  st.images = 2;
  runIteration(st);
  const lr = stage.phases[1]!.optimizer.lr;
  let moved = 0;
  for (const [name, v] of G.params) {
    const a = v.dataSync();
    const b = g0.get(name)!;
    for (let i = 0; i < a.length; i++) moved = Math.max(moved, Math.abs(a[i]! - b[i]!));
  }
  assert.ok(moved > 0, 'G frozen after the warm-up');
  assert.ok(moved <= lr * 1.001, `first G step after the warm-up moved a weight by ${moved} > lr ${lr}`);
  st.images = 4;
  runIteration(st);
  assert.ok(changed(g0, G.params), 'G frozen after the switch');
  disposeStage(st);
  disposeStage(sidSt);
});

test('resume across the stage boundary: interrupted inside the adversarial stage = uninterrupted', () => {
  const { graph, dir } = tinyDitGraph(ADV, { set: ['train.length=6 images'], config: DIT_TINY28 });
  const a = openRunDir(join(dir, 'a'), graph, {});
  assert.ok(runGraph(graph, a, { io: quiet, plots: false }).completed);
  const b = openRunDir(join(dir, 'b'), graph, {});
  // sid: 3 iterations, adversarial: 3; stop after 4 (inside adversarial, a checkpoint every 2 images)
  assert.equal(runGraph(graph, b, { io: quiet, plots: false, stopAfterIterations: 4 }).completed, false);
  assert.ok(readdirSync(b.dir).includes('checkpoint.safetensors'));
  assert.ok(runGraph(graph, b, { io: quiet, plots: false }).completed);
  const ta = readSafetensors(a.student).tensors;
  const tb = readSafetensors(b.student).tensors;
  assert.deepEqual(Object.keys(tb).sort(), Object.keys(ta).sort());
  for (const k of Object.keys(ta)) assert.deepEqual(Array.from(tb[k]!.data), Array.from(ta[k]!.data), k);
});

test('a stage killed before its first checkpoint starts over without leaving its old metrics lines behind', () => {
  const { graph, dir } = tinyDitGraph(ADV, { set: ['train.length=6 images', 'train.checkpoint_every=100 images'], config: DIT_TINY28 });
  const b = openRunDir(join(dir, 'b'), graph, {});
  // sid: 3 iterations, adversarial: 3 (a line every iteration, no checkpoint); killed after 1 adversarial one
  assert.equal(runGraph(graph, b, { io: quiet, plots: false, stopAfterIterations: 4 }).completed, false);
  const read = () =>
    readFileSync(b.metrics, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { stage: string; images: number });
  assert.deepEqual(
    read()
      .filter((l) => l.stage === 'adversarial')
      .map((l) => l.images),
    [2],
  );
  assert.ok(runGraph(graph, b, { io: quiet, plots: false }).completed);
  const lines = read();
  assert.deepEqual(
    lines.filter((l) => l.stage === 'sid').map((l) => l.images),
    [2, 4, 6],
    'the finished stage keeps its lines',
  );
  assert.deepEqual(
    lines.filter((l) => l.stage === 'adversarial').map((l) => l.images),
    [2, 4, 6],
  );
});

test("metrics.jsonl: the adversarial stage logs its unweighted loss terms, and psi's loss is their sum", () => {
  const { graph, dir } = tinyDitGraph(ADV, { set: ['train.length=6 images'], config: DIT_TINY28 });
  const a = openRunDir(join(dir, 'a'), graph, {});
  assert.ok(runGraph(graph, a, { io: quiet, plots: false }).completed);
  const lines = readFileSync(a.metrics, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { stage: string; loss: Record<string, number>; terms?: Record<string, number> });
  const adv = lines.filter((l) => l.stage === 'adversarial');
  assert.ok(adv.length > 0);
  assert.ok(
    lines.filter((l) => l.stage === 'sid').every((l) => l.terms === undefined),
    'a plain sid stage has no combine node',
  );
  // the warm-up (2 images here) runs no generator phase: its lines have psi's terms only
  assert.deepEqual(Object.keys(adv.at(-1)!.terms!).sort(), ['fake.disc_loss', 'fake.fm_loss', 'generator.gan_loss', 'generator.sid_loss']);
  for (const l of adv) {
    assert.ok('fake.disc_loss' in l.terms! && 'fake.fm_loss' in l.terms!);
    assert.equal('generator.sid_loss' in l.terms!, 'generator' in l.loss);
    // fake phase = fm + disc with weight 1 each (docs/algorithm.md §6): the logged loss is the sum of the terms
    const sum = l.terms!['fake.fm_loss']! + l.terms!['fake.disc_loss']!;
    assert.ok(Math.abs(l.loss.fake! - sum) <= 1e-4 * Math.abs(sum), `${l.loss.fake} vs ${sum}`);
    assert.ok(l.terms!['fake.disc_loss']! > 0 && (l.terms!['generator.gan_loss'] ?? 0) >= 0);
  }
});
