// sidc run r.sid --launcher slurm: one run over launcher.nodes x (GPUs or cpu devices per node) processes,
// submitted with sbatch and started by srun. The torch engine takes its rendezvous from MASTER_ADDR /
// MASTER_PORT / RANK / WORLD_SIZE / LOCAL_RANK (set by the script from Slurm's variables); the tfjs
// engine runs one process. A requeued or preempted job reruns the script in the same run directory,
// and the engine resumes from the last checkpoint there.
import { join, resolve } from 'node:path';
import { UserError } from '../../common/errors.js';
import type { CliIO } from '../../common/io.js';
import type { ExecutionGraph } from '../../compiler/graph/types.js';
import { writeFileAtomic, writeJsonAtomic } from '../formats/atomic.js';
import { openRunDir, runDirName } from '../rundir/rundir.js';
import { runScript } from './script.js';
import { launchSettings } from './settings.js';
import { requireSlurm, sbatch } from './slurm.js';
import { repoRoot, sidcCommand } from './sidc-bin.js';

export const ENGINES = ['tfjs', 'torch'] as const;
export type Engine = (typeof ENGINES)[number];

export interface SlurmRunOptions {
  recipeFile: string;
  runsDir: string;
  engine?: string;
  dryRun?: boolean;
  fresh?: boolean;
  plots: boolean;
}

/** The command each process runs, and the environment it needs. */
export function engineCommand(engine: Engine, runDir: string, plots: boolean): { argv: string[]; env: Record<string, string> } {
  const graph = join(runDir, 'graph.json');
  if (engine === 'torch') {
    return {
      argv: [process.env.SIDC_PYTHON || 'python3', '-m', 'sidc_torch', 'run', '--graph', graph, '--run-dir', runDir],
      env: { PYTHONPATH: join(repoRoot(), 'runtime', 'torch') },
    };
  }
  return { argv: [...sidcCommand(), 'run-graph', graph, ...(plots ? [] : ['--no-plots'])], env: {} };
}

export function slurmRun(io: CliIO, graph: ExecutionGraph, o: SlurmRunOptions): number {
  const s = launchSettings(graph);
  const world = s.nodes * s.tasksPerNode;
  if (o.engine !== undefined && !(ENGINES as readonly string[]).includes(o.engine))
    throw new UserError(`unknown --engine '${o.engine}': use ${ENGINES.join(' or ')}`);
  const engine: Engine = (o.engine as Engine | undefined) ?? (world > 1 ? 'torch' : 'tfjs');
  if (engine === 'tfjs' && world > 1)
    throw new UserError(
      `the tfjs engine runs one process, but the launcher settings start ${world} (launcher.nodes x devices per node); use --engine torch, or hardware.devices = 1 x ...`,
    );
  const runDir = resolve(o.runsDir, runDirName(graph));
  const cmd = engineCommand(engine, runDir, o.plots);
  const text = runScript({ jobName: `sidc-${graph.recipe.name}`, settings: s, runDir, workDir: process.cwd(), engine: cmd.argv, env: cmd.env });
  if (o.dryRun) {
    io.stdout(text);
    return 0;
  }
  requireSlurm();
  const paths = openRunDir(o.runsDir, graph, { fresh: !!o.fresh, recipeFile: o.recipeFile });
  writeFileAtomic(join(paths.dir, 'run.sbatch'), text);
  const jobId = sbatch(text, process.cwd(), s);
  writeJsonAtomic(join(paths.dir, 'slurm-job.json'), { jobId, engine, processes: world, submitted: new Date().toISOString() });
  io.stdout(
    `submitted job ${jobId}: ${world} ${engine} process(es) on ${s.nodes} node(s); run directory ` +
      `${paths.dir}; log ${join(paths.dir, `slurm-${jobId}.log`)}\n` +
      `  watch it with \`squeue -j ${jobId}\`; a requeued job resumes from the run directory's checkpoint\n`,
  );
  return 0;
}
