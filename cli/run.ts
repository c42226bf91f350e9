// sidc run r.sid [--set k=v] [--runs-dir D] [--fresh]: compile, then execute the graph in
// runs/<recipe>-<hash8>/, resuming from the last checkpoint when the directory already holds one.
import type { Command } from 'commander';
import { UserError } from '../common/errors.js';
import type { CommandModule } from './command.js';
import { openRunDir } from '../runtime/rundir/rundir.js';
import { runGraph } from '../runtime/tfjs/loop/runner.js';
import { InitError } from '../runtime/tfjs/loop/build-nets.js';
import { slurmRun } from '../runtime/launch/run-slurm.js';
import { compileRecipe, startBackend } from './runtime-common.js';
import { setOption, recipeOption, runsDirOption, rootOption } from './options.js';
import { claimRunDir, engineOf, runWithTorch } from '../runtime/torch/engine.js';
import { requireInputs } from './preflight.js';

export const runCommand: CommandModule = {
  register(program: Command, io, setExitCode) {
    program
      .command('run')
      .description('compile a recipe and execute it (teach, distill, evaluate), resuming after a crash')
      .argument('<file>', 'recipe file (.sid)')
      .addOption(setOption())
      .addOption(recipeOption('the recipe to run when the file has several'))
      .addOption(runsDirOption())
      .addOption(rootOption())
      .option('--fresh', 'discard an existing run directory of the same graph and start over')
      .option('--backend <name>', 'tensorflow | wasm | cpu (default: the fastest available)')
      .option('--threads <n>', 'wasm threads (only 1 in Node without a worker shim)')
      .option('--no-plots', 'skip the PNG sample plots')
      .option('--launcher <name>', 'local (here) or slurm (sbatch + srun over launcher.nodes; docs/cluster.md)', 'local')
      .option(
        '--engine <name>',
        "tfjs | torch (default: the recipe's hardware.engine, else tfjs; with --launcher slurm torch when more than one process; docs/engines.md)",
      )
      .option('--device <name>', 'torch engine: cpu | cuda[:N] (default: cuda when torch sees one)')
      .option('--verbose', 'torch engine: show the traceback of a failed run')
      .option('--dry-run', 'slurm: print the sbatch script instead of submitting it')
      .addHelpText(
        'after',
        '\n' +
          'Examples:\n' +
          '  sidc run examples/gmm.sid\n' +
          '  sidc run examples/gmm.sid --engine torch\n' +
          '  sidc run examples/gmm.sid --set optimizer.lr=1e-3 --fresh\n' +
          '  sidc run r.sid --launcher slurm --set launcher.nodes=2 --dry-run',
      )
      .action(
        async (
          file: string,
          flags: {
            set: string[];
            recipe?: string;
            runsDir: string;
            fresh?: boolean;
            backend?: string;
            threads?: string;
            plots: boolean;
            launcher: string;
            engine?: string;
            device?: string;
            verbose?: boolean;
            dryRun?: boolean;
          },
        ) => {
          if (!['local', 'slurm'].includes(flags.launcher)) throw new UserError(`unknown --launcher '${flags.launcher}': use local or slurm`);
          if (flags.launcher === 'local' && flags.dryRun) throw new UserError('--dry-run applies to --launcher slurm');
          const graphs = compileRecipe(io, file, flags, true);
          if (!graphs) return setExitCode(1);
          if (graphs.length > 1) throw new UserError(`${file} is a sweep with ${graphs.length} points: run it with \`sidc sweep-run ${file}\``);
          const graph = graphs[0]!;
          if (flags.launcher === 'slurm')
            return setExitCode(
              slurmRun(io, graph, {
                recipeFile: file,
                runsDir: flags.runsDir,
                plots: flags.plots,
                fresh: !!flags.fresh,
                dryRun: !!flags.dryRun,
                ...(flags.engine ? { engine: flags.engine } : {}),
              }),
            );
          requireInputs(graph, file); // teacher checkpoint and text table: say what is missing before creating anything
          if (engineOf(graph, flags.engine) === 'torch') return setExitCode(await runWithTorch(io, graph, file, flags, openRunDir));
          const backend = await startBackend(io, flags);
          const paths = openRunDir(flags.runsDir, graph, { fresh: !!flags.fresh, recipeFile: file, backend });
          claimRunDir(paths, 'tfjs');
          io.stdout(`run directory ${paths.dir}\n`);
          const t0 = performance.now();
          const c0 = process.cpuUsage();
          try {
            const res = runGraph(graph, paths, { io, plots: flags.plots });
            const cpu = process.cpuUsage(c0);
            io.stdout(
              `done in ${((performance.now() - t0) / 1000).toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU; results in ${paths.dir}\n`,
            );
            setExitCode(res.completed ? 0 : 1);
          } catch (e) {
            // a recipe that points at a missing or mismatched file: the message names it, no stack, no resume hint
            if (e instanceof UserError || e instanceof InitError) {
              io.stderr(`sidc: ${e.message}\n`);
              return setExitCode(1);
            }
            io.stderr(`sidc: run failed: ${(e as Error).message}\n  the last checkpoint in ${paths.dir} is kept; rerun the same command to resume\n`);
            setExitCode(1);
          }
        },
      );
  },
};
