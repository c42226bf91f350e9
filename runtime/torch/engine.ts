// Engine selection for `sidc run` (docs/engines.md): --engine beats the recipe's hardware.engine, which
// beats the default tfjs. The engine is a run option, not part of the hashed graph unless the recipe sets
// it. For torch: find the Python first (no run directory is created without one), then run the child.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../common/errors.js';
import type { CliIO } from '../../common/io.js';
import type { ExecutionGraph } from '../../compiler/graph/types.js';
import { writeJsonAtomic } from '../formats/atomic.js';
import { configValue } from '../tfjs/loop/config.js';
import { graphMonitorSpec, plotMonitorCurves } from '../rundir/monitor-events.js';
import type { RunPaths } from '../rundir/rundir.js';
import { findTorchPython, INSTALL_HINT, runTorchChild, type TorchInfo } from './launch.js';
import { drawTorchSamples } from './samples.js';
import { processesFor } from './hardware.js';
import { requireMemory } from './memory.js';
import { runTorchWorkers } from './workers.js';

export const ENGINES = ['tfjs', 'torch'] as const;
export type EngineName = (typeof ENGINES)[number];

export function engineOf(graph: ExecutionGraph, flag: string | undefined): EngineName {
  const hw = (graph.config as { hardware?: { engine?: unknown } }).hardware;
  const name = flag ?? (typeof hw?.engine === 'string' ? hw.engine : 'tfjs');
  if (!(ENGINES as readonly string[]).includes(name)) throw new UserError(`unknown engine '${name}': use --engine tfjs or --engine torch`);
  return name as EngineName;
}

/** The Python + torch the torch engine will use, or a one-line UserError (exit 2) before any run directory exists. */
export function requireTorch(io: CliIO): TorchInfo {
  const probe = findTorchPython();
  if (!probe.found) {
    const why = probe.tried.length ? ` (${probe.tried.join('; ')})` : ' (no python3 found)';
    throw new UserError(`--engine torch needs Python with PyTorch${why}; ${INSTALL_HINT}`);
  }
  const f = probe.found;
  io.stderr(`sidc: engine torch ${f.torch} on ${f.python} (python ${f.python_version})\n`);
  return f;
}

/** A run directory belongs to the engine that started it: resuming a half-done run with the other engine is refused. */
export function claimRunDir(paths: RunPaths, engine: EngineName): void {
  const file = join(paths.dir, 'engine.json');
  if (existsSync(file)) {
    const prev = (JSON.parse(readFileSync(file, 'utf8')) as { engine?: string }).engine;
    if (prev && prev !== engine && existsSync(paths.checkpoint)) {
      throw new UserError(`${paths.dir} holds a checkpoint of the ${prev} engine; resume it with --engine ${prev}, or start over with --fresh`);
    }
  }
  writeJsonAtomic(file, { engine });
}

export interface TorchRunFlags {
  device?: string;
  verbose?: boolean;
  /** draw the sample PNGs (sidc run --no-plots: false) */
  plots?: boolean;
  /** processes of a data-parallel run (hardware.devices count; hardware.ts); 1 when absent */
  world?: number;
}

/** Runs the graph in paths.dir on the torch engine; returns the exit code for the CLI. */
export async function runOnTorch(io: CliIO, info: TorchInfo, paths: RunPaths, flags: TorchRunFlags): Promise<number> {
  const device = flags.device ?? (info.cuda ? 'cuda' : 'cpu');
  const graph = JSON.parse(readFileSync(paths.graph, 'utf8')) as ExecutionGraph;
  const encoders = configValue(graph, 'hardware.text_encoders');
  if ((encoders === 'resident' || encoders === 'cpu') && configValue(graph, 'data.text.mode') === 'precomputed')
    io.stderr(
      `sidc: note: hardware.text_encoders = ${encoders} runs no encoder here: data.text = precomputed(...) is read from its table; ` +
        "`data.text = encoder` (with data.prompts) runs the teacher's encoders in the loop\n",
    );
  // the monitor's curves: the child writes metrics.jsonl, the launcher draws them as the tfjs loop does
  // (always, as tfjs does: --no-plots is about the sample plots)
  const spec = graphMonitorSpec(graph);
  const onMonitor = spec
    ? () => {
        try {
          plotMonitorCurves(paths.dir, paths.metrics, spec);
        } catch (e) {
          io.stderr(`sidc: could not draw the monitor plots: ${(e as Error).message}\n`);
        }
      }
    : undefined;
  const code =
    (flags.world ?? 1) > 1
      ? await runTorchWorkers({
          io,
          python: info.python,
          graphFile: paths.graph,
          runDir: paths.dir,
          device: device.startsWith('cuda') ? 'cuda' : device,
          world: flags.world!,
          ...(flags.verbose ? { verbose: true } : {}),
          ...(onMonitor ? { onMonitor } : {}),
        })
      : await runTorchChild({
          io,
          python: info.python,
          graphFile: paths.graph,
          runDir: paths.dir,
          device,
          ...(flags.verbose ? { verbose: true } : {}),
          ...(onMonitor ? { onMonitor } : {}),
        });
  if (flags.plots !== false) {
    try {
      drawTorchSamples(paths.samples, graph);
    } catch (e) {
      io.stderr(`sidc: could not draw the sample plots: ${(e as Error).message}\n`);
    }
  }
  if (code === 0) io.stdout(`results in ${paths.dir}\n`);
  else if (code === 130) io.stderr(`sidc: stopped; the checkpoint in ${paths.dir} is kept; rerun the same command to resume\n`);
  else if (code !== 2)
    io.stderr(
      `sidc: run failed (torch engine, exit ${code}); the last checkpoint in ${paths.dir} is kept; rerun the same command to resume${flags.verbose ? '' : ' (--verbose shows the traceback)'}\n`,
    );
  return code;
}

/** `sidc run --engine torch`: check Python + torch, open the run directory, run the child. */
export async function runWithTorch(
  io: CliIO,
  graph: ExecutionGraph,
  recipeFile: string,
  flags: TorchRunFlags & { runsDir: string; fresh?: boolean },
  openRunDir: (runsDir: string, graph: ExecutionGraph, o: { fresh?: boolean; recipeFile?: string; backend?: unknown }) => RunPaths,
): Promise<number> {
  const info = requireTorch(io);
  const world = processesFor(graph, info, flags.device); // more devices than present: refused before a run directory exists
  requireMemory(graph, info, flags.device ?? (info.cuda ? 'cuda' : 'cpu'), world, recipeFile); // the plan's peak against the GPUs' memory
  const paths = openRunDir(flags.runsDir, graph, {
    fresh: !!flags.fresh,
    recipeFile,
    backend: { engine: 'torch', python: info.python, torch: info.torch, devices: info.devices },
  });
  claimRunDir(paths, 'torch');
  io.stdout(`run directory ${paths.dir}\n`);
  return runOnTorch(io, info, paths, { ...flags, world });
}
