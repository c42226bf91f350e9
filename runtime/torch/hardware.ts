// What a recipe's `hardware` block asks of the torch engine on this machine (docs/engines.md
// "Distributed"): how many worker processes `sidc run` starts, refused before a run directory exists when
// the machine cannot provide it. `devices = N x cpu` is N gloo processes; `N x gpu(...)` is N nccl
// processes, one per GPU, and needs N GPUs that this torch sees (more nodes: the Slurm launcher).
import { UserError } from '../../common/errors.js';
import type { ExecutionGraph } from '../../compiler/graph/types.js';
import type { TorchInfo } from './launch.js';

export interface DevicesSetting {
  count: number;
  kind: 'cpu' | 'gpu';
  memory_gb?: number;
}

export function devicesOf(graph: ExecutionGraph): DevicesSetting {
  const hw = (graph.config as { hardware?: { devices?: Partial<DevicesSetting> } }).hardware;
  const d = hw?.devices;
  return {
    count: typeof d?.count === 'number' ? d.count : 1,
    kind: d?.kind === 'gpu' ? 'gpu' : 'cpu',
    ...(typeof d?.memory_gb === 'number' ? { memory_gb: d.memory_gb } : {}),
  };
}

function describe(d: DevicesSetting): string {
  return `${d.count} x ${d.kind}${d.memory_gb !== undefined ? `(${d.memory_gb} GB)` : ''}`;
}

/** The number of processes to start for `graph` on this machine, or a one-line UserError. */
export function processesFor(graph: ExecutionGraph, info: TorchInfo, deviceFlag?: string): number {
  const d = devicesOf(graph);
  if (d.count <= 1) return 1;
  const gpus = info.devices.filter((x) => x.startsWith('cuda')).length;
  const device = deviceFlag ?? (info.cuda ? 'cuda' : 'cpu');
  const shard = (graph.config as { hardware?: { shard?: string } }).hardware?.shard;
  if (shard === 'fsdp') {
    throw new UserError(
      `hardware.shard = fsdp: the torch engine runs ${describe(d)} data parallel (DDP) only; FSDP is not ` +
        `executed yet (docs/distributed.md) - remove \`shard = fsdp\` to replicate the nets on every device`,
    );
  }
  if (d.kind === 'gpu') {
    if (!device.startsWith('cuda'))
      throw new UserError(
        `hardware.devices = ${describe(d)} needs ${d.count} CUDA GPUs, but ` +
          `${deviceFlag ? `this run is on --device ${device}` : `torch ${info.torch} sees no GPU on this machine`}; ` +
          `use devices = ${d.count} x cpu(16 GB) for ${d.count} processes on the CPU`,
      );
    if (d.count > gpus)
      throw new UserError(
        `hardware.devices = ${describe(d)}, but torch ${info.torch} sees ${gpus} GPU(s) on this machine; lower the count in hardware.devices, or start the run on a cluster (docs/cluster.md)`,
      );
    return d.count;
  }
  if (device.startsWith('cuda'))
    throw new UserError(
      `hardware.devices = ${describe(d)} runs ${d.count} processes on the CPU; drop --device ${device}, or ask for GPUs with devices = ${d.count} x gpu(80 GB)`,
    );
  return d.count;
}
