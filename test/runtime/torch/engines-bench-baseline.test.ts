// `npm run bench -- engines` measures the torch engine against plain PyTorch (bench/engines_torch.py); that
// overhead means something only if plain computes the engine's losses. `engines_torch.py --check` runs each
// phase's nodes in the engine, then the plain loss on the engine's draws and nets, and compares the gradients
// of the updated net - on the tiny FLUX case of the bench (embedded guidance, the generator phase
// differentiating phi and psi with respect to their input).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileFile } from '../../../compiler/api.js';
import { writeTinyFamilyTeacher } from '../../../runtime/tfjs/families/tiny-teacher.js';
import { repoPath } from '../../helpers/paths.js';
import { pythonExeWith } from '../../helpers/python.js';
import { scratchDir } from '../formats/tmp.js';

const py = pythonExeWith('torch', 'numpy');
const skip = py ? false : 'python3 with torch and numpy not found';

test('bench engines: plain PyTorch takes the torch engine gradients in both phases (tiny FLUX)', { skip }, () => {
  const dir = scratchDir('engines-bench');
  const teacher = join(dir, 'teacher');
  writeTinyFamilyTeacher('flux', teacher, { seed: 4 });
  const r = compileFile(repoPath('test', 'runtime', 'torch', 'fixtures', 'tiny-fp32.sid'), {
    recipe: 'flux_tiny_fp32',
    set: [`teacher.checkpoint="${teacher}"`, `data.text=precomputed("${teacher}")`],
  });
  assert.ok(r.ok, r.diagnostics.map((d) => d.message).join('; '));
  const graph = join(dir, 'graph.json');
  writeFileSync(graph, JSON.stringify(r.graphs[0]));
  const out = spawnSync(py!, [repoPath('bench', 'engines_torch.py'), '--graph', graph, '--check'], { encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  const got = JSON.parse(out.stdout.trim().split('\n').pop()!) as Record<string, { relative_l2_difference: number; l2: number }>;
  assert.deepEqual(Object.keys(got), ['fake', 'generator']);
  for (const [phase, c] of Object.entries(got)) {
    assert.ok(c.l2 > 1e-3, `${phase}: the gradient is ~0 (${c.l2}), the comparison would prove nothing`);
    assert.ok(c.relative_l2_difference < 1e-6, `${phase}: plain and engine gradients differ by ${c.relative_l2_difference} (relative L2)`);
  }
});
