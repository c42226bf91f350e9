// runtime/torch/memory.ts: before a GPU run loads anything, sidc plan's peak is compared with the GPUs'
// memory (as the doctor reports it); too little memory is refused with the plan's numbers. The plan's own
// prediction is the oracle: a GPU just above it passes, one just below is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CUDA_CONTEXT_GIB } from '../../../compiler/plan/constants.js';
import { planGraph } from '../../../compiler/plan/plan.js';
import { requireMemory, type TorchInfoWithMemory } from '../../../runtime/torch/memory.js';
import { UserError } from '../../../common/errors.js';
import { repoPath } from '../../helpers/paths.js';
import { compileGraph } from './harness.js';

const info = (gb: number[]): TorchInfoWithMemory => ({
  python: 'py',
  python_version: '3',
  torch: '2',
  cuda: '12',
  devices: ['cpu', ...gb.map((_, i) => `cuda:${i} GPU`)],
  bf16: { cpu: true, cuda: true },
  fp16: { cpu: false, cuda: true },
  distributed: { gloo: true, nccl: true },
  threads: 1,
  cuda_memory_gb: gb,
});

test("the plan's peak per device against the GPUs: above passes, below is refused with the plan's numbers; cpu is not checked", () => {
  const g = compileGraph(repoPath('recipes/sd3-medium-bf16.sid'), ['hardware.shard=none']);
  const need = planGraph(g).peak_gb_per_device + CUDA_CONTEXT_GIB;
  requireMemory(g, info([need + 0.5]), 'cuda', 1, 'r.sid');
  requireMemory(g, info([need - 0.5]), 'cpu', 1, 'r.sid');
  assert.throws(
    () => requireMemory(g, info([need - 0.5]), 'cuda', 1, 'r.sid'),
    (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.match(
        e.message,
        new RegExp(
          `^r\\.sid: sidc plan predicts ${(Math.round(planGraph(g).peak_gb_per_device * 10) / 10).toFixed(1)} ` +
            `GB allocated per device .*activations.* but the GPU has ` +
            `${(Math.round((need - 0.5) * 10) / 10).toFixed(1)} GB; nothing was loaded`,
        ),
      );
      assert.ok(!e.message.includes('\n'));
      return true;
    },
  );
  // several processes: the smallest of the GPUs they use decides
  assert.throws(() => requireMemory(g, info([need + 5, need - 1]), 'cuda', 2, 'r.sid'), UserError);
  requireMemory(g, info([need + 5, need - 1]), 'cuda', 1, 'r.sid');
});
