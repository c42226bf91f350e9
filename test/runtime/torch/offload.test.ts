// hardware.offload = cpu on the torch engine (sidc_torch/optim.py): the Adam moments of psi and G live in host
// memory and the optimizer step runs there, the weights being copied to the host and back (the nets stay whole
// on the device: without FSDP nothing streams them). offload_check.py runs the tiny FLUX recipe compiled with
// offload cpu and none for three iterations (checkpointed after the second and resumed in a fresh stage), in
// fp32 and in pure bf16 (its own bf16 step path). On a cpu device it is the same arithmetic on the same tensors,
// so every loss, weight and moment must be bit-identical; the moments must be on the CPU.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileFile } from '../../../compiler/api.js';
import { writeTinyFamilyTeacher } from '../../../runtime/tfjs/families/tiny-teacher.js';
import { pythonExeWith } from '../../helpers/python.js';
import { repoPath } from '../../helpers/paths.js';
import { scratchDir } from '../formats/tmp.js';

const py = pythonExeWith('torch');
const skip = py ? false : 'python3 with torch not found';
const FIXTURE = repoPath('test', 'runtime', 'torch', 'fixtures', 'tiny-fp32.sid');
const POLICIES = ['fp32', 'bf16'];

interface Placement {
  adam: string | null;
  tensors: string[];
  count: number;
}
interface Case {
  losses: { cpu: Record<string, number>[]; none: Record<string, number>[] };
  tensors: number;
  differ: string[];
  dtypes: string[];
  devices: { cpu: Record<string, Placement>; none: Record<string, Placement> };
}
let result: Record<string, Case> = {};
let failure = '';

before(() => {
  if (!py) return;
  const dir = scratchDir('offload');
  const teacher = join(dir, 'teacher');
  writeTinyFamilyTeacher('flux', teacher, { seed: 4 });
  const cases = POLICIES.map((policy) => {
    const c: Record<string, string> = { name: policy, dir: join(dir, policy) };
    mkdirSync(c.dir!);
    for (const offload of ['cpu', 'none']) {
      const set = [`teacher.checkpoint="${teacher}"`, `data.text=precomputed("${teacher}")`, `hardware.offload=${offload}`, `precision.policy=${policy}`];
      const r = compileFile(FIXTURE, { recipe: 'flux_tiny_fp32', set });
      assert.ok(r.ok, r.diagnostics.map((d) => d.message).join('; '));
      c[offload] = join(c.dir!, `${offload}.json`);
      writeFileSync(c[offload]!, JSON.stringify(r.graphs[0]));
    }
    return c;
  });
  const job = join(dir, 'job.json');
  writeFileSync(job, JSON.stringify(cases));
  const out = join(dir, 'result.json');
  const r = spawnSync(py, [repoPath('test', 'runtime', 'torch', 'offload_check.py'), job, out], { encoding: 'utf8', cwd: repoPath() });
  if (r.status !== 0) failure = r.stderr || `exit ${r.status}`;
  else result = JSON.parse(readFileSync(out, 'utf8')) as Record<string, Case>;
});

for (const policy of POLICIES) {
  test(`${policy}: three iterations with a resume give bit-identical losses, weights and moments with offload cpu and none`, { skip }, (t) => {
    assert.equal(failure, '', failure);
    const c = result[policy]!;
    t.diagnostic(`${c.tensors} tensors (${c.dtypes.join(', ')}); losses ${JSON.stringify(c.losses.cpu)}`);
    assert.equal(c.losses.cpu.length, 3);
    assert.deepEqual(c.losses.cpu, c.losses.none);
    assert.ok(c.tensors > 100, `only ${c.tensors} tensors compared`);
    assert.deepEqual(c.differ, [], `tensors that differ: ${c.differ.join(', ')}`);
    assert.ok(c.dtypes.includes(policy === 'bf16' ? 'torch.bfloat16' : 'torch.float32'), `dtypes ${c.dtypes}`);
  });
}

test('offload cpu puts the Adam moments of psi and G on the CPU device; none leaves them with the weights', { skip }, () => {
  assert.equal(failure, '', failure);
  for (const policy of POLICIES) {
    const d = result[policy]!.devices;
    assert.deepEqual(Object.keys(d.cpu).sort(), ['G', 'psi']);
    for (const [net, p] of Object.entries(d.cpu)) {
      assert.ok(p.adam === 'cpu' && p.count > 0, `${policy} ${net}: ${JSON.stringify(p)}`);
      assert.deepEqual(p.tensors, ['cpu']);
    }
    for (const p of Object.values(d.none)) assert.equal(p.adam, null);
  }
});
