// Time per 1k images from FLOPs, FSDP traffic and a per-round host overhead (docs/plan.md).
//
// FLOPs of one forward pass per sample: 2 x (block parameters) x tokens for the matmuls, plus attention
// (4 S^2 D per softmax layer; SANA's linear attention 4 N D d and cross-attention 4 N T D). A backward
// pass w.r.t. weights and input costs 2 forwards; w.r.t. the input only, 1 forward.
// Passes per sample and iteration (docs/algorithm.md §4, k averaged over 1..steps):
//   fake phase:      k G forwards (no grad) + psi forward + backward(params) on the guided batch
//   generator phase: k-1 G forwards + G forward + backward(params)
//                    + phi and psi forward + backward(input) on their guided batches
//                    + one extra psi forward (y_fake is needed before phi's vector-Jacobian product)
//   adversarial:     + psi forward + backward(params) on the real latents (the discriminator)
import { hiddenSize, parameterBreakdown } from '../teachers/params.js';
import { imageTokens } from '../teachers/shapes.js';
import type { TeacherConfig } from '../teachers/types.js';
import { BYTES, CPU_TFLOPS, GPU_BY_MEMORY, HOST_TFLOPS, KNOWN_GPUS, LINK_GBPS, meanSteps, MFU, PCIE_GBPS, ROUND_OVERHEAD_S } from './constants.js';
import { checkpointsBlocks, type Devices, type PlanInputs, type StagePlanInput } from './inputs.js';
import { dtypeBytes } from './memory.js';

/** FLOPs of one forward pass for one sample. */
export function forwardFlops(teacher: TeacherConfig, resolution: number): number {
  const a = teacher.arch;
  const blocks = parameterBreakdown(a).blocks;
  if (a.kind === 'vector') return 2 * parameterBreakdown(a).total;
  const D = hiddenSize(a);
  const N = imageTokens(teacher, resolution);
  const T = teacher.text_tokens;
  switch (a.kind) {
    case 'sana':
      return 2 * blocks * N + a.num_layers * (4 * N * D * a.attention_head_dim + 4 * N * T * D);
    case 'mmdit': {
      const S = N + T;
      return 2 * blocks * S + 4 * S * S * D * a.num_layers + 4 * N * N * D * a.dual_attention_layers;
    }
    case 'flux': {
      const S = N + T;
      return 2 * blocks * S + 4 * S * S * D * (a.num_layers + a.num_single_layers);
    }
    case 'dit':
      return 2 * blocks * (N + 1) + 4 * (N + 1) ** 2 * D * a.num_layers;
  }
}

/** Forward-pass equivalents per sample and iteration of a stage. */
function passCount(inp: PlanInputs, stage: StagePlanInput): number {
  // gradient checkpointing re-runs the forward of every differentiated pass, one block at a time, in its backward
  const re = checkpointsBlocks(inp) ? 1 : 0;
  if (stage.kind === 'teach') return 3 + re;
  const k = meanSteps(stage.steps);
  const fm = stage.fakeMult;
  const tm = stage.teacherMult;
  const fake = k + 3 * fm + re * fm;
  const gen = k - 1 + 3 + 2 * tm + 2 * fm + fm + re * (1 + tm + fm);
  return fake + gen + (stage.kind === 'adversarial' ? (3 + re) * fm : 0);
}

function deviceTflops(d: Devices): { tflops: number; assumed?: string } {
  if (d.tflops) return { tflops: d.tflops };
  if (d.kind === 'cpu') return { tflops: CPU_TFLOPS, assumed: `cpu: ${CPU_TFLOPS * 1000} GFLOP/s (tfjs)` };
  const known = KNOWN_GPUS[d.kind.toLowerCase()];
  if (known) return { tflops: known.tflops };
  const guess = GPU_BY_MEMORY.find((g) => d.memory_gb <= g.maxGb)!;
  return {
    tflops: KNOWN_GPUS[guess.name]!.tflops,
    assumed: `${d.kind}(${d.memory_gb} GB) taken as ${guess.name} (${KNOWN_GPUS[guess.name]!.tflops} TFLOPS bf16 dense); write gpu(${d.memory_gb} GB, <n> TFLOPS) to say`,
  };
}

export interface StageTime {
  flops_per_image: number;
  seconds_per_1k_images: number;
  terms: { name: string; seconds: number; formula: string }[];
  assumed?: string;
}

export function stageTime(inp: PlanInputs, teacher: TeacherConfig, stage: StagePlanInput): StageTime {
  const n = inp.devices.count;
  const { tflops, assumed } = deviceTflops(inp.devices);
  const fwd = forwardFlops(teacher, inp.resolution);
  const passes = passCount(inp, stage);
  const flopsPerImage = fwd * passes;
  const compute = (1000 * flopsPerImage) / (n * tflops * 1e12 * MFU);
  const rounds = 1000 / (n * inp.perDevice);
  const terms: StageTime['terms'] = [
    {
      name: 'compute',
      seconds: compute,
      formula: `1000 x ${(flopsPerImage / 1e12).toFixed(2)} TFLOP per image (${passes.toFixed(1)} forward-equivalents) / (${n} x ${tflops} TFLOPS x MFU ${MFU})`,
    },
  ];
  if (inp.devices.kind !== 'cpu')
    terms.push({ name: 'host overhead', seconds: rounds * ROUND_OVERHEAD_S, formula: `${rounds.toFixed(1)} accumulation rounds x ${ROUND_OVERHEAD_S} s` });
  const P = parameterBreakdown(teacher.arch).total;
  const by = dtypeBytes(stage.policy, inp.devices.kind === 'cpu');
  if (inp.shard === 'fsdp' && n > 1) {
    // per round: every forward and backward of G and psi gathers the full weights; each weight backward reduce-scatters
    const k = meanSteps(stage.steps);
    const gathers = stage.kind === 'teach' ? 2 : 2 * k + 7 + (stage.kind === 'adversarial' ? 2 : 0);
    const bytes = (gathers * P * by.weights + 2 * P * by.grads) * ((n - 1) / n);
    terms.push({
      name: 'FSDP traffic',
      seconds: (rounds * bytes) / (LINK_GBPS * 1e9),
      formula: `${rounds.toFixed(1)} rounds x (${gathers.toFixed(1)} all-gathers + 2 reduce-scatters of ${(P / 1e9).toFixed(2)}B params) / ${LINK_GBPS} GB/s`,
    });
    if (inp.offload === 'cpu') {
      const h2d = (rounds * (gathers * P * by.weights + 2 * P * by.grads)) / n;
      terms.push({
        name: 'CPU offload (PCIe)',
        seconds: h2d / (PCIE_GBPS * 1e9),
        formula: `each gather first copies the device's shard host -> device at ${PCIE_GBPS} GB/s`,
      });
    }
  } else if (inp.offload === 'cpu' && inp.devices.kind !== 'cpu') {
    // without FSDP only the Adam step runs on the host: per optimizer step of each trained net, its fp32 gradient
    // sum and its weights go to the host and the updated weights come back (sidc_torch/optim.py)
    const steps = (rounds / Math.max(1, inp.accumulate)) * (stage.kind === 'teach' ? 1 : 2);
    const bytes = P * (BYTES.fp32 + 2 * by.weights);
    terms.push({
      name: 'CPU offload (PCIe)',
      seconds: (steps * bytes) / (PCIE_GBPS * 1e9),
      formula: `${steps.toFixed(1)} optimizer steps x ${(P / 1e9).toFixed(2)}B params x (4 B gradient + 2 x ${by.weights} B weights) / ${PCIE_GBPS} GB/s`,
    });
  }
  if (inp.textEncoders === 'cpu' && teacher.text_encoders.length > 0) {
    // every device's process encodes its own prompts on the host: 2 x params x tokens per encoder
    const perPrompt = teacher.text_encoders.reduce((s, e) => s + 2 * e.params * Math.max(e.tokens, 1), 0);
    terms.push({
      name: 'text encoders on the host',
      seconds: ((1000 / n) * perPrompt) / (HOST_TFLOPS * 1e12),
      formula: `${1000 / n} prompts per device x ${(perPrompt / 1e12).toFixed(2)} TFLOP / ${HOST_TFLOPS} TFLOPS of host CPU per process`,
    });
  }
  const total = terms.reduce((s, t) => s + t.seconds, 0);
  return { flops_per_image: flopsPerImage, seconds_per_1k_images: total, terms, ...(assumed ? { assumed } : {}) };
}
