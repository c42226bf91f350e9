// --launcher local --parallel N: the points as concurrent `sidc run-graph` processes give the same table as
// running them one after the other; a failing point is marked with its log and the others complete.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileFile } from '../../../compiler/api.js';
import { runDirName } from '../../../runtime/rundir/rundir.js';
import { sidc } from '../../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'sidc-parallel-'));
const recipe = join(dir, 'toy.sid');
writeFileSync(
  recipe,
  `recipe toy {
  teacher gmm { dim = 2; classes = 2; modes_per_class = 2; mode_std = 0.1; radius = 2; seed = 1 }
  data { text = labels }
  precision fp32 {}
  hardware { devices = 1 x cpu(8 GB) }
  batch { global = 32; per_device = 32 }
  guidance { teacher = cfg(2); fake = cfg(2) }
  teach { length = 2k images; batch = 64 }
  train { length = 256 images; checkpoint_every = 128 images; sample_every = 256 images; log_every = 128 images }
  stage sid {}
  stage evaluate after sid { evaluate { samples = 200; teacher_steps = [4]; student_steps = [4] } }
}
sweep t over toy {
  time.interval in [(0, 0.5), (0.5, 1), (0, 1)]
}
`,
);
type Row = { point: string; run: string; failed?: boolean; status?: string; log?: string };
const rowsOf = (runs: string) => (JSON.parse(readFileSync(join(runs, 'toy-sweep', 'sweep.json'), 'utf8')) as Row[]).map(({ run: _r, ...rest }) => rest);

test('--parallel 2 gives the sequential table; a failing point is marked with its log, the others complete', { timeout: 600_000 }, async () => {
  const seq = await sidc('sweep-run', recipe, '--no-plots', '--runs-dir', join(dir, 'seq'));
  assert.equal(seq.code, 0, seq.err);
  const par = await sidc('sweep-run', recipe, '--no-plots', '--runs-dir', join(dir, 'par'), '--parallel', '2');
  assert.equal(par.code, 0, par.err + par.out);
  assert.deepEqual(rowsOf(join(dir, 'par')), rowsOf(join(dir, 'seq')));
  assert.equal(rowsOf(join(dir, 'seq')).length, 3);

  // point 1's run directory holds a corrupt checkpoint
  const runs = join(dir, 'bad');
  const d1 = join(runs, runDirName(compileFile(recipe).graphs[1]!));
  mkdirSync(d1, { recursive: true });
  writeFileSync(join(d1, 'checkpoint.safetensors'), 'garbage');
  const bad = await sidc('sweep-run', recipe, '--no-plots', '--runs-dir', runs, '--parallel', '2');
  assert.equal(bad.code, 1);
  const rows = rowsOf(runs);
  assert.deepEqual(
    rows.map((r) => r.failed ?? false),
    [false, true, false],
  );
  assert.equal(rows[1]!.log, join(d1, 'run.log'));
  assert.match(readFileSync(rows[1]!.log!, 'utf8'), /checkpoint\.safetensors: .*safetensors/);
  assert.match(readFileSync(join(runs, 'toy-sweep', 'sweep.md'), 'utf8'), /\| failed \| - \| - \| - \| log: .*run\.log \|/);
  assert.deepEqual([rows[0], rows[2]], [rowsOf(join(dir, 'seq'))[0], rowsOf(join(dir, 'seq'))[2]]);
});

test('--parallel and --launcher slurm options are refused where they do not apply', async () => {
  const a = await sidc('sweep-run', recipe, '--launcher', 'slurm', '--parallel', '2');
  assert.equal(a.code, 2);
  assert.match(a.err, /--parallel applies to --launcher local/);
  const b = await sidc('sweep-run', recipe, '--dry-run');
  assert.equal(b.code, 2);
  assert.match(b.err, /--dry-run applies to --launcher slurm/);
  const c = await sidc('sweep-run', recipe, '--launcher', 'pbs');
  assert.equal(c.code, 2);
  assert.match(c.err, /unknown --launcher 'pbs': use local or slurm/);
});
