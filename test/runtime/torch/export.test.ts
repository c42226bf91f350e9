// A student exported to diffusers layout (runtime/torch/sidc_torch/export.py): config.json + sharded
// safetensors + index that read back bit for bit as the student in bf16 and load as the teacher's family;
// a student of another architecture and an existing output folder are refused in one line, nothing written.
// (diffusers is not installed here; scripts/reference/diffusers_check.py is the recorded check that it loads such a folder.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { sidc } from '../../helpers/cli.js';
import { repoPath } from '../../helpers/paths.js';
import { scratchDir } from '../formats/tmp.js';
import { pythonExeWith as pythonWith } from '../../helpers/python.js';

const py = pythonWith('torch', 'numpy');
const skip = py ? false : 'python3 with torch not found';

test('sidc_torch export: diffusers layout of a tiny flux student, refusals', { skip }, async () => {
  const dir = scratchDir('torch-export');
  const teacher = join(dir, 'flux-tiny');
  const made = await sidc('make-tiny', 'flux', teacher);
  assert.equal(made.code, 0, made.err);
  const r = spawnSync(py!, [repoPath('test/runtime/torch/export_check.py'), teacher, dir], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: repoPath('runtime/torch') },
    timeout: 120000,
  });
  assert.equal(r.status, 0, r.stderr);
  const o = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
  assert.equal(o.same, true);
  assert.equal(o.config_same, true);
  assert.ok((o.shards as number) > 1, `one shard only: ${o.shards}`);
  assert.equal(o.total_size_ok, true);
  assert.equal(o.kind, 'flux');
  assert.equal(o.bad_code, 2);
  assert.match(o.bad_err as string, /^sidc-torch: export: .* is not a full .*transformer: it lacks '/);
  assert.equal((o.bad_err as string).trim().split('\n').length, 1);
  assert.equal(o.bad_written, false);
  assert.equal(o.again_code, 2);
  assert.match(o.again_err as string, /exists; remove it or choose another -o/);
  assert.deepEqual(o.leftovers, []);
});
