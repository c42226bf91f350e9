// --launcher slurm against a real one-node Slurm (scripts/slurm/start.sh; Debian's slurm-wlm + munge, as
// root - skipped elsewhere): fig3-gmm at a short length as a 6-task job array gives the same table as
// the local sweep-run; a failing point is marked with its log while the others finish; a cancelled task
// and the failed one are all that a re-submission runs; and srun's 2 tasks meet in a gloo all_reduce
// through the rendezvous variables the `sidc run --launcher slurm` script derives from Slurm's; and the
// torch engine itself as that 2-task job ends with the losses of the same run made locally.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileFile } from '../../../compiler/api.js';
import { runDirName } from '../../../runtime/rundir/rundir.js';
import { runScript } from '../../../runtime/launch/script.js';
import type { LaunchSettings } from '../../../runtime/launch/settings.js';
import { readSafetensors } from '../../../runtime/formats/safetensors.js';
import { repoPath } from '../../helpers/paths.js';
import { pythonExeWith } from '../../helpers/python.js';
import { sidc } from '../../helpers/cli.js';

// Under CI=true nothing skips: .ci/run installs slurm-wlm, munge and torch, so a missing one is a failure.
const why =
  process.env.CI === 'true'
    ? undefined
    : process.getuid?.() !== 0
      ? 'needs root (the one-node cluster starts daemons)'
      : !existsSync('/usr/sbin/slurmctld') || !existsSync('/usr/sbin/munged')
        ? "needs Debian's slurm-wlm and munge"
        : undefined;
let started: string | undefined;
function cluster(): void {
  if (started !== undefined) return;
  const r = spawnSync('bash', [repoPath('scripts', 'slurm', 'start.sh')], { encoding: 'utf8' });
  assert.equal(r.status, 0, `scripts/slurm/start.sh failed:\n${r.stdout}${r.stderr}`);
  started = r.stdout;
}

const dir = mkdtempSync(join(tmpdir(), 'sidc-slurm-'));
const fig3 = repoPath('recipes', 'fig3-gmm.sid');
// fig3-gmm at a short length: the same six points, a few seconds each
const SHORT = [
  'train.length=1k images',
  'teach.length=10k images',
  'train.checkpoint_every=512 images',
  'train.sample_every=1k images',
  'train.log_every=512 images',
  'evaluate.samples=300',
].flatMap((s) => ['--set', s]);

type Row = {
  point: string;
  run: string;
  coverage?: number;
  precision?: number;
  energy?: number;
  sliced_w1?: number;
  failed?: boolean;
  status?: string;
  log?: string;
};
const table = (runs: string): Row[] => JSON.parse(readFileSync(join(runs, 'fig3_gmm-sweep', 'sweep.json'), 'utf8')) as Row[];
const withoutRun = (rows: Row[]) => rows.map(({ run: _r, ...rest }) => rest);
const slurmSweep = (runs: string, ...extra: string[]) => sidc('sweep-run', fig3, ...SHORT, '--no-plots', '--launcher', 'slurm', '--runs-dir', runs, ...extra);
// release a held array (scontrol exits 1 because the cancelled task cannot be released: not an error here)
const release = (job: string) => spawnSync('scontrol', ['release', job], { encoding: 'utf8' });

test('fig3-gmm as a 6-task job array: the local table; a failed and a cancelled point, then only those two re-submitted', {
  skip: why,
  timeout: 900_000,
}, async () => {
  cluster();
  const local = join(dir, 'local');
  const l = await sidc('sweep-run', fig3, ...SHORT, '--no-plots', '--runs-dir', local);
  assert.equal(l.code, 0, l.err);
  const expected = table(local);
  assert.equal(expected.length, 6);

  const runs = join(dir, 'slurm');
  // point 2 cannot resume: its run directory holds a corrupt checkpoint
  const dirs = compileFile(fig3, { set: SHORT.filter((_, i) => i % 2 === 1) }).graphs.map((g) => join(runs, runDirName(g)));
  mkdirSync(dirs[2]!, { recursive: true });
  writeFileSync(join(dirs[2]!, 'checkpoint.safetensors'), 'not a safetensors file');
  // submitted held, so task 5 is surely still pending when it is cancelled, whatever the node's core count
  const sub = await slurmSweep(runs, '--set', 'launcher.sbatch=["--hold"]');
  assert.equal(sub.code, 0, sub.err);
  const job = /submitted job array (\d+): 6 of 6 points \(tasks 0,1,2,3,4,5\)/.exec(sub.out)?.[1];
  assert.ok(job, sub.out);
  assert.match(sub.out, /PENDING/);
  assert.equal(spawnSync('scancel', [`${job}_5`]).status, 0);
  release(job!);
  const first = await slurmSweep(runs, '--set', 'launcher.sbatch=["--hold"]', '--status', '--wait', '--poll', '2');
  assert.equal(first.code, 1, first.out + first.err);
  const rows = table(runs);
  assert.deepEqual(
    rows.map((r) => r.status ?? 'done'),
    ['done', 'done', 'failed', 'done', 'done', 'stopped'],
  );
  assert.equal(rows[2]!.log, join(dirs[2]!, 'run.log'));
  assert.match(readFileSync(rows[2]!.log!, 'utf8'), /checkpoint\.safetensors: .*not safetensors/);
  for (const i of [0, 1, 3, 4]) assert.deepEqual(withoutRun([rows[i]!]), withoutRun([expected[i]!]), `point ${i}`);

  // re-submitting runs only the failed and the cancelled point
  rmSync(join(dirs[2]!, 'checkpoint.safetensors'));
  const again = await slurmSweep(runs, '--set', 'launcher.sbatch=["--hold"]');
  assert.equal(again.code, 0, again.err);
  const job2 = /submitted job array (\d+): 2 of 6 points \(tasks 2,5\)/.exec(again.out)?.[1];
  assert.ok(job2, again.out);
  assert.match(readFileSync(join(runs, 'fig3_gmm-sweep', 'slurm', 'sweep.sbatch'), 'utf8'), /^#SBATCH --array=2,5$/m);
  release(job2!);
  const done = await slurmSweep(runs, '--set', 'launcher.sbatch=["--hold"]', '--wait', '--poll', '2');
  assert.equal(done.code, 0, done.out + done.err);
  assert.match(done.out, /all 6 points finished/);
  assert.deepEqual(withoutRun(table(runs)), withoutRun(expected));
  assert.equal(
    readFileSync(join(runs, 'fig3_gmm-sweep', 'sweep.md'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('| (')).length,
    6,
  );
  // points 0, 1, 3, 4 ran once; 2 twice (failed, then ran); 5 once (after its cancel)
  const attempts = (d: string) => (readFileSync(join(d, 'run.log'), 'utf8').match(/^== sidc point/gm) ?? []).length;
  assert.deepEqual(dirs.map(attempts), [1, 1, 2, 1, 1, 1]);
});

test('sbatch rejecting the job: its message verbatim and where the recipe sets the offending value', { skip: why, timeout: 120_000 }, async () => {
  cluster();
  const recipe = join(dir, 'partition.sid');
  writeFileSync(recipe, readFileSync(fig3, 'utf8').replace('  precision fp32 {}', '  precision fp32 {}\n  launcher { partition = "no_such_partition" }'));
  const r = await sidc('sweep-run', recipe, ...SHORT, '--launcher', 'slurm', '--runs-dir', join(dir, 'rejected'));
  assert.equal(r.code, 1, r.out + r.err);
  assert.match(r.err, /sbatch: error: .*partition.*\n/i);
  assert.match(r.err, /the setting: launcher\.partition at .*partition\.sid:\d+:\d+/);
  assert.doesNotMatch(r.err, /\n\s+at /);
});

test('sidc run --launcher slurm: a requeued job (as after preemption) resumes from its checkpoint and finishes', { skip: why, timeout: 300_000 }, async () => {
  cluster();
  const work = join(dir, 'requeue');
  mkdirSync(work, { recursive: true });
  const recipe = join(work, 'toy.sid');
  writeFileSync(
    recipe,
    `recipe toy {
  teacher gmm { dim = 2; classes = 2; modes_per_class = 2; mode_std = 0.1; radius = 2; seed = 1 }
  data { text = labels }
  precision fp32 {}
  hardware { devices = 1 x cpu(8 GB) }
  batch { global = 32; per_device = 32 }
  teach { length = 1k images; batch = 64 }
  train { length = 3k images; checkpoint_every = 64 images; sample_every = 3k images; log_every = 64 images }
  stage sid {}
}
`,
  );
  const runs = join(work, 'runs');
  const sub = await sidc('run', recipe, '--launcher', 'slurm', '--runs-dir', runs, '--no-plots');
  assert.equal(sub.code, 0, sub.err);
  const job = /submitted job (\d+)/.exec(sub.out)![1]!;
  const run = join(runs, runDirName(compileFile(recipe).graphs[0]!));
  const inQueue = () => (spawnSync('squeue', ['-h', '-j', job], { encoding: 'utf8' }).stdout ?? '').trim() !== '';
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  // requeue while the sid stage has a checkpoint (written every 2 iterations, removed when the stage ends)
  const sidLogged = () => existsSync(join(run, 'metrics.jsonl')) && readFileSync(join(run, 'metrics.jsonl'), 'utf8').includes('"stage":"sid"');
  for (let i = 0; i < 600 && !(sidLogged() && existsSync(join(run, 'checkpoint.safetensors'))); i++) await sleep(250);
  assert.ok(existsSync(join(run, 'checkpoint.safetensors')), 'no sid checkpoint appeared');
  assert.equal(spawnSync('scontrol', ['requeue', job]).status, 0);
  for (let i = 0; i < 600 && inQueue(); i++) await sleep(500);
  const log = readFileSync(join(run, `slurm-${job}.log`), 'utf8');
  assert.match(log, /restart 0:/);
  assert.match(log, /restart 1:/);
  assert.match(log, /resuming stage sid at \d+ images/);
  assert.deepEqual((JSON.parse(readFileSync(join(run, 'progress.json'), 'utf8')) as { done: string[] }).done, ['_init', 'sid']);
  assert.ok(existsSync(join(run, 'student.safetensors')));
});

test("srun -n 2: the generated run script's Slurm -> torch rendezvous carries a gloo all_reduce", { skip: why, timeout: 300_000 }, (t) => {
  if (spawnSync('/usr/bin/python3', ['-c', 'import torch.distributed'], { encoding: 'utf8' }).status !== 0) {
    if (process.env.CI === 'true') assert.fail('CI=true and /usr/bin/python3 has no torch: .ci/run installs python3-torch');
    return t.skip('/usr/bin/python3 has no torch');
  }
  cluster();
  const out = join(dir, 'gloo');
  mkdirSync(out, { recursive: true });
  const settings: LaunchSettings = { nodes: 1, tasksPerNode: 2, gpusPerNode: 0, sbatch: [], from: {} };
  const script = runScript({
    jobName: 'sidc-gloo-test',
    settings,
    runDir: out,
    workDir: dir,
    engine: ['/usr/bin/python3', repoPath('test', 'runtime', 'launch', 'fixtures', 'gloo_allreduce.py'), out],
  });
  const r = spawnSync('sbatch', ['--wait', '--parsable'], { input: script, encoding: 'utf8', cwd: dir });
  const logs = readdirSync(out)
    .filter((f) => f.startsWith('slurm-'))
    .map((f) => readFileSync(join(out, f), 'utf8'))
    .join('\n');
  assert.equal(r.status, 0, `${r.stderr}\n${logs}`);
  const ranks = [0, 1].map(
    (i) => JSON.parse(readFileSync(join(out, `rank-${i}.json`), 'utf8')) as { rank: number; world: number; sum: number; env: Record<string, string> },
  );
  for (const [i, k] of ranks.entries()) {
    assert.equal(k.rank, i);
    assert.equal(k.world, 2);
    assert.equal(k.sum, 3); // 1 + 2
    assert.equal(k.env.RANK, String(i));
    assert.equal(k.env.LOCAL_RANK, String(i)); // one node: local rank = rank
    assert.equal(k.env.MASTER_PORT, String(20000 + (Number(r.stdout.trim().split(';')[0]) % 20000)));
  }
  assert.match(logs, /2 processes on .*rendezvous 127\.0\.0\.1:/);
});

// The torch engine's own 2-process run under Slurm: test/runtime/torch/fixtures/tiny.sid (mlp teacher,
// teach + sid + evaluate, ~10 s) on `2 x cpu` with `hardware.engine = torch`, per-device batch 32 of a
// global 64. Oracles: the same recipe run locally by `sidc run` (its own 2 gloo workers), and one process
// at the same global batch (per_device 64, teach.batch 2 x 64), which docs/distributed.md says it matches.
test('sidc run --launcher slurm --engine torch: srun -n 2 gloo workers finish the run with the losses of the local runs', {
  skip: why,
  timeout: 300_000,
}, async (t) => {
  const py = pythonExeWith('torch', 'numpy');
  if (!py) {
    if (process.env.CI === 'true') assert.fail('CI=true and no python3 with torch and numpy: .ci/run installs python3-torch');
    return t.skip('no python3 with torch and numpy');
  }
  cluster();
  const work = join(dir, 'torch');
  mkdirSync(work, { recursive: true });
  const tiny = readFileSync(repoPath('test', 'runtime', 'torch', 'fixtures', 'tiny.sid'), 'utf8');
  const variant = (name: string, devices: number, perDevice: number, teachBatch: number) => {
    const f = join(work, `${name}.sid`);
    const text = tiny
      .replace('recipe tiny {', `recipe ${name} {`)
      .replace('  precision fp32 {}', `  precision fp32 {}\n  hardware {\n    devices = ${devices} x cpu(1 GB)\n    engine = torch\n  }`)
      .replace('per_device = 64', `per_device = ${perDevice}`)
      .replace('      batch = 64', `      batch = ${teachBatch}`);
    assert.notEqual(text, tiny);
    writeFileSync(f, text);
    return f;
  };
  const two = variant('tiny_two', 2, 32, 64);
  const one = variant('tiny_one', 1, 64, 128);
  const runDir = (runs: string, recipe: string) => join(runs, runDirName(compileFile(recipe).graphs[0]!));
  // the generated script runs $SIDC_PYTHON (else python3 on PATH, which need not have torch)
  const saved = process.env.SIDC_PYTHON;
  process.env.SIDC_PYTHON = py;
  try {
    const started = Date.now();
    const local2 = join(work, 'local-2');
    const l2 = await sidc('run', two, '--runs-dir', local2, '--no-plots');
    assert.equal(l2.code, 0, l2.out + l2.err);
    const local1 = join(work, 'local-1');
    const l1 = await sidc('run', one, '--runs-dir', local1, '--no-plots');
    assert.equal(l1.code, 0, l1.out + l1.err);
    const localSeconds = (Date.now() - started) / 1000;

    const runs = join(work, 'slurm');
    const submittedAt = Date.now();
    const sub = await sidc('run', two, '--launcher', 'slurm', '--engine', 'torch', '--runs-dir', runs, '--no-plots');
    assert.equal(sub.code, 0, sub.out + sub.err);
    const job = /submitted job (\d+): 2 torch process\(es\) on 1 node\(s\)/.exec(sub.out)?.[1];
    assert.ok(job, sub.out);
    const inQueue = () => (spawnSync('squeue', ['-h', '-j', job!], { encoding: 'utf8' }).stdout ?? '').trim() !== '';
    for (let i = 0; i < 480 && inQueue(); i++) await new Promise((r) => setTimeout(r, 250));
    assert.ok(!inQueue(), `job ${job} still queued after 120 s`);
    const slurmSeconds = (Date.now() - submittedAt) / 1000;
    t.diagnostic(`local 2-process + 1-process runs ${localSeconds.toFixed(1)} s; Slurm job ${job} submitted to gone ${slurmSeconds.toFixed(1)} s`);

    const run = runDir(runs, two);
    const log = readFileSync(join(run, `slurm-${job}.log`), 'utf8');
    // both ranks: srun started 2 tasks that met at the rendezvous (rank 0 alone would wait there forever)
    assert.match(log, /2 processes on \S+, rendezvous 127\.0\.0\.1:\d+/, log);
    assert.match(log, /"event": "done", "completed": true/, log);
    assert.match(readFileSync(join(run, 'run.sbatch'), 'utf8'), /^#SBATCH --ntasks-per-node=2$/m);
    const record = JSON.parse(readFileSync(join(run, 'slurm-job.json'), 'utf8')) as { jobId: string; engine: string; processes: number };
    assert.deepEqual([record.jobId, record.engine, record.processes], [job, 'torch', 2]);
    assert.deepEqual((JSON.parse(readFileSync(join(run, 'progress.json'), 'utf8')) as { done: string[] }).done.sort(), ['evaluate', 'sid', 'teach']);
    assert.ok(existsSync(join(run, 'student.safetensors')));

    type Line = { stage: string; images: number; loss: Record<string, number> };
    const metrics = (d: string) =>
      readFileSync(join(d, 'metrics.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Line);
    const got = metrics(run);
    // world size 2 in the engine itself: a teach iteration takes 2 x teach.batch (64 per process) images
    assert.equal(got.find((m) => m.stage === 'teach')!.images, 128);
    const agree = (expected: Line[], tol: number, what: string) => {
      assert.deepEqual(
        got.map((m) => `${m.stage}@${m.images}`),
        expected.map((m) => `${m.stage}@${m.images}`),
        what,
      );
      let worst = 0;
      for (const [i, m] of expected.entries()) {
        assert.deepEqual(Object.keys(got[i]!.loss).sort(), Object.keys(m.loss).sort(), what);
        for (const [k, v] of Object.entries(m.loss)) worst = Math.max(worst, Math.abs(got[i]!.loss[k]! - v) / (1 + Math.abs(v)));
      }
      assert.ok(worst <= tol, `${what}: largest loss difference ${worst} > ${tol}`);
      t.diagnostic(`${what}: ${expected.length} logged steps, largest loss difference ${worst.toExponential(2)}`);
    };
    agree(metrics(runDir(local2, two)), 1e-5, 'Slurm vs local 2-process run');
    agree(metrics(runDir(local1, one)), 1e-4, 'Slurm vs local 1-process run at the same global batch');
    // the student itself, against the local 2-process run
    const a = readSafetensors(join(runDir(local2, two), 'student.safetensors')).tensors;
    const b = readSafetensors(join(run, 'student.safetensors')).tensors;
    assert.deepEqual(Object.keys(b).sort(), Object.keys(a).sort());
    let worst = 0;
    for (const [k, x] of Object.entries(a))
      for (let i = 0; i < x.data.length; i++)
        worst = Math.max(worst, Math.abs(Number(x.data[i]) - Number(b[k]!.data[i])) / (1e-3 + Math.abs(Number(x.data[i]))));
    assert.ok(worst < 1e-4, `student: largest relative difference ${worst}`);
  } finally {
    if (saved === undefined) delete process.env.SIDC_PYTHON;
    else process.env.SIDC_PYTHON = saved;
  }
});
