// hardware.gradient_checkpointing on the torch engine (sidc_torch/nets/checkpointing.py): every transformer block
// of the family nets and the DiT runs under torch.utils.checkpoint (non-reentrant) while autograd records.
// checkpointing_check.py runs the torch side: one SiD iteration of the tiny FLUX and SANA recipes compiled with
// the setting on and off, the gradients of tiny SD3 / FLUX / SANA teachers and a DiT both ways, and the bytes
// autograd keeps for a DiT and a FLUX block stack, which this file sets against `sidc plan`'s activation model
// (compiler/plan/activations.ts) for the same architectures in fp32.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileFile } from '../../../compiler/api.js';
import { passActivations } from '../../../compiler/plan/activations.js';
import { writeTinyFamilyTeacher } from '../../../runtime/tfjs/families/tiny-teacher.js';
import { pythonExeWith } from '../../helpers/python.js';
import { repoPath } from '../../helpers/paths.js';
import { scratchDir } from '../formats/tmp.js';
import { stackPlanConfig } from '../fixtures/block-stacks.js';

const py = pythonExeWith('torch');
const skip = py ? false : 'python3 with torch not found';
const FIXTURE = repoPath('test', 'runtime', 'torch', 'fixtures', 'tiny-fp32.sid');

// The block stacks measured (D = 128 both): a DiT of 8 blocks on 28 px digits (49 tokens) and a FLUX of 4 double
// and 8 single blocks on a 16 x 16 latent (64 image + 8 text tokens). Batch 4.
const STACKS = {
  dit: { hidden: 128, depth: 8, heads: 4, side: 28, patch: 4, batch: 4 },
  flux: { double: 4, single: 8, heads: 4, head_dim: 32, rope: [8, 12, 12], text_tokens: 8, latent: 16, batch: 4 },
};

interface Result {
  iterations: Record<
    string,
    { losses: Record<string, [number, number]>; nets: Record<string, { abs: number; rel: number }>; checkpointing: Record<string, Record<string, boolean>> }
  >;
  nets: Record<string, { loss: [number, number]; grad_abs: number; grads: number }>;
  stacks: Record<string, { full: number; checkpointed: number }>;
}
let result: Result | undefined;
let failure = '';

before(() => {
  if (!py) return;
  const dir = scratchDir('checkpointing');
  const teachers: Record<string, string> = {};
  for (const fam of ['flux', 'sana', 'sd3']) {
    teachers[fam] = join(dir, fam);
    writeTinyFamilyTeacher(fam, teachers[fam]!, { seed: 4 });
  }
  const iterations = ['flux', 'sana'].map((fam) => {
    const graphs: Record<string, string> = {};
    for (const on of [true, false]) {
      const set = [`teacher.checkpoint="${teachers[fam]}"`, `data.text=precomputed("${teachers[fam]}")`, `hardware.gradient_checkpointing=${on}`];
      const r = compileFile(FIXTURE, { recipe: `${fam}_tiny_fp32`, set });
      assert.ok(r.ok, r.diagnostics.map((d) => d.message).join('; '));
      graphs[on ? 'on' : 'off'] = join(dir, `${fam}-${on}.json`);
      writeFileSync(graphs[on ? 'on' : 'off']!, JSON.stringify(r.graphs[0]));
    }
    return { name: fam, ...graphs };
  });
  const job = join(dir, 'job.json');
  writeFileSync(job, JSON.stringify({ iterations, nets: teachers, stacks: STACKS }));
  const out = join(dir, 'result.json');
  const r = spawnSync(py, [repoPath('test', 'runtime', 'torch', 'checkpointing_check.py'), job, out], { encoding: 'utf8', cwd: repoPath() });
  if (r.status !== 0) failure = r.stderr || `exit ${r.status}`;
  else result = JSON.parse(readFileSync(out, 'utf8')) as Result;
});

// Recomputation runs the same CPU kernels on the same inputs, so the results are expected bit-identical;
// the bound leaves room for a kernel that picks another reduction order on recomputation (none does here).
const REL = 1e-6;

test('one SiD iteration (tiny FLUX, SANA, fp32): the same losses and updated psi, G with checkpointing on and off', { skip }, (t) => {
  assert.equal(failure, '', failure);
  for (const [fam, r] of Object.entries(result!.iterations)) {
    assert.ok(Object.values(r.checkpointing.on!).every(Boolean), `${fam}: checkpointing not set on every net: ${JSON.stringify(r.checkpointing.on)}`);
    assert.ok(!Object.values(r.checkpointing.off!).some(Boolean), `${fam}: checkpointing set with the setting off`);
    for (const [phase, [on, off]] of Object.entries(r.losses)) {
      t.diagnostic(`${fam} ${phase} loss: on ${on}, off ${off}`);
      assert.ok(Math.abs(on - off) <= REL * Math.abs(off), `${fam} ${phase}: ${on} vs ${off}`);
    }
    assert.deepEqual(Object.keys(r.nets).sort(), ['G', 'psi']);
    for (const [net, c] of Object.entries(r.nets)) {
      t.diagnostic(`${fam} ${net}: max |on - off| ${c.abs} (${c.rel} of the largest weight)`);
      assert.ok(c.rel <= REL, `${fam} ${net}: updated weights differ by ${c.rel}`);
    }
  }
});

test('gradients w.r.t. input and weights of tiny SD3, FLUX, SANA teachers and a DiT do not change', { skip }, (t) => {
  assert.equal(failure, '', failure);
  assert.deepEqual(Object.keys(result!.nets).sort(), ['dit', 'flux', 'sana', 'sd3']);
  for (const [fam, r] of Object.entries(result!.nets)) {
    t.diagnostic(`${fam}: ${r.grads} gradients, max |on - off| ${r.grad_abs}; loss ${r.loss[0]} / ${r.loss[1]}`);
    assert.ok(r.grads > 10 && r.loss[0] === r.loss[1], `${fam}: ${JSON.stringify(r)}`);
    assert.ok(r.grad_abs <= REL * Math.max(1, Math.abs(r.loss[1])), `${fam}: gradients differ by ${r.grad_abs}`);
  }
});

test("saved activations of DiT and FLUX block stacks drop by the plan's factor", { skip }, (t) => {
  assert.equal(failure, '', failure);
  const fp32 = { stream: 4, act: 4, f32: 4 };
  for (const name of ['dit', 'flux'] as const) {
    const { config, resolution } = name === 'dit' ? stackPlanConfig('dit', STACKS.dit) : stackPlanConfig('flux', STACKS.flux);
    const plan = passActivations(config, resolution, fp32);
    const m = result!.stacks[name]!;
    const measured = m.full / m.checkpointed;
    const predicted = plan.params / plan.checkpointed;
    t.diagnostic(
      `${name}: per sample ${(m.full / 1e6).toFixed(3)} MB full, ${(m.checkpointed / 1e6).toFixed(3)} MB checkpointed (x${measured.toFixed(1)}); ` +
        `plan ${(plan.params / 1e6).toFixed(3)} / ${(plan.checkpointed / 1e6).toFixed(3)} MB (x${predicted.toFixed(1)})`,
    );
    assert.ok(measured > 10, `${name}: checkpointing saved only a factor ${measured}`);
    assert.ok(measured > 0.6 * predicted && measured < 1.4 * predicted, `${name}: factor ${measured} vs the plan's ${predicted}`);
    assert.ok(Math.abs(m.full / plan.params - 1) < 0.3, `${name}: full saved set ${m.full} vs plan ${plan.params}`);
    assert.ok(Math.abs(m.checkpointed / plan.checkpointed - 1) < 0.5, `${name}: checkpointed ${m.checkpointed} vs plan ${plan.checkpointed}`);
  }
});
