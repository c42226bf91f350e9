// The launcher settings of a compiled graph (recipe.launcher: what the recipe's `launcher { }` section and
// --set wrote; outside the graph's hash) resolved to what a job asks Slurm for. The compiler has already
// checked them (compiler/check/launcher.ts): time format, nodes x GPUs = hardware.devices.
import type { ExecutionGraph } from '../../compiler/graph/types.js';

export interface LaunchSettings {
  partition?: string;
  account?: string;
  qos?: string;
  time?: string;
  nodes: number;
  /** processes per node: one per GPU, or one per declared cpu device */
  tasksPerNode: number;
  gpusPerNode: number;
  cpusPerTask?: number;
  memoryGiB?: number;
  sbatch: string[];
  /** where each setting was written (file:line:col or --set), by setting name without `launcher.` */
  from: Record<string, string>;
}

export function launchSettings(graph: ExecutionGraph): LaunchSettings {
  const s = graph.recipe.launcher?.settings ?? {};
  const dev = (graph.config.hardware as { devices?: { count?: number; kind?: string } } | undefined)?.devices ?? {};
  const count = typeof dev.count === 'number' ? dev.count : 1;
  const nodes = typeof s.nodes === 'number' ? s.nodes : 1;
  const gpu = dev.kind === 'gpu';
  const gpusPerNode = gpu ? (typeof s.gpus_per_node === 'number' ? s.gpus_per_node : Math.max(1, Math.floor(count / nodes))) : 0;
  const str = (k: string) => (typeof s[k] === 'string' ? (s[k] as string) : undefined);
  return {
    ...(str('partition') ? { partition: str('partition')! } : {}),
    ...(str('account') ? { account: str('account')! } : {}),
    ...(str('qos') ? { qos: str('qos')! } : {}),
    ...(str('time') ? { time: str('time')! } : {}),
    nodes,
    tasksPerNode: gpu ? gpusPerNode : Math.max(1, Math.floor(count / nodes)),
    gpusPerNode,
    ...(typeof s.cpus_per_task === 'number' ? { cpusPerTask: s.cpus_per_task } : {}),
    ...(typeof s.memory === 'number' ? { memoryGiB: s.memory } : {}),
    sbatch: Array.isArray(s.sbatch) ? s.sbatch.map(String) : [],
    from: graph.recipe.launcher?.from ?? {},
  };
}

/** The settings as a stable string: the points of one job array must agree on them. */
export function settingsKey(s: LaunchSettings): string {
  const { from: _f, ...rest } = s;
  return JSON.stringify(rest);
}
