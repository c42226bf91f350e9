// The torch engine as a run engine: a graph edit changes what it does; kill -9 then rerun resumes from the
// last checkpoint and ends bit-identical to an uninterrupted run; AMP and BF16 take a step on CPU (BF16
// stores weights and Adam moments in bf16); bad graphs, crashes and a missing Python give one-line errors
// with the documented exit codes; Ctrl-C through `sidc run` stops with a checkpoint (exit 130).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensors } from '../../../runtime/formats/safetensors.js';
import type { ExecutionGraph } from '../../../compiler/graph/types.js';
import { useWasm } from '../tfjs/nn/setup.js';
import { repoPath } from '../../helpers/paths.js';
import { sidc } from '../../helpers/cli.js';
import { scratchDir } from '../formats/tmp.js';
import { pythonExeWith as pythonWith } from '../../helpers/python.js';
import { compileGraph, randomMlp, runTorch, seededRunDir, sidOnly } from './harness.js';
import { engineOf } from '../../../runtime/torch/engine.js';

const py = pythonWith('torch', 'numpy');
const skip = py ? false : 'python3 with torch not found';
const dir = scratchDir('torch-run');
const tiny = repoPath('test/runtime/torch/fixtures/tiny.sid');
let base: ExecutionGraph;

before(async () => {
  await useWasm();
  base = compileGraph(tiny);
});

/** One torch SiD iteration of `g` from the same starting nets; its metrics line. */
function oneStep(name: string, g: ExecutionGraph): { loss: Record<string, number>; dir: string } {
  const teacher = randomMlp(g, 7);
  const d = seededRunDir(join(dir, name), g, 'teach', teacher);
  teacher.dispose();
  const r = runTorch(py!, d, ['--stop-after-iterations', '1']);
  assert.equal(r.status, 1, r.stderr);
  assert.ok(existsSync(join(d, 'metrics.jsonl')), `no metrics: ${r.stderr}`);
  return { loss: (JSON.parse(readFileSync(join(d, 'metrics.jsonl'), 'utf8').split('\n')[0]!) as { loss: Record<string, number> }).loss, dir: d };
}

function edit(f: (sid: ExecutionGraph['stages'][number]) => void): ExecutionGraph {
  const g = sidOnly(base, 2);
  f(g.stages.find((s) => s.kind === 'sid')!);
  return g;
}

const node = (s: ExecutionGraph['stages'][number], id: string) => s.phases.flatMap((p) => p.nodes).find((n) => n.id === id)!;

test('a graph edit (weighting, interval, teacher guidance) changes the torch run; an unedited graph repeats it exactly', { skip }, () => {
  const ref = oneStep(
    'ref',
    edit(() => {}),
  );
  assert.deepEqual(
    oneStep(
      'ref-again',
      edit(() => {}),
    ).loss,
    ref.loss,
  );
  const w = oneStep(
    'weighting',
    edit((s) => (node(s, 'generator.weighting').attrs.weighting = { name: 'sqrt_snr' })),
  );
  const iv = oneStep(
    'interval',
    edit((s) => {
      node(s, 'generator.sample_t').attrs.interval = [0.2, 0.8];
      node(s, 'fake.sample_t').attrs.interval = [0.2, 0.8];
    }),
  );
  const cfg = oneStep(
    'guidance',
    edit((s) => (node(s, 'generator.v_phi').attrs.guidance = { mode: 'cfg', scale: 3 })),
  );
  for (const [name, r] of [
    ['weighting', w],
    ['interval', iv],
    ['guidance', cfg],
  ] as const)
    assert.notEqual(r.loss.generator, ref.loss.generator, name);
  assert.equal(w.loss.fake, ref.loss.fake); // the weighting is a generator-phase node: psi's phase is untouched
  assert.notEqual(iv.loss.fake, ref.loss.fake);
});

test('AMP and BF16 take a step on CPU; BF16 stores weights and Adam moments in bf16, AMP keeps fp32 masters', { skip }, () => {
  const ref = oneStep(
    'fp32',
    edit(() => {}),
  );
  const isBf16 = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length).every((u) => (u & 0xffff) === 0);
  for (const policy of ['amp', 'bf16'] as const) {
    const r = oneStep(
      policy,
      edit((s) => (s.precision.policy = policy)),
    );
    for (const k of ['fake', 'generator']) {
      assert.ok(Number.isFinite(r.loss[k]!), `${policy} ${k}`);
      assert.notEqual(r.loss[k], ref.loss[k], `${policy} ${k}: bf16 compute changes the value`);
    }
    // the flow-matching loss is robust to bf16 compute; the SiD loss (a difference of two nets' differences)
    // is not, so only its finiteness is asserted
    assert.ok(Math.abs(r.loss.fake! - ref.loss.fake!) < 0.05 * Math.abs(ref.loss.fake!), `${policy} fake: ${r.loss.fake} vs fp32 ${ref.loss.fake}`);
    const t = readSafetensors(join(r.dir, 'checkpoint.safetensors')).tensors;
    const nets = Object.keys(t).filter((k) => k.startsWith('net/G/'));
    const moments = Object.keys(t).filter((k) => k.startsWith('adam/G/'));
    assert.ok(nets.length > 0 && moments.length > 0);
    if (policy === 'bf16') for (const k of [...nets, ...moments]) assert.ok(isBf16(t[k]!.data), `${k} is not bf16`);
    else assert.ok(!nets.every((k) => isBf16(t[k]!.data)), 'amp: fp32 master weights');
  }
});

test('kill -9 mid-run, then rerun: resumes from the last checkpoint and ends as an uninterrupted run does', { skip }, async () => {
  const g = compileGraph(tiny);
  const full = join(dir, 'full');
  const killed = join(dir, 'killed');
  for (const d of [full, killed]) seededRunDir(d, g, 'teach', randomMlp(g, 3)); // teach done: sid + evaluate run
  assert.equal(runTorch(py!, full).status, 0);
  const child = spawn(py!, ['-m', 'sidc_torch', 'run', '--graph', join(killed, 'graph.json'), '--run-dir', killed], {
    env: { ...process.env, PYTHONPATH: repoPath('runtime/torch') },
    stdio: 'ignore',
  });
  const ck = join(killed, 'checkpoint.safetensors');
  for (let i = 0; i < 1200 && !existsSync(ck); i++) await new Promise((r) => setTimeout(r, 50));
  child.kill('SIGKILL');
  await new Promise((r) => child.on('close', r));
  assert.ok(existsSync(ck), 'a checkpoint was written before the kill');
  assert.ok(!existsSync(join(killed, 'student.safetensors')), 'killed before the end');
  const again = runTorch(py!, killed);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /resuming stage sid at \d+ images/);
  const a = readSafetensors(join(full, 'student.safetensors')).tensors;
  const b = readSafetensors(join(killed, 'student.safetensors')).tensors;
  for (const k of Object.keys(a)) assert.deepEqual(b[k]!.data, a[k]!.data, k);
  const images = readFileSync(join(killed, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { images: number }).images);
  assert.deepEqual(images, [...new Set(images)], 'each logged interval appears once');
  assert.deepEqual(
    JSON.parse(readFileSync(join(killed, 'eval.json'), 'utf8')).map((r: { sampler: string }) => r.sampler),
    JSON.parse(readFileSync(join(full, 'eval.json'), 'utf8')).map((r: { sampler: string }) => r.sampler),
  );
});

test('engine errors: unknown graph version (2), a failing run (1, one line; traceback only with --verbose)', { skip }, () => {
  const g = sidOnly(base, 2);
  const d = seededRunDir(join(dir, 'bad'), g, 'teach', randomMlp(g, 1));
  writeFileSync(join(d, 'v9.json'), JSON.stringify({ ...g, version: 9 }));
  const v = runTorch(py!, d, [], join(d, 'v9.json'));
  assert.equal(v.status, 2);
  assert.match(v.stderr, /graph version 9 is not one this torch engine knows/);
  const broken = edit((s) => (node(s, 'generator.weighting').attrs.weighting = { name: 'bogus' }));
  writeFileSync(join(d, 'broken.json'), JSON.stringify(broken));
  const r = runTorch(py!, d, [], join(d, 'broken.json'));
  assert.equal(r.status, 1);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /unknown weighting bogus/);
  assert.doesNotMatch(r.stderr, /Traceback/);
  assert.match(runTorch(py!, d, ['--verbose'], join(d, 'broken.json')).stderr, /Traceback/);
});

test('sidc run --engine torch: no usable Python -> one line, exit 2, no run directory', async () => {
  const saved = process.env.SIDC_PYTHON;
  process.env.SIDC_PYTHON = join(dir, 'no-such-python');
  try {
    const r = await sidc('run', tiny, '--engine', 'torch', '--runs-dir', join(dir, 'runs-none'));
    assert.equal(r.code, 2);
    assert.match(r.err, /--engine torch needs Python with PyTorch .*apt-get install python3-torch/);
    assert.ok(!existsSync(join(dir, 'runs-none')));
  } finally {
    if (saved === undefined) delete process.env.SIDC_PYTHON;
    else process.env.SIDC_PYTHON = saved;
  }
});

test('sidc run --engine torch end to end, Ctrl-C stops it with a checkpoint (130), rerun finishes; sidc sample reads it', { skip }, async () => {
  const runs = join(dir, 'runs');
  const cli = spawn(process.execPath, [repoPath('bin/sidc.js'), 'run', tiny, '--engine', 'torch', '--runs-dir', runs], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  cli.stderr.on('data', (d) => (err += d));
  const runDir = () => {
    const name = existsSync(runs) ? readdirSync(runs).find((n) => n.startsWith('tiny-')) : undefined;
    return name ? join(runs, name) : '';
  };
  for (let i = 0; i < 1200 && !(runDir() && existsSync(join(runDir(), 'checkpoint.safetensors'))); i++) await new Promise((r) => setTimeout(r, 50));
  cli.kill('SIGINT');
  const code = await new Promise<number | null>((r) => cli.on('close', (c) => r(c)));
  assert.equal(code, 130, err);
  assert.match(err, /checkpoint written, rerun the same command to resume/);
  assert.ok(existsSync(join(runDir(), 'checkpoint.safetensors')));
  const again = await sidc('run', tiny, '--engine', 'torch', '--runs-dir', runs);
  assert.equal(again.code, 0, again.err);
  assert.match(again.out, /\| SiD student +\| +4 \|/);
  assert.ok(existsSync(join(runDir(), 'samples', 'sid-00000640.png')), 'training samples drawn');
  assert.ok(existsSync(join(runDir(), 'samples', 'eval-SiD_student-4.png')), 'evaluation samples drawn');
  const s = await sidc('sample', runDir(), '--n', '16', '-o', join(dir, 's.npy'));
  assert.equal(s.code, 0, s.err);
});

test('engine selection: --engine beats hardware.engine beats tfjs; setting it changes the hash only when set', () => {
  const plain = compileGraph(tiny);
  const withTorch = compileGraph(tiny, ['hardware.engine=torch']);
  assert.equal(engineOf(plain, undefined), 'tfjs');
  assert.equal(engineOf(withTorch, undefined), 'torch');
  assert.equal(engineOf(withTorch, 'tfjs'), 'tfjs');
  assert.throws(() => engineOf(plain, 'jax'), /unknown engine 'jax'/);
  assert.ok(!('engine' in (plain.config.hardware as Record<string, unknown>)), 'absent unless set');
  assert.notEqual(withTorch.hash, plain.hash);
});
