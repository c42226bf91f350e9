// sidc run-graph runs/<name>-<hash8>/graph.json: execute an already compiled graph in its own run
// directory (resuming from its checkpoint). What a launcher's task runs (runtime/launch/); users run
// recipes with `sidc run`.
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../common/errors.js';
import type { CommandModule } from './command.js';
import { readGraphFile } from '../runtime/launch/graph-file.js';
import { openRunDir } from '../runtime/rundir/rundir.js';
import { runGraph } from '../runtime/tfjs/loop/runner.js';
import { InitError } from '../runtime/tfjs/loop/build-nets.js';
import { startBackend } from './runtime-common.js';
import { claimRunDir, engineOf, requireTorch, runOnTorch } from '../runtime/torch/engine.js';

export const runGraphCommand: CommandModule = {
  register(program: Command, io, setExitCode) {
    program
      .command('run-graph')
      .description('execute a compiled graph.json in its run directory (what --launcher slurm / --parallel tasks run)')
      .argument('<graph>', 'runs/<name>-<hash8>/graph.json')
      .option('--backend <name>', 'tensorflow | wasm | cpu (default: the fastest available)')
      .option('--no-plots', 'skip the PNG sample plots')
      .option('--engine <name>', "tfjs | torch (default: the graph's hardware.engine, else tfjs)")
      .action(async (file: string, flags: { backend?: string; plots: boolean; engine?: string }) => {
        const graph = readGraphFile(file);
        if (engineOf(graph, flags.engine) === 'torch') {
          const info = requireTorch(io);
          const paths = openRunDir(dirname(dirname(file)), graph, {
            backend: { engine: 'torch', python: info.python, torch: info.torch, devices: info.devices },
          });
          claimRunDir(paths, 'torch');
          io.stdout(`run directory ${paths.dir} (graph ${graph.hash.slice(0, 8)}, torch engine)\n`);
          return setExitCode(await runOnTorch(io, info, paths, { plots: flags.plots }));
        }
        const backend = await startBackend(io, flags);
        const paths = openRunDir(dirname(dirname(file)), graph, { backend });
        io.stdout(`run directory ${paths.dir} (graph ${graph.hash.slice(0, 8)})\n`);
        try {
          const res = runGraph(graph, paths, { io, plots: flags.plots });
          setExitCode(res.completed ? 0 : 1);
        } catch (e) {
          if (e instanceof UserError || e instanceof InitError) throw new UserError(e.message, 1);
          io.stderr(`sidc: run failed: ${(e as Error).message}\n  the last checkpoint in ${paths.dir} is kept; rerun to resume\n`);
          setExitCode(1);
        }
      });
  },
};
