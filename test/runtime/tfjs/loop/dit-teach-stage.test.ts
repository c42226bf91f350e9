// The teach stage of a dit recipe through the sidc run path (compileSource -> runGraph): the teacher it
// writes is bit for bit the one startTeach/teachStep/saveTeacher give when called directly with the same
// options; a run stopped mid-stage resumes from its checkpoint and ends with the same teacher; the
// compiler accepts a teach-only dit recipe and names the fix when a dit recipe has neither a teach stage
// nor a checkpoint. dit_mnist_s (the shipped size, MNIST is 28 px) for a handful of steps of batch 2.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useWasm } from '../nn/setup.js';
import { compileSource } from '../../../../compiler/api.js';
import type { ExecutionGraph } from '../../../../compiler/graph/types.js';
import { openRunDir } from '../../../../runtime/rundir/rundir.js';
import { runGraph } from '../../../../runtime/tfjs/loop/runner.js';
import { readSafetensors } from '../../../../runtime/formats/safetensors.js';
import { loadMnist } from '../../../../runtime/data/mnist.js';
import { ditConfig } from '../../../../runtime/tfjs/nets/dit.js';
import { saveTeacher, startTeach, teachStep } from '../../../../runtime/tfjs/nets/dit-teach.js';
import { InitError } from '../../../../runtime/tfjs/loop/build-nets.js';

before(() => useWasm());

const recipe = (teach: string, extra = '') => `recipe t {
  teacher dit { config = "dit_mnist_s" }
  data { dataset = "mnist"; text = labels }
  precision fp32 {}
  teach { ${teach} }
  train { checkpoint_every = 4 images; log_every = 2 images; seed = 3 }
  stage teach {}
${extra}}
`;

function compile(src: string): ExecutionGraph {
  const res = compileSource(src, 'inline.sid', {});
  assert.ok(res.ok, res.diagnostics.map((d) => d.message).join('\n'));
  return res.graphs[0]!;
}

const quiet = (out: string[] = []) => ({ io: { stdout: (s: string) => void out.push(s), stderr: () => {}, isTTY: false } });

function tensorsOf(path: string): Map<string, Uint16Array | Float32Array> {
  const { tensors } = readSafetensors(path);
  return new Map(Object.entries(tensors).map(([k, t]) => [k, t.data as Float32Array]));
}

function assertSameTensors(a: string, b: string): void {
  const x = tensorsOf(a);
  const y = tensorsOf(b);
  assert.deepEqual([...x.keys()].sort(), [...y.keys()].sort());
  for (const [k, v] of x) assert.deepEqual(v, y.get(k), `tensor ${k} differs`);
}

test('recipe teach stage = startTeach/teachStep/saveTeacher called directly (bit-identical teacher file)', () => {
  const root = mkdtempSync(join(tmpdir(), 'sidc-dit-teach-'));
  try {
    const graph = compile(
      recipe('length = 6 images; lr = 6e-4; batch = 2; warmup = 2 steps; weights = raw; caption_dropout = 0.3; time = logit_normal(0.5, 1.2)'),
    );
    assert.deepEqual(
      graph.stages.map((s) => s.kind),
      ['teach'],
      'a teach-only recipe gets no implicit sid stage',
    );
    const paths = openRunDir(join(root, 'runs'), graph, {});
    const out: string[] = [];
    assert.ok(runGraph(graph, paths, quiet(out)).completed);
    assert.match(out.join(''), /3 steps of batch 2/);

    // the oracle: dit-teach.ts by hand with the recipe's values written out
    const s = startTeach(loadMnist({ split: 'train' }), {
      config: ditConfig('dit_mnist_s'),
      batch: 2,
      lr: 6e-4,
      warmupSteps: 2,
      emaDecay: 0.995,
      captionDrop: 0.3,
      tMean: 0.5,
      tStd: 1.2,
      seed: 3,
    });
    for (let i = 0; i < 3; i++) teachStep(s);
    const direct = join(root, 'direct.safetensors');
    saveTeacher(direct, s, 'direct', 'raw');
    assertSameTensors(paths.teacher, direct);
    const meta = readSafetensors(paths.teacher).metadata;
    assert.equal(meta['weights'], 'raw');
    assert.equal(meta['steps'], '3');
    // metrics: one line per 2 images
    const lines = readFileSync(paths.metrics, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { images: number });
    assert.deepEqual(
      lines.map((l) => l.images),
      [2, 4, 6],
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a teach stage stopped after its checkpoint resumes and ends with the uninterrupted teacher (EMA weights)', () => {
  const root = mkdtempSync(join(tmpdir(), 'sidc-dit-teach-'));
  try {
    const graph = compile(recipe('length = 10 images; lr = 1e-3; batch = 2; warmup = 1 steps; ema_decay = 0.9'));
    const a = openRunDir(join(root, 'a'), graph, {});
    assert.ok(runGraph(graph, a, quiet()).completed);
    const b = openRunDir(join(root, 'b'), graph, {});
    // 3 steps: the checkpoint at 4 images (step 2) is written, step 3 is lost as a kill would lose it
    assert.equal(runGraph(graph, b, { ...quiet(), stopAfterIterations: 3 }).completed, false);
    const out: string[] = [];
    assert.ok(runGraph(graph, b, quiet(out)).completed);
    assert.match(out.join(''), /resuming stage teach at 4 images \(step 2\)/);
    assert.equal(readSafetensors(b.teacher).metadata['weights'], 'ema');
    assertSameTensors(b.teacher, a.teacher);
    assert.equal(readFileSync(b.metrics, 'utf8').trim().split('\n').length, 5, 'metrics lines after the checkpoint are replayed, not duplicated');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a sid stage after teach distils the teacher just trained (no teacher.checkpoint)', () => {
  const root = mkdtempSync(join(tmpdir(), 'sidc-dit-teach-'));
  try {
    const graph = compile(
      recipe(
        'length = 2 images; batch = 2',
        `  batch { global = 2; per_device = 2 }
  train.length = 2 images
  stage sid after teach {}
`,
      ),
    );
    assert.deepEqual(
      graph.stages.map((s) => s.kind),
      ['teach', 'sid'],
    );
    const paths = openRunDir(join(root, 'runs'), graph, {});
    assert.ok(runGraph(graph, paths, { ...quiet(), plots: false }).completed);
    const student = readSafetensors(paths.student);
    assert.ok(Object.keys(student.tensors).length > 10);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('compiler: a dit recipe needs a teach stage or teacher.checkpoint; the teach stage needs fp32', () => {
  const res = compileSource('recipe n {\n  teacher dit { config = "dit_mnist_s" }\n  data { dataset = "mnist"; text = labels }\n}\n', 'n.sid', {});
  assert.equal(res.ok, false);
  const d = res.diagnostics.find((x) => x.code === 'SID3001');
  assert.ok(d, res.diagnostics.map((x) => x.code).join());
  assert.match(JSON.stringify(d), /teacher\.checkpoint/);
  assert.match(JSON.stringify(d), /stage teach/);
  const amp = compile(recipe('length = 2 images; batch = 2').replace('precision fp32 {}', 'precision amp {}'));
  const root = mkdtempSync(join(tmpdir(), 'sidc-dit-teach-'));
  try {
    assert.throws(
      () => runGraph(amp, openRunDir(root, amp, {}), quiet()),
      (e: unknown) => e instanceof InitError && /precision fp32/.test((e as Error).message),
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
