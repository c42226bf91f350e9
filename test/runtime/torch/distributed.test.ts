// The torch engine over several processes (runtime/torch/sidc_torch/distributed.py, runtime/torch/workers.ts):
// 2 gloo processes with per-device batch B/2 end where 1 process with batch B ends (fp32 tolerance: the
// draws are the same samples, the gradient sums run in a different order); kill -9 of one rank stops the
// run with rank 0's last complete checkpoint, and a rerun ends bit-identical to an uninterrupted 2-process
// run; ranks given different graphs refuse in one line; a rendezvous nobody answers fails in one line.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensors } from '../../../runtime/formats/safetensors.js';
import type { ExecutionGraph } from '../../../compiler/graph/types.js';
import { runTorchWorkers, workerEnv, freePort } from '../../../runtime/torch/workers.js';
import { useWasm } from '../tfjs/nn/setup.js';
import { sidc } from '../../helpers/cli.js';
import { repoPath } from '../../helpers/paths.js';
import { scratchDir } from '../formats/tmp.js';
import { pythonExeWith as pythonWith } from '../../helpers/python.js';
import { compileGraph, quietIO, randomMlp, runTorch, seededRunDir, sidOnly } from './harness.js';

const py = pythonWith('torch', 'numpy');
const skip = py ? false : 'python3 with torch not found';
const dir = scratchDir('torch-dist');
let base: ExecutionGraph;

before(async () => {
  await useWasm();
  base = compileGraph(repoPath('test/runtime/torch/fixtures/tiny.sid'));
});

/** The sid stage of tiny.sid, `iterations` long at global batch 8, split over `world` processes. */
function graphFor(world: number, iterations: number): ExecutionGraph {
  const g = sidOnly(base, iterations);
  const sid = g.stages.find((s) => s.kind === 'sid')!;
  delete sid.attrs.batch_per_device;
  g.bindings.B = 8 / world;
  Object.assign(sid.attrs, { length_images: 8 * iterations, checkpoint_every_images: 8, log_every_images: 8 });
  return g;
}

function seeded(name: string, g: ExecutionGraph): string {
  const teacher = randomMlp(g, 7);
  const d = seededRunDir(join(dir, name), g, 'teach', teacher);
  teacher.dispose();
  return d;
}

const workers = (d: string, world: number, extra: Partial<Parameters<typeof runTorchWorkers>[0]> = {}) => {
  const err: string[] = [];
  const io = { ...quietIO, stderr: (s: string) => void err.push(s) };
  return runTorchWorkers({ io, python: py!, graphFile: join(d, 'graph.json'), runDir: d, device: 'cpu', world, graceSeconds: 5, ...extra }).then((code) => ({
    code,
    err: err.join(''),
  }));
};

const netOf = (d: string) => readSafetensors(join(d, 'stages', 'sid.safetensors')).tensors;
const losses = (d: string) =>
  readFileSync(join(d, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { loss: Record<string, number> }).loss);

test('2 gloo processes at per-device batch 4 end where 1 process at batch 8 ends (2 iterations, fp32 tolerance)', { skip }, async () => {
  const one = seeded('one', graphFor(1, 2));
  const r1 = runTorch(py!, one);
  assert.equal(r1.status, 0, r1.stderr);
  const two = seeded('two', graphFor(2, 2));
  const r2 = await workers(two, 2);
  assert.equal(r2.code, 0, r2.err);
  const a = netOf(one);
  const b = netOf(two);
  assert.deepEqual(Object.keys(b).sort(), Object.keys(a).sort());
  let worst = 0;
  for (const [k, t] of Object.entries(a)) {
    const u = b[k]!;
    for (let i = 0; i < t.data.length; i++) worst = Math.max(worst, Math.abs(Number(t.data[i]) - Number(u.data[i])) / (1e-3 + Math.abs(Number(t.data[i]))));
  }
  assert.ok(worst < 1e-4, `largest relative difference ${worst}`);
  // the student moved: equal nets are not the untrained start
  const start = readSafetensors(join(one, 'stages', 'teach.safetensors')).tensors;
  const [k0, t0] = Object.entries(a).find(([k]) => k in start)!;
  assert.ok(
    Array.from(t0.data).some((v, i) => v !== start[k0]!.data[i]),
    'the student did not train',
  );
  const [l1, l2] = [losses(one), losses(two)];
  assert.equal(l2.length, l1.length);
  for (let i = 0; i < l1.length; i++)
    for (const k of Object.keys(l1[i]!))
      assert.ok(Math.abs(l1[i]![k]! - l2[i]![k]!) <= 1e-4 * (1 + Math.abs(l1[i]![k]!)), `iteration ${i} ${k}: ${l1[i]![k]} vs ${l2[i]![k]}`);
});

test('kill -9 of rank 1 mid-run stops both ranks with an intact checkpoint; the rerun ends bit-identical to an uninterrupted run', { skip }, async () => {
  const g = graphFor(2, 6);
  const whole = seeded('whole', g);
  assert.equal((await workers(whole, 2)).code, 0);
  const killed = seeded('killed', g);
  let pids: number[] = [];
  const run = workers(killed, 2, { onStart: (p) => (pids = p) });
  const metrics = join(killed, 'metrics.jsonl');
  const t0 = Date.now();
  while (!(existsSync(metrics) && readFileSync(metrics, 'utf8').trim().split('\n').length >= 2) && Date.now() - t0 < 60000)
    await new Promise((r) => setTimeout(r, 20));
  process.kill(pids[1]!, 'SIGKILL');
  const r = await run;
  assert.notEqual(r.code, 0);
  assert.match(r.err, /rank 1 of 2 was killed \(SIGKILL\)/);
  // no traceback: every line is one of sidc's own
  for (const l of r.err.trim().split('\n')) assert.match(l, /^sidc(-torch)?: /, r.err);
  assert.doesNotMatch(r.err, /Traceback|pair\.cc/, r.err);
  assert.ok(!existsSync(join(killed, 'stages', 'sid.safetensors')), 'the killed run finished anyway: kill earlier');
  assert.ok(existsSync(join(killed, 'checkpoint.safetensors')), 'no checkpoint after kill -9');
  const again = await workers(killed, 2);
  assert.equal(again.code, 0, again.err);
  const a = netOf(whole);
  const b = netOf(killed);
  for (const [k, t] of Object.entries(a)) assert.deepEqual(Array.from(b[k]!.data), Array.from(t.data), k);
  assert.deepEqual(losses(killed), losses(whole));
});

/** Two workers started by hand with the Slurm-style environment; their exit codes and stderr. */
async function byHand(graphs: [string, string], d: string): Promise<{ codes: number[]; err: string }> {
  const port = await freePort();
  let err = '';
  const codes = await Promise.all(
    graphs.map(
      (gf, rank) =>
        new Promise<number>((resolve) => {
          const c = spawn(py!, ['-m', 'sidc_torch', 'run', '--graph', gf, '--run-dir', d], {
            env: workerEnv(rank, 2, port),
            stdio: ['ignore', 'ignore', 'pipe'],
          });
          c.stderr.setEncoding('utf8');
          c.stderr.on('data', (s: string) => (err += s));
          c.on('close', (code) => resolve(code ?? 1));
        }),
    ),
  );
  return { codes, err };
}

test('ranks holding different graphs refuse to start: one line each, exit 2, nothing written', { skip }, async () => {
  const d = seeded('hash', graphFor(2, 2));
  const other = join(d, 'other.json');
  writeFileSync(other, JSON.stringify({ ...graphFor(2, 2), hash: 'f'.repeat(64) }));
  const r = await byHand([join(d, 'graph.json'), other], d);
  assert.deepEqual(r.codes, [2, 2], r.err);
  const lines = r.err.trim().split('\n');
  assert.equal(lines.length, 2, r.err);
  for (const l of lines) assert.match(l, /^sidc-torch: ranks disagree on the graph hash/);
  assert.ok(!existsSync(join(d, 'metrics.jsonl')) && !existsSync(join(d, 'checkpoint.safetensors')));
});

test('a process group that cannot form (no MASTER_PORT; a rank outside WORLD_SIZE) fails in one line, exit 2', { skip }, () => {
  const d = seeded('pg', graphFor(2, 2));
  const env = { ...process.env, PYTHONPATH: repoPath('runtime/torch'), RANK: '0', WORLD_SIZE: '2', MASTER_ADDR: '127.0.0.1', MASTER_PORT: '' };
  for (const [e, re] of [
    [env, /MASTER_PORT is not set/],
    [{ ...env, RANK: '3' }, /RANK=3 is outside 0\.\.1/],
  ] as const) {
    const r = spawnSync(py!, ['-m', 'sidc_torch', 'run', '--graph', join(d, 'graph.json'), '--run-dir', d], { encoding: 'utf8', env: e, timeout: 60000 });
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, re);
  }
});

test('sidc run with devices = 2 x cpu runs 2 workers to the end; more GPUs than present and fsdp are refused before a run directory exists', {
  skip,
}, async () => {
  const tiny = repoPath('test/runtime/torch/fixtures/tiny.sid');
  const runs = join(dir, 'runs-cli');
  const ok = await sidc('run', tiny, '--engine', 'torch', '--set', 'hardware.devices=2 x cpu(16 GB)', '--set', 'batch.per_device=32', '--runs-dir', runs);
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /SiD student/);
  const none = join(dir, 'runs-refused');
  for (const [set, re] of [
    [
      ['hardware.devices=4 x gpu(80 GB)', 'batch.per_device=16'],
      /hardware\.devices = 4 x gpu\(80 GB\) needs 4 CUDA GPUs, but torch .* sees no GPU on this machine/,
    ],
    [['hardware.devices=2 x cpu(16 GB)', 'batch.per_device=32', 'hardware.shard=fsdp'], /hardware\.shard = fsdp: .*FSDP is not executed yet/],
  ] as const) {
    const r = await sidc('run', tiny, '--engine', 'torch', ...set.flatMap((s) => ['--set', s]), '--runs-dir', none);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, re);
    assert.equal(
      r.err
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('sidc: engine torch')).length,
      1,
      r.err,
    );
    assert.ok(!existsSync(none));
  }
});

// the prompt rows come from the teacher's own encoders, kept loaded in every process (data.text = encoder,
// text_encoders = resident): each rank encodes the rows of its own share of the batch
test('a tiny flux teacher (prompt rows encoded per rank, image latents, fresh generator noise): 2 processes at batch 2 end where 1 at batch 4 ends', {
  skip,
}, async () => {
  const teacher = join(dir, 'flux-tiny');
  const made = await sidc('make-tiny', 'flux', teacher, '--encoders');
  assert.equal(made.code, 0, made.err);
  const prompts = join(dir, 'flux-prompts.txt');
  writeFileSync(prompts, 'a red circle\ntwo blue squares\na cat on a sofa\n');
  const set = (devices: string, per: number) => [
    `teacher.checkpoint="${teacher}"`,
    'data.text=encoder',
    `data.prompts="${prompts}"`,
    'hardware.text_encoders=resident',
    'data.resolution=32 px',
    `hardware.devices=${devices}`,
    'hardware.shard=none',
    'precision.policy=fp32',
    `batch.per_device=${per}`,
    'batch.accumulate=1',
    'batch.global=4',
    'train.length=8 images',
    'train.log_every=4 images',
    'train.checkpoint_every=4 images',
    'train.sample_every=100 images',
  ];
  const runOf = (name: string, g: ExecutionGraph): string => {
    const d = join(dir, name);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'graph.json'), JSON.stringify(g));
    return d;
  };
  const one = runOf('flux-one', compileGraph(repoPath('recipes/flux-dev-512.sid'), set('1 x cpu(16 GB)', 4)));
  const r1 = runTorch(py!, one);
  assert.equal(r1.status, 0, r1.stderr);
  const two = runOf('flux-two', compileGraph(repoPath('recipes/flux-dev-512.sid'), set('2 x cpu(16 GB)', 2)));
  const r2 = await workers(two, 2);
  assert.equal(r2.code, 0, r2.err);
  const a = readSafetensors(join(one, 'student.safetensors')).tensors;
  const b = readSafetensors(join(two, 'student.safetensors')).tensors;
  const start = readSafetensors(join(teacher, 'transformer', 'diffusion_pytorch_model-00001-of-00002.safetensors')).tensors;
  let diff = 0;
  let moved = 0;
  for (const [k, t] of Object.entries(a)) {
    for (let i = 0; i < t.data.length; i++) {
      diff = Math.max(diff, Math.abs(t.data[i]! - b[k]!.data[i]!));
      if (start[k]) moved = Math.max(moved, Math.abs(t.data[i]! - start[k]!.data[i]!));
    }
  }
  assert.ok(moved > 0, 'the student did not move');
  assert.ok(diff < 0.05 * moved, `1 vs 2 processes differ by ${diff}; the update is ${moved}`);
  const [l1, l2] = [losses(one), losses(two)];
  // the generator's loss is lambda_sid = 100 times a sum of products that mostly cancel: fp32 summation order shows at 1e-5
  for (let i = 0; i < l1.length; i++)
    for (const k of Object.keys(l1[i]!))
      assert.ok(Math.abs(l1[i]![k]! - l2[i]![k]!) <= 1e-4 * (1 + Math.abs(l1[i]![k]!)), `${k}: ${l1[i]![k]} vs ${l2[i]![k]}`);
});
