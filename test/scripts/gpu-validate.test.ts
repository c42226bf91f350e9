// scripts/gpu/validate.py at toy size on the CPU (the smoke test of the GPU validation, which has not run
// on a GPU yet): both cases load a random-weight diffusers folder through the engine's loader, take their
// iterations, and report the prepared plan and paper numbers beside what they measured.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoPath } from '../helpers/paths.js';
import { scratchDir } from '../runtime/formats/tmp.js';
import { pythonExeWith as pythonWith } from '../helpers/python.js';

const py = pythonWith('torch', 'numpy');

test('scripts/gpu/validate.py --toy --device cpu runs both cases and reports plan and paper numbers', {
  skip: py ? false : 'python3 with torch not found',
}, () => {
  const out = scratchDir('gpu-validate');
  const r = spawnSync(py!, [repoPath('scripts/gpu/validate.py'), '--toy', '--device', 'cpu', '--iterations', '1', '--out', out], {
    encoding: 'utf8',
    timeout: 120000,
  });
  assert.equal(r.status, 0, r.stderr);
  const rows = JSON.parse(readFileSync(join(out, 'validate.json'), 'utf8')) as Array<Record<string, unknown>>;
  assert.deepEqual(
    rows.map((x) => x.case),
    ['sd3_medium_bf16', 'sana_1600m_512'],
  );
  const plans = ['sd3_medium_bf16', 'sana_1600m_512'].map(
    (n) => JSON.parse(readFileSync(repoPath(`scripts/gpu/prepared/${n}.plan.json`), 'utf8')) as { seconds_per_1k_images: number },
  );
  rows.forEach((x, i) => {
    assert.equal((x.iteration_s as number[]).length, 2);
    assert.ok((x.s_per_1k_images as number) > 0);
    assert.equal(x.plan_s_per_1k, plans[i]!.seconds_per_1k_images);
  });
  assert.deepEqual(
    rows.map((x) => [x.precision, x.per_device, x.paper_s_per_1k_per_gpu]),
    [
      ['bf16', 4, 960],
      ['amp', 16, 152],
    ],
  );
});
