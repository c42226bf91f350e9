// A minimal ExecutionGraph for planner tests: the planner reads only `config` and the stages' kinds and
// precision, so no nodes are needed. Settings are given flat ("batch.per_device": 4).
import { GRAPH_FORMAT, GRAPH_VERSION, type ExecutionGraph, type StageGraph } from '../../../compiler/graph/types.js';
import type { JsonValue } from '../../../compiler/recipe/settings.js';

export const H100 = { count: 8, kind: 'gpu', memory_gb: 80, tflops: 989 };

export function makeGraph(config: Record<string, JsonValue>, stageKinds: Array<StageGraph['kind']> = ['sid']): ExecutionGraph {
  const policy = (config['precision.policy'] ?? 'amp') as 'fp32' | 'amp' | 'bf16';
  const stages: StageGraph[] = stageKinds.map((kind) => ({
    name: kind,
    kind,
    after: [],
    nets: [],
    shared: [],
    phases: [],
    attrs: {},
    precision: {
      policy,
      weights: policy === 'bf16' ? 'bfloat16' : 'float32',
      compute: policy === 'fp32' ? 'float32' : 'bfloat16',
      optimizer_state: policy === 'bf16' ? 'bfloat16' : 'float32',
      loss: 'float32',
    },
  }));
  return { format: GRAPH_FORMAT, version: GRAPH_VERSION, recipe: { name: 'test', file: 'test.sid' }, config, bindings: {}, stages, hash: '' };
}

/** The SD3-Medium BF16 run of Table 4 as flat settings; tests vary one thing at a time. */
export const SD3_BF16: Record<string, JsonValue> = {
  'teacher.family': 'sd3',
  'teacher.config': 'sd3_medium',
  'precision.policy': 'bf16',
  'data.resolution': 1024,
  'hardware.devices': H100,
  'hardware.shard': 'fsdp',
  'hardware.gradient_checkpointing': false,
  'hardware.text_encoders': 'streamed',
  'hardware.vae': 'offloaded',
  'hardware.offload': 'none',
  'batch.per_device': 4,
  'batch.accumulate': 8,
  'guidance.teacher': { mode: 'cfg', scale: 4.5 },
  'guidance.fake': { mode: 'cfg', scale: 4.5 },
};
