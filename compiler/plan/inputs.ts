// What the planner reads from an execution graph: the resolved settings in `config` (nested canonical
// JSON, settings.ts) and the kind and precision of each training stage. Tolerates a flat config
// ({"teacher.family": ...}) as well, so hand-made graphs in tests stay short.
import type { ExecutionGraph, StageGraph } from '../graph/types.js';
import type { JsonValue } from '../recipe/settings.js';
import { SETTINGS_BY_PATH } from '../recipe/settings.js';
import { teacherFor } from '../teachers/registry.js';
import type { TeacherConfig, TeacherFamily } from '../teachers/types.js';

export type Policy = 'fp32' | 'amp' | 'bf16';

export interface Devices {
  count: number;
  kind: string;
  memory_gb: number;
  tflops?: number;
}

export interface StagePlanInput {
  name: string;
  kind: 'sid' | 'adversarial' | 'teach';
  policy: Policy;
  /** Batch multiplier of phi's and psi's passes: 2 for a cfg-guided pass on the doubled batch (eq. 15). */
  teacherMult: number;
  fakeMult: number;
  steps: number;
}

export interface PlanInputs {
  teacher?: TeacherConfig;
  teacherName: string;
  resolution: number;
  devices: Devices;
  shard: 'none' | 'ddp' | 'fsdp';
  checkpointing: boolean;
  /** hardware.engine: on cpu devices the tfjs engine (the default) keeps its whole tape, checkpointing or not. */
  engine: 'tfjs' | 'torch';
  offload: 'none' | 'cpu';
  textEncoders: 'streamed' | 'resident' | 'cpu';
  vae: 'offloaded' | 'resident';
  perDevice: number;
  accumulate: number;
  stages: StagePlanInput[];
}

/** Whether the run recomputes blocks: the torch engine checkpoints every block (sidc_torch/nets/checkpointing.py);
 * the tfjs engine (the default on cpu devices) keeps its whole tape whatever the setting. */
export const checkpointsBlocks = (inp: PlanInputs): boolean => inp.checkpointing && !(inp.devices.kind === 'cpu' && inp.engine !== 'torch');

export function setting(config: Record<string, JsonValue>, path: string): JsonValue | undefined {
  if (path in config) return config[path];
  let o: JsonValue | undefined = config;
  for (const seg of path.split('.')) {
    if (o === null || o === undefined || typeof o !== 'object' || Array.isArray(o)) {
      o = undefined;
      break;
    }
    o = (o as Record<string, JsonValue>)[seg];
  }
  return o ?? SETTINGS_BY_PATH.get(path)?.default;
}

const str = (v: JsonValue | undefined, d: string): string => (typeof v === 'string' ? v : d);
const num = (v: JsonValue | undefined, d: number): number => (typeof v === 'number' ? v : d);
const mult = (g: JsonValue | undefined): number => (g && typeof g === 'object' && !Array.isArray(g) && g['mode'] === 'cfg' ? 2 : 1);

/** The guidance a stage's program gives a net: from its velocity nodes when the graph has them. */
function nodeMult(stage: StageGraph, net: string): number | undefined {
  for (const ph of stage.phases) {
    for (const n of ph.nodes) if (n.op === 'velocity' && n.attrs['net'] === net) return mult(n.attrs['guidance']);
  }
  return undefined;
}

function nodeSteps(stage: StageGraph): number | undefined {
  for (const ph of stage.phases) for (const n of ph.nodes) if (n.op === 'generate' && typeof n.attrs['steps'] === 'number') return n.attrs['steps'];
  return undefined;
}

export function planInputs(graph: ExecutionGraph): PlanInputs {
  const c = graph.config;
  const family = str(setting(c, 'teacher.family'), 'gmm') as TeacherFamily;
  const configName = setting(c, 'teacher.config');
  const teacher = teacherFor(family, typeof configName === 'string' ? configName : undefined);
  const d = setting(c, 'hardware.devices') as Record<string, JsonValue> | undefined;
  const devices: Devices = {
    count: num(d?.['count'], 1),
    kind: str(d?.['kind'], 'cpu'),
    memory_gb: num(d?.['memory_gb'], 16),
    ...(typeof d?.['tflops'] === 'number' ? { tflops: d['tflops'] } : {}),
  };
  const policy = str(setting(c, 'precision.policy'), 'amp') as Policy;
  const trainKinds = new Set(['sid', 'adversarial', 'teach']);
  const teacherMult = mult(setting(c, 'guidance.teacher'));
  const fakeMult = mult(setting(c, 'guidance.fake'));
  const steps = num(setting(c, 'generator.steps'), 4);
  const stages: StagePlanInput[] =
    graph.stages.length > 0
      ? graph.stages
          .filter((s) => trainKinds.has(s.kind))
          .map((s) => ({
            name: s.name,
            kind: s.kind as StagePlanInput['kind'],
            policy: (s.precision?.policy ?? policy) as Policy,
            teacherMult: nodeMult(s, 'phi') ?? teacherMult,
            fakeMult: nodeMult(s, 'psi') ?? fakeMult,
            steps: nodeSteps(s) ?? steps,
          }))
      : [{ name: 'sid', kind: 'sid', policy, teacherMult, fakeMult, steps }];
  const resolution = num(setting(c, 'data.resolution'), teacher?.arch.kind === 'dit' ? teacher.arch.sample_size : 512);
  return {
    ...(teacher ? { teacher } : {}),
    teacherName: typeof configName === 'string' ? configName : `${family} (default)`,
    resolution,
    devices,
    shard: str(setting(c, 'hardware.shard'), 'none') as PlanInputs['shard'],
    checkpointing: setting(c, 'hardware.gradient_checkpointing') !== false,
    engine: setting(c, 'hardware.engine') === 'torch' ? 'torch' : 'tfjs',
    offload: str(setting(c, 'hardware.offload'), 'none') as PlanInputs['offload'],
    textEncoders: str(setting(c, 'hardware.text_encoders'), 'streamed') as PlanInputs['textEncoders'],
    vae: str(setting(c, 'hardware.vae'), 'offloaded') as PlanInputs['vae'],
    perDevice: num(setting(c, 'batch.per_device'), 1),
    accumulate: num(setting(c, 'batch.accumulate'), 1),
    stages,
  };
}
