// sidc sweep-run r.sid: runs every point of a sweep (each in its own run directory, resumable) and
// writes a table and a PNG of mode coverage vs precision of the 4-step student per point (Fig. 3 on the
// mixture). `sidc sweep --list` (the compiler's) lists the points without running them.
// --launcher local (default) runs the points here, one after the other or --parallel N at a time;
// --launcher slurm submits them as one job array (runtime/launch/, docs/cluster.md).
import type { Command } from 'commander';
import { UserError } from '../common/errors.js';
import type { CommandModule } from './command.js';
import { openRunDir } from '../runtime/rundir/rundir.js';
import { runGraph } from '../runtime/tfjs/loop/runner.js';
import { isComplete, logPath, resultRow, sweepOutDir, sweepPoints, writeSweep, type Point, type SweepRow } from '../runtime/launch/points.js';
import { runPointsLocally } from '../runtime/launch/local.js';
import { slurmSweep } from '../runtime/launch/sweep-slurm.js';
import { compileRecipe, intFlag, startBackend } from './runtime-common.js';
import { setOption, recipeOption, runsDirOption, rootOption } from './options.js';

interface Flags {
  set: string[];
  recipe?: string;
  runsDir: string;
  out?: string;
  fresh?: boolean;
  plots: boolean;
  launcher: string;
  parallel?: string;
  dryRun?: boolean;
  wait?: boolean;
  status?: boolean;
  poll?: string;
  backend?: string;
}

/** A finished point's student row (none when the recipe evaluates no student), or a failed row. */
function pushRow(rows: SweepRow[], p: Point, complete: boolean, log: string): void {
  const row = complete ? resultRow(p) : { point: p.label, run: p.dir, failed: true as const, log };
  if (row) rows.push(row);
}

export const sweepRunCommand: CommandModule = {
  register(program: Command, io, setExitCode) {
    program
      .command('sweep-run')
      .description('run every point of a sweep and compare the students (table + coverage/precision PNG)')
      .argument('<file>', 'recipe file with a sweep')
      .addOption(setOption('override a setting in every point (repeatable)'))
      .addOption(recipeOption('the sweep to run'))
      .addOption(runsDirOption())
      .addOption(rootOption())
      .option('-o, --out <dir>', 'where the table and the PNG go (default: <runs-dir>/<sweep>)')
      .option('--fresh', 'start every point over')
      .option('--no-plots', 'skip per-run sample plots')
      .option('--launcher <name>', 'local (this machine) or slurm (one job array, a task per point)', 'local')
      .option('--parallel <n>', 'local: run n points at a time, each its own process')
      .option('--dry-run', 'slurm: print the sbatch script instead of submitting it')
      .option('--wait', 'slurm: stay until no point is queued, then write the table')
      .option('--status', 'slurm: report progress (and the table when done) without submitting')
      .option('--poll <seconds>', 'slurm: seconds between looks at the queue with --wait', '10')
      .addHelpText(
        'after',
        '\n' +
          'Examples:\n' +
          '  sidc sweep-run recipes/fig3-gmm.sid --launcher local --parallel 2\n' +
          '  sidc sweep-run recipes/fig3-gmm.sid --launcher slurm --set launcher.partition=gpu --dry-run\n' +
          '  sidc sweep-run recipes/fig3-gmm.sid --launcher slurm     # again: progress, then the table',
      )
      .action(async (file: string, flags: Flags) => {
        if (!['local', 'slurm'].includes(flags.launcher)) throw new UserError(`unknown --launcher '${flags.launcher}': use local or slurm`);
        const slurmOnly = (['dryRun', 'wait', 'status'] as const).find((k) => flags[k]);
        if (flags.launcher === 'local' && slurmOnly) throw new UserError(`--${slurmOnly.replace('R', '-r')} applies to --launcher slurm`);
        if (flags.launcher === 'slurm' && flags.parallel)
          throw new UserError('--parallel applies to --launcher local; Slurm runs as many points at once as the cluster allows');
        const graphs = compileRecipe(io, file, flags, true);
        if (!graphs) return setExitCode(1);
        const points = sweepPoints(graphs, flags.runsDir);
        const outDir = sweepOutDir(graphs, flags.runsDir, flags.out);
        if (flags.launcher === 'slurm') {
          return setExitCode(
            await slurmSweep(io, points, {
              recipeFile: file,
              outDir,
              plots: flags.plots,
              fresh: !!flags.fresh,
              dryRun: !!flags.dryRun,
              wait: !!flags.wait,
              status: !!flags.status,
              pollSeconds: intFlag('poll', flags.poll ?? '10', 1),
            }),
          );
        }
        const parallel = flags.parallel ? intFlag('parallel', flags.parallel, 1) : 1;
        const rows: SweepRow[] = [];
        if (parallel > 1) {
          for (const p of points) openRunDir(flags.runsDir, p.graph, { fresh: !!flags.fresh, recipeFile: file });
          const codes = await runPointsLocally(io, points, { parallel, plots: flags.plots, ...(flags.backend ? { backend: flags.backend } : {}) });
          for (const p of points) pushRow(rows, p, codes.get(p.index) === 0 && isComplete(p), logPath(p));
        } else {
          const backend = await startBackend(io, {});
          for (const p of points) {
            io.stdout(`\n== point ${p.index + 1}/${points.length}: ${p.label}\n`);
            const paths = openRunDir(flags.runsDir, p.graph, { fresh: !!flags.fresh, recipeFile: file, backend });
            try {
              runGraph(p.graph, paths, { io, plots: flags.plots });
            } catch (e) {
              // one failing point does not stop the others; the table marks it
              io.stderr(`sidc: point ${p.index + 1} (${p.label}) failed: ${(e as Error).message}\n`);
            }
            pushRow(rows, p, isComplete(p), 'the output above');
          }
        }
        writeSweep(io, outDir, rows);
        setExitCode(rows.some((r) => 'failed' in r) ? 1 : 0);
      });
  },
};
