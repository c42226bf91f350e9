// The torch engine loads a family teacher tensor by tensor (sidc_torch/formats/safetensors.py Checkpoint,
// nets/families/load.py): names and shapes are checked from the shard headers, then each stored tensor is read,
// copied into the module and dropped, so a process holds the module plus one stored tensor (the peak is
// measured by bench/teacher-load.bench.ts). teacher_load_check.py runs on a tiny sharded FLUX teacher.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeTinyFamilyTeacher } from '../../../runtime/tfjs/families/tiny-teacher.js';
import { pythonExeWith } from '../../helpers/python.js';
import { repoPath } from '../../helpers/paths.js';
import { scratchDir } from '../formats/tmp.js';

const py = pythonExeWith('torch');

test('the streamed reader gives the whole reader tensors one at a time, and the same teacher', { skip: py ? false : 'python3 with torch not found' }, () => {
  const dir = scratchDir('teacher-load');
  writeTinyFamilyTeacher('flux', join(dir, 'teacher'), { seed: 3, shards: 3 });
  const out = join(dir, 'result.json');
  const r = spawnSync(py!, [repoPath('test', 'runtime', 'torch', 'teacher_load_check.py'), join(dir, 'teacher'), out], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const res = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
  assert.deepEqual(res, { shapes_match: true, same_tensors: true, one_at_a_time: 1, same_net: true, tensors: res.tensors });
  assert.ok((res.tensors as number) > 50);
});
