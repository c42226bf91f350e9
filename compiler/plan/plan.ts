// planGraph: what the declared hardware needs for a compiled recipe - peak memory per device (the
// paper's "max memory allocated"), whether it fits, and seconds per 1k generator images. A pure
// function of the execution graph. `sidc plan` prints it; the compiler turns its diagnostics into SID4xxx.
import type { ExecutionGraph } from '../graph/types.js';
import { parameterCount } from '../teachers/params.js';
import { teacherNames } from '../teachers/registry.js';
import { CUDA_CONTEXT_GIB, FRAGMENTATION, WASM_HEAP_GIB } from './constants.js';
import { planDiagnostic, type PlanDiagnostic } from './diagnostics.js';
import { planInputs, setting, type PlanInputs } from './inputs.js';
import { stageMemory, type StageMemory, type Term } from './memory.js';
import { stageTime, type StageTime } from './time.js';

export interface PlanReport {
  recipe: string;
  teacher: string;
  params: number;
  devices: string;
  /** Predicted peak of allocated memory on one device, GiB (max over training stages). */
  peak_gb_per_device: number;
  /** With allocator fragmentation (x FRAGMENTATION) and the CUDA context: what the device must hold. */
  reserved_gb_per_device: number;
  device_memory_gb: number;
  fits: boolean;
  /** Stage and phase at the peak, and its memory terms. */
  peak_stage: string;
  peak_phase: string;
  terms: Term[];
  host_gb_per_device: number;
  seconds_per_1k_images: number;
  flops_per_image: number;
  time_terms: StageTime['terms'];
  stages: { name: string; kind: string; policy: string; peak_gb: number; seconds_per_1k_images: number }[];
  diagnostics: PlanDiagnostic[];
}

const r1 = (x: number): number => Math.round(x * 10) / 10;

function advice(inp: PlanInputs, mem: StageMemory): string {
  const out: string[] = [];
  const policy = inp.stages.find((s) => s.name === mem.stage)?.policy;
  if (policy !== 'bf16') out.push('`precision bf16 {}` halves weights, Adam state and gradients (with `optimizer.eps = 1e-4`, paper §4)');
  if (inp.textEncoders === 'resident') out.push('`hardware.text_encoders = streamed` with `data.text = precomputed("...")` frees the text encoders');
  if (inp.shard !== 'fsdp' && inp.devices.count > 1) out.push('`hardware.shard = fsdp` shards weights, gradients and Adam state');
  if (inp.perDevice > 1)
    out.push(`\`batch { per_device = ${Math.max(1, Math.floor(inp.perDevice / 2))}; accumulate = ${inp.accumulate * 2} }\` halves the activations`);
  if (!inp.checkpointing) out.push('`hardware.gradient_checkpointing = true` keeps only block inputs');
  if (inp.offload !== 'cpu') out.push(`\`hardware.offload = cpu\` moves ${inp.shard === 'fsdp' ? 'model states' : 'the Adam moments'} to the host (slow)`);
  return out.length > 0 ? `try ${out.join('; or ')}` : 'use devices with more memory';
}

export function planGraph(graph: ExecutionGraph): PlanReport {
  const inp = planInputs(graph);
  const diagnostics: PlanDiagnostic[] = [];
  const devices = `${inp.devices.count} x ${inp.devices.kind}(${inp.devices.memory_gb} GB)`;
  const base = { recipe: graph.recipe.name, devices, device_memory_gb: inp.devices.memory_gb };
  if (!inp.teacher) {
    const name = String(setting(graph.config, 'teacher.config') ?? '');
    diagnostics.push(planDiagnostic('SID4003', { name, hint: '', known: teacherNames().join(', ') }, 'teacher.config'));
    return {
      ...base,
      teacher: name,
      params: 0,
      peak_gb_per_device: 0,
      reserved_gb_per_device: 0,
      fits: false,
      peak_stage: '',
      peak_phase: '',
      terms: [],
      host_gb_per_device: 0,
      seconds_per_1k_images: 0,
      flops_per_image: 0,
      time_terms: [],
      stages: [],
      diagnostics,
    };
  }
  const teacher = inp.teacher;
  const per = inp.stages.map((s) => ({ s, mem: stageMemory(inp, teacher, s), time: stageTime(inp, teacher, s) }));
  const peak = per.reduce((a, b) => (b.mem.total_gb > a.mem.total_gb ? b : a));
  // time per 1k images of the main (first) training stage, as the paper's tables report per method
  const main = per.find((p) => p.s.kind === 'adversarial') ?? per.find((p) => p.s.kind === 'sid') ?? per[0]!;
  const cpu = inp.devices.kind === 'cpu';
  const context = cpu ? 0 : CUDA_CONTEXT_GIB;
  const need = peak.mem.total_gb + context;
  const reserved = peak.mem.total_gb * FRAGMENTATION + context;
  const have = inp.devices.memory_gb;
  const fits = need <= have && (!cpu || peak.mem.total_gb <= WASM_HEAP_GIB);

  if (need > have) {
    diagnostics.push(
      planDiagnostic('SID4001', { need: r1(need).toString(), kind: devices, have: String(have), advice: advice(inp, peak.mem) }, 'hardware.devices'),
    );
  } else if (reserved > have) {
    // a note, not a warning: the paper's own runs sit here (reserved 73-78 GB of 80)
    diagnostics.push(
      planDiagnostic(
        'SID4004',
        {
          detail: `memory is tight: ${r1(peak.mem.total_gb)} GB allocated, ~${r1(reserved)} GB with allocator fragmentation (x${FRAGMENTATION}) and the CUDA context, on ${have} GB devices`,
        },
        'hardware.devices',
      ),
    );
  }
  if (cpu && peak.mem.total_gb > WASM_HEAP_GIB) {
    diagnostics.push(
      planDiagnostic(
        'SID4001',
        {
          need: r1(peak.mem.total_gb).toString(),
          kind: `the wasm backend (heap limit ${WASM_HEAP_GIB} GB)`,
          have: String(WASM_HEAP_GIB),
          advice: 'lower batch.per_device or the resolution; the wasm heap cannot grow past 4 GB and overflowing it aborts the run',
        },
        'batch.per_device',
      ),
    );
  }
  if (inp.offload === 'cpu') {
    diagnostics.push(
      planDiagnostic(
        'SID4004',
        {
          detail:
            inp.shard === 'fsdp' && inp.devices.count > 1
              ? `CPU offload keeps ${r1(peak.mem.host_gb)} GB of model states per device in host memory and copies them over PCIe every pass: slow (paper §4); pure bf16 may fit without it`
              : `CPU offload keeps the Adam moments (${r1(peak.mem.host_gb)} GB per device) in host memory and runs the optimizer step there, ` +
                'copying gradients and weights over PCIe every step; the weights stay on the device (only FSDP streams them)',
        },
        'hardware.offload',
      ),
    );
  }
  const assumed = main.time.assumed;
  if (assumed) diagnostics.push(planDiagnostic('SID4004', { detail: `throughput assumed: ${assumed}` }, 'hardware.devices'));

  return {
    ...base,
    teacher: teacher.name,
    params: parameterCount(teacher),
    peak_gb_per_device: peak.mem.total_gb,
    reserved_gb_per_device: reserved,
    fits,
    peak_stage: peak.s.name,
    peak_phase: peak.mem.peak_phase,
    terms: peak.mem.terms,
    host_gb_per_device: peak.mem.host_gb,
    seconds_per_1k_images: main.time.seconds_per_1k_images,
    flops_per_image: main.time.flops_per_image,
    time_terms: main.time.terms,
    stages: per.map((p) => ({
      name: p.s.name,
      kind: p.s.kind,
      policy: p.s.policy,
      peak_gb: p.mem.total_gb,
      seconds_per_1k_images: p.time.seconds_per_1k_images,
    })),
    diagnostics,
  };
}
