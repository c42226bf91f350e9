// The launchers without a cluster: the sbatch scripts `--dry-run` prints (bash syntax, resources from the
// launcher section, one array task per point, the Slurm -> torch rendezvous mapping), sbatch errors
// pointed at the recipe, and the one-line refusal when Slurm is not installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileFile } from '../../../compiler/api.js';
import { runDirName } from '../../../runtime/rundir/rundir.js';
import { arraySpec } from '../../../runtime/launch/script.js';
import { sbatchFailure } from '../../../runtime/launch/slurm.js';
import { launchSettings } from '../../../runtime/launch/settings.js';
import { sidc } from '../../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'sidc-launch-'));
const write = (name: string, devices: string, launcher: string, sweep = true) => {
  const p = join(dir, name);
  writeFileSync(
    p,
    `recipe toy {
  teacher gmm { dim = 2; classes = 2; modes_per_class = 2; mode_std = 0.1; radius = 2; seed = 1 }
  data { text = labels }
  hardware { devices = ${devices} }
  batch { global = 8; per_device = 4 }
  train { length = 64 images; checkpoint_every = 32 images; sample_every = 64 images; log_every = 32 images }
  launcher { ${launcher} }
  stage sid {}
}
${sweep ? 'sweep lr over toy {\n  optimizer.lr in [1e-4, 2e-4, 3e-4]\n}\n' : ''}`,
  );
  return p;
};
const bashSyntaxOk = (script: string) => spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });

test('arraySpec writes task ids as sbatch ranges', () => {
  assert.equal(arraySpec([0, 1, 2, 3, 4, 5]), '0-5');
  assert.equal(arraySpec([5, 2]), '2,5');
  assert.equal(arraySpec([0, 1, 3, 4, 7]), '0-1,3-4,7');
});

test("sweep-run --launcher slurm --dry-run prints one array task per point with the recipe's resources", async () => {
  const r = write(
    'sweep.sid',
    '2 x cpu(8 GB)',
    'partition = "short"; account = "proj"; time = "1:30:00"; cpus_per_task = 2; memory = 4 GiB; sbatch = ["--constraint=fast"]',
  );
  const runs = join(dir, 'runs');
  const res = await sidc('sweep-run', r, '--launcher', 'slurm', '--dry-run', '--runs-dir', runs, '--set', 'launcher.partition=long');
  assert.equal(res.code, 0, res.err);
  const s = res.out;
  for (const line of [
    '--array=0-2',
    '--partition=long',
    '--account=proj',
    '--time=1:30:00',
    '--nodes=1',
    '--ntasks-per-node=2',
    '--cpus-per-task=2',
    '--mem=4096M',
    '--requeue',
    '--constraint=fast',
  ])
    assert.ok(s.includes(`#SBATCH ${line}\n`), `${line} in\n${s}`);
  assert.doesNotMatch(s, /--gpus-per-node/);
  // the run directories are the points' own (by hash), in sweep order, and what run-graph is given
  const graphs = compileFile(r).graphs;
  const dirs = [...s.matchAll(/^ {2}(\S+)$/gm)].map((m) => m[1]!);
  assert.deepEqual(
    dirs,
    graphs.map((g) => join(runs, runDirName(g))),
  );
  assert.match(s, /RUN_DIR="\$\{RUN_DIRS\[\$SLURM_ARRAY_TASK_ID\]\}"/);
  assert.match(s, /bin\/sidc\.js run-graph "\$RUN_DIR\/graph\.json"/);
  assert.equal(bashSyntaxOk(s).status, 0, bashSyntaxOk(s).stderr);
});

test('run --launcher slurm --dry-run: srun starts one torch process per device with the rendezvous from Slurm', async () => {
  const r = write('multi.sid', '4 x gpu(80 GB)', 'nodes = 2', false).replace('.sid', '.sid');
  writeFileSync(r, readFileSync(r, 'utf8').replace('global = 8; per_device = 4', 'global = 8; per_device = 2'));
  const res = await sidc('run', r, '--launcher', 'slurm', '--dry-run', '--runs-dir', join(dir, 'runs'));
  assert.equal(res.code, 0, res.err);
  const s = res.out;
  for (const line of ['--nodes=2', '--ntasks-per-node=2', '--gpus-per-node=2', '--requeue']) assert.ok(s.includes(`#SBATCH ${line}\n`), line);
  assert.match(s, /export MASTER_PORT="\$\(\(20000 \+ SLURM_JOB_ID % 20000\)\)"/);
  assert.match(s, /export WORLD_SIZE="\$SLURM_NTASKS"/);
  assert.match(
    s,
    /srun --kill-on-bad-exit=1 bash -c 'export RANK="\$SLURM_PROCID" LOCAL_RANK="\$SLURM_LOCALID"; exec "\$@"' sidc-rank python3 -m sidc_torch run --graph \S+\/graph\.json --run-dir /,
  );
  assert.match(s, /export PYTHONPATH=\S+\/runtime\/torch\n/);
  assert.equal(bashSyntaxOk(s).status, 0);
  const tfjs = await sidc('run', r, '--launcher', 'slurm', '--dry-run', '--engine', 'tfjs', '--runs-dir', join(dir, 'runs'));
  assert.equal(tfjs.code, 2);
  assert.match(tfjs.err, /tfjs engine runs one process, but the launcher settings start 4/);
  const one = await sidc(
    'run',
    write('one.sid', '1 x cpu(8 GB)', '', false).replace('.sid', '.sid'),
    '--launcher',
    'slurm',
    '--dry-run',
    '--set',
    'batch.per_device=8',
    '--runs-dir',
    join(dir, 'runs'),
  );
  assert.equal(one.code, 0, one.err);
  assert.match(one.out, /sidc\.js run-graph \S+\/graph\.json/);
});

test("sbatch's rejection is quoted verbatim with the location of the setting it is about", () => {
  const r = write('bad.sid', '1 x cpu(8 GB)', 'partition = "nope"', false);
  const g = compileFile(r, { set: ['batch.per_device=8'] }).graphs[0]!;
  const msg = 'sbatch: error: invalid partition specified: nope\nsbatch: error: Batch job submission failed: Invalid partition name specified';
  const text = sbatchFailure(msg, launchSettings(g));
  assert.ok(text.includes('  sbatch: error: invalid partition specified: nope\n'));
  assert.match(text, /the setting: launcher\.partition at .*bad\.sid:7:/);
  assert.match(
    sbatchFailure('sbatch: error: Invalid account or account/partition combination specified', launchSettings(g)),
    /launcher\.account \(not set in the recipe/,
  );
});

test('without sbatch on PATH: one line that says so and how to run locally', async () => {
  const r = write('nosbatch.sid', '2 x cpu(8 GB)', '');
  const path = process.env.PATH;
  process.env.PATH = join(dir, 'empty-bin');
  try {
    const res = await sidc('sweep-run', r, '--launcher', 'slurm', '--runs-dir', join(dir, 'runs2'));
    assert.equal(res.code, 2);
    assert.equal(res.err.trim().split('\n').length, 1, res.err);
    assert.match(res.err, /sbatch is not on PATH.*--launcher local/);
  } finally {
    process.env.PATH = path;
  }
});

test('run-graph refuses a graph.json whose content no longer matches its hash', async () => {
  const r = write('tamper.sid', '1 x cpu(8 GB)', '', false);
  const g = compileFile(r, { set: ['batch.per_device=8'] }).graphs[0]!;
  const d = join(dir, 'runs3', runDirName(g));
  spawnSync('mkdir', ['-p', d]);
  writeFileSync(join(d, 'graph.json'), JSON.stringify({ ...g, config: { ...g.config, train: { seed: 7 } } }));
  const res = await sidc('run-graph', join(d, 'graph.json'));
  assert.equal(res.code, 2);
  assert.match(res.err, /does not match its hash/);
});
