// --launcher slurm against a real one-node Slurm (scripts/slurm/start.sh; Debian's slurm-wlm + munge, as
// root - skipped elsewhere): fig3-gmm at a short length as a 6-task job array gives the same table as
// the local sweep-run; a failing point is marked with its log while the others finish; a cancelled task
// and the failed one are all that a re-submission runs; and srun's 2 tasks meet in a gloo all_reduce
// through the rendezvous variables the `sidc run --launcher slurm` script derives from Slurm's.
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
import { repoPath } from '../../helpers/paths.js';
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
