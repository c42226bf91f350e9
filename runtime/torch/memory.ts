// Before a torch run on GPUs loads anything: `sidc plan`'s predicted peak per device against the memory
// of the GPUs this run will use (as `python -m sidc_torch doctor` reports them). A run that will not fit
// is refused with the plan's numbers - the memory terms at the peak - instead of dying out of memory
// after minutes of loading. CPU runs are not checked (host memory is the operating system's business).
import { UserError } from '../../common/errors.js';
import type { ExecutionGraph } from '../../compiler/graph/types.js';
import { CUDA_CONTEXT_GIB } from '../../compiler/plan/constants.js';
import { planGraph } from '../../compiler/plan/plan.js';
import type { TorchInfo } from './launch.js';

/** TorchInfo as the doctor reports it since the distributed engine: total memory of each CUDA device, GiB. */
export type TorchInfoWithMemory = TorchInfo & { cuda_memory_gb?: number[] };

const r1 = (x: number): string => (Math.round(x * 10) / 10).toFixed(1);

/** Throws a one-line UserError when the plan's peak does not fit the smallest of the first `world` GPUs. */
export function requireMemory(graph: ExecutionGraph, info: TorchInfoWithMemory, device: string, world: number, recipeFile: string): void {
  if (!device.startsWith('cuda') || !info.cuda_memory_gb?.length) return;
  const plan = planGraph(graph);
  if (!plan.peak_gb_per_device) return; // no teacher the planner knows: nothing to compare
  const first = device.includes(':') ? Number(device.split(':')[1]) : 0;
  const used = world > 1 ? info.cuda_memory_gb.slice(0, world) : [info.cuda_memory_gb[first] ?? info.cuda_memory_gb[0]!];
  const have = Math.min(...used);
  const need = plan.peak_gb_per_device + CUDA_CONTEXT_GIB;
  if (need <= have) return;
  const top = [...plan.terms]
    .sort((a, b) => b.gb - a.gb)
    .slice(0, 3)
    .map((t) => `${t.name} ${r1(t.gb)} GB`)
    .join(', ');
  throw new UserError(
    `${recipeFile}: sidc plan predicts ${r1(plan.peak_gb_per_device)} GB allocated per device ` +
      `(+${CUDA_CONTEXT_GIB} GB CUDA context; stage ${plan.peak_stage}, ${plan.peak_phase} phase: ${top}) ` +
      `but the GPU has ${r1(have)} GB; nothing was loaded - lower batch.per_device (raise ` +
      `batch.accumulate), or see \`sidc plan ${recipeFile}\``,
  );
}
